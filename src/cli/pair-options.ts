import { relative, resolve, sep } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import {
  CONFLICT_STRATEGIES,
  ConflictStrategy,
  defaultPolicy,
  MODES,
  Mode,
  type Policy,
} from '../core/policy.ts'
import { type RelPath, relPath } from '../core/rel-path.ts'
import { defaultStateFile } from '../state/state-file.ts'
import type { Io } from './io.ts'
import type { CliError } from './messages.ts'

/** The options `plan` and `sync` share, as commander hands them over. */
export interface PairFlags {
  readonly mode: string
  readonly conflict: string
  readonly state?: string
  readonly ignore: ReadonlyArray<string>
  readonly include: ReadonlyArray<string>
}

export interface PairSetup {
  readonly source: string
  readonly destination: string
  readonly policy: Policy
  readonly stateFile: string
  /** Set when the state file was given on the command line: the plan carries it to apply. */
  readonly customStateFile: boolean
  readonly exclude: { readonly source: ReadonlyArray<RelPath>; readonly destination: ReadonlyArray<RelPath> }
}

const within = (root: string, file: string): RelPath | undefined => {
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || resolve(root, rel) !== file) return undefined
  const path = relPath(rel.split(sep).join('/'))
  return E.isRight(path) ? path.right : undefined
}

const overlaps = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}${sep}`) || b.startsWith(`${a}${sep}`)

export const pairSetup = (
  sourceArg: string,
  destinationArg: string,
  flags: PairFlags,
  io: Io,
  /** Files this run writes, kept out of both snapshots if they sit inside a root. */
  ownFiles: ReadonlyArray<string> = [],
): E.Either<CliError, PairSetup> => {
  const source = resolve(io.cwd, sourceArg)
  const destination = resolve(io.cwd, destinationArg)
  if (overlaps(source, destination)) return E.left({ _tag: 'RootsOverlap', source, destination })
  if (!Mode.is(flags.mode))
    return E.left({
      _tag: 'Usage',
      message: `--mode must be one of ${MODES.join(', ')} (got "${flags.mode}")`,
    })
  if (!ConflictStrategy.is(flags.conflict))
    return E.left({
      _tag: 'Usage',
      message: `--conflict must be one of ${CONFLICT_STRATEGIES.join(', ')} (got "${flags.conflict}")`,
    })
  const stateFile =
    flags.state === undefined ? defaultStateFile(source, destination, io.env) : resolve(io.cwd, flags.state)
  const own = [stateFile, ...ownFiles.map((f) => resolve(io.cwd, f))]
  const inside = (root: string): ReadonlyArray<RelPath> =>
    own.map((file) => within(root, file)).filter((p): p is RelPath => p !== undefined)
  return E.right({
    source,
    destination,
    policy: {
      ...defaultPolicy,
      mode: flags.mode,
      conflict: flags.conflict,
      ignore: [...flags.ignore],
      include: [...flags.include],
    },
    stateFile,
    customStateFile: flags.state !== undefined,
    exclude: { source: inside(source), destination: inside(destination) },
  })
}
