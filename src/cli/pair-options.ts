import { relative, resolve, sep } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import {
  CONFLICT_STRATEGIES,
  Compare,
  ConflictStrategy,
  type DeleteLimit,
  defaultPolicy,
  MODES,
  Mode,
  type Policy,
} from '../core/policy.ts'
import { type RelPath, relPath } from '../core/rel-path.ts'
import { probeRecordOf } from '../pair/probe-record.ts'
import { defaultStateFile } from '../state/state-file.ts'
import type { Io } from './io.ts'
import type { CliError } from './messages.ts'

/**
 * The options `plan` and `sync` share, as commander hands them over: absent when not given, so that a
 * pair's settings in the config file apply unless the command line says otherwise.
 */
export interface PairFlags {
  readonly mode?: string
  readonly conflict?: string
  readonly compare?: string
  readonly mtimeTolerance?: string
  readonly state?: string
  readonly ignore?: ReadonlyArray<string>
  readonly include?: ReadonlyArray<string>
  readonly forceUpload?: boolean
  readonly forceDownload?: boolean
  readonly maxDelete?: string
  readonly allowMassDelete?: boolean
  readonly backupDir?: string
}

/** What `--max-delete` is when neither the command line nor the config sets it. */
export const DEFAULT_MAX_DELETE = '50%'

export interface PairSetup {
  readonly source: string
  readonly destination: string
  readonly policy: Policy
  readonly stateFile: string
  /** Set when the state file was given on the command line: the plan carries it to apply. */
  readonly customStateFile: boolean
  readonly exclude: { readonly source: ReadonlyArray<RelPath>; readonly destination: ReadonlyArray<RelPath> }
}

/** `file` as a path inside `root`, when it is inside. */
export const within = (root: string, file: string): RelPath | undefined => {
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || resolve(root, rel) !== file) return undefined
  const path = relPath(rel.split(sep).join('/'))
  return E.isRight(path) ? path.right : undefined
}

const overlaps = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}${sep}`) || b.startsWith(`${a}${sep}`)

const usage = (message: string): E.Either<CliError, never> => E.left({ _tag: 'Usage', message })

/** `--max-delete 100` (files) or `--max-delete 30%`. */
export const parseDeleteLimit = (text: string): DeleteLimit | undefined => {
  const match = /^(\d+)(%?)$/.exec(text.trim())
  if (match === null) return undefined
  const limit = Number(match[1])
  return match[2] === '%' ? (limit <= 100 ? { limit, unit: 'percent' } : undefined) : { limit, unit: 'files' }
}

/** The state, journal and lock of a pair, which a run never lists and a plan may never touch. */
export const ownFilesOf = (stateFile: string): ReadonlyArray<string> => [
  stateFile,
  `${stateFile}.journal`,
  `${stateFile}.lock`,
  probeRecordOf(stateFile),
]

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
  const mode = flags.mode ?? defaultPolicy.mode
  const conflict = flags.conflict ?? defaultPolicy.conflict
  const compare = flags.compare ?? defaultPolicy.compare
  if (!Mode.is(mode)) return usage(`--mode must be one of ${MODES.join(', ')} (got "${mode}")`)
  if (!ConflictStrategy.is(conflict))
    return usage(`--conflict must be one of ${CONFLICT_STRATEGIES.join(', ')} (got "${conflict}")`)
  if (!Compare.is(compare)) return usage(`--compare must be size-mtime or checksum (got "${compare}")`)
  const maxDelete = parseDeleteLimit(flags.maxDelete ?? DEFAULT_MAX_DELETE)
  if (maxDelete === undefined)
    return usage(`--max-delete takes a number of files or a percentage like 50% (got "${flags.maxDelete}")`)
  const tolerance =
    flags.mtimeTolerance === undefined ? defaultPolicy.mtimeToleranceMs : Number(flags.mtimeTolerance)
  if (!Number.isInteger(tolerance) || tolerance < 0)
    return usage(`--mtime-tolerance takes milliseconds, a whole number (got "${flags.mtimeTolerance}")`)
  const backupDir = flags.backupDir === undefined ? null : resolve(io.cwd, flags.backupDir)
  if (backupDir !== null && (overlaps(backupDir, source) || overlaps(backupDir, destination)))
    return usage(`--backup-dir ${backupDir} must be outside both folders being synced`)

  const stateFile =
    flags.state === undefined ? defaultStateFile(source, destination, io.env) : resolve(io.cwd, flags.state)
  const own = [...ownFilesOf(stateFile), ...ownFiles.map((f) => resolve(io.cwd, f))]
  const inside = (root: string): ReadonlyArray<RelPath> =>
    own.map((file) => within(root, file)).filter((p): p is RelPath => p !== undefined)
  return E.right({
    source,
    destination,
    policy: {
      ...defaultPolicy,
      mode,
      conflict,
      compare,
      mtimeToleranceMs: tolerance,
      ignore: [...(flags.ignore ?? [])],
      include: [...(flags.include ?? [])],
      force: { upload: flags.forceUpload === true, download: flags.forceDownload === true },
      maxDelete,
      allowMassDelete: flags.allowMassDelete === true,
      backupDir,
    },
    stateFile,
    customStateFile: flags.state !== undefined,
    exclude: { source: inside(source), destination: inside(destination) },
  })
}
