import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import {
  CONFLICT_STRATEGIES,
  Compare,
  ConflictStrategy,
  type DeleteLimit,
  defaultPolicy,
  MAX_MTIME_TOLERANCE_MS,
  MODES,
  Mode,
  type Policy,
} from '../core/policy.ts'
import type { RelPath } from '../core/rel-path.ts'
import { probeRecordOf } from '../pair/probe-record.ts'
import { type Location, locate, overlap, pathInRoot, samePlace } from '../pair/real-location.ts'
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

export const OWN_FILE_NAMES = ['state file', 'journal', 'lock file', 'probe record'] as const
export type OwnFileName = (typeof OWN_FILE_NAMES)[number]

/** `--mtime-tolerance`: whole milliseconds, as digits (not `1e20`, not `0x10`), up to a day. */
export const parseMtimeTolerance = (text: string): number | undefined => {
  if (!/^\d+$/.test(text.trim())) return undefined
  const ms = Number(text.trim())
  return ms <= MAX_MTIME_TOLERANCE_MS ? ms : undefined
}

/** Where the files a run keeps for itself sit in each root, if they do: left out of both snapshots. */
export const ownPathsIn = (
  roots: { readonly source: Location; readonly destination: Location },
  files: ReadonlyArray<Location>,
): { readonly source: ReadonlyArray<RelPath>; readonly destination: ReadonlyArray<RelPath> } => {
  const inside = (root: Location): ReadonlyArray<RelPath> =>
    files.map((file) => pathInRoot(root, file)).filter((p): p is RelPath => p !== undefined)
  return { source: inside(roots.source), destination: inside(roots.destination) }
}

/** The two roots, unless they are one place or one is inside the other, however they are spelled. */
export const locateRoots = async (
  source: string,
  destination: string,
): Promise<E.Either<CliError, { readonly source: Location; readonly destination: Location }>> => {
  const roots = { source: await locate(source), destination: await locate(destination) }
  if (!overlap(roots.source, roots.destination)) return E.right(roots)
  const spelled = roots.source.real !== source || roots.destination.real !== destination
  return E.left({
    _tag: 'RootsOverlap',
    source,
    destination,
    ...(spelled ? { real: { source: roots.source.real, destination: roots.destination.real } } : {}),
  })
}

/** The plan file a run writes, and the folder of named pairs' plans: kept out of both snapshots. */
export interface PlanFiles {
  readonly out?: string
  readonly folder?: string
}

export const pairSetup = async (
  sourceArg: string,
  destinationArg: string,
  flags: PairFlags,
  io: Io,
  planFiles: PlanFiles = {},
): Promise<E.Either<CliError, PairSetup>> => {
  const source = resolve(io.cwd, sourceArg)
  const destination = resolve(io.cwd, destinationArg)
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
    flags.mtimeTolerance === undefined
      ? defaultPolicy.mtimeToleranceMs
      : parseMtimeTolerance(flags.mtimeTolerance)
  if (tolerance === undefined)
    return usage(
      `--mtime-tolerance takes whole milliseconds from 0 to ${MAX_MTIME_TOLERANCE_MS} (a day) (got "${flags.mtimeTolerance}")`,
    )

  const roots = await locateRoots(source, destination)
  if (E.isLeft(roots)) return roots
  const backupDir = flags.backupDir === undefined ? null : resolve(io.cwd, flags.backupDir)
  if (backupDir !== null) {
    const backups = await locate(backupDir)
    for (const side of ['source', 'destination'] as const)
      if (overlap(backups, roots.right[side]))
        return E.left({
          _tag: 'BackupDirOverlaps',
          side,
          root: side === 'source' ? source : destination,
          backupDir,
          real: backups.real,
        })
  }

  const stateFile =
    flags.state === undefined ? defaultStateFile(source, destination, io.env) : resolve(io.cwd, flags.state)
  const own = await Promise.all(ownFilesOf(stateFile).map(locate))
  const out = planFiles.out === undefined ? undefined : await locate(resolve(io.cwd, planFiles.out))
  if (out !== undefined)
    for (const [i, file] of own.entries())
      if (samePlace(out, file))
        return E.left({
          _tag: 'PlanOverwritesOwnFile',
          out: out.given,
          file: file.given,
          what: OWN_FILE_NAMES[i] ?? 'state file',
        })
  const folder = planFiles.folder === undefined ? undefined : await locate(resolve(io.cwd, planFiles.folder))
  const exclude = ownPathsIn(
    roots.right,
    [...own, out, folder].filter((l): l is Location => l !== undefined),
  )
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
    exclude,
  })
}
