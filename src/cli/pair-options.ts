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
import type { PairSpec } from '../pair/open-pair.ts'
import { parseSideUrl, showSideUrl } from '../storage/side-url.ts'
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

const usage = (message: string): E.Either<CliError, never> => E.left({ _tag: 'Usage', message })

/** `--max-delete 100` (files) or `--max-delete 30%`. */
export const parseDeleteLimit = (text: string): DeleteLimit | undefined => {
  const match = /^(\d+)(%?)$/.exec(text.trim())
  if (match === null) return undefined
  const limit = Number(match[1])
  return match[2] === '%' ? (limit <= 100 ? { limit, unit: 'percent' } : undefined) : { limit, unit: 'files' }
}

/** `--mtime-tolerance`: whole milliseconds, as digits (not `1e20`, not `0x10`), up to a day. */
export const parseMtimeTolerance = (text: string): number | undefined => {
  if (!/^\d+$/.test(text.trim())) return undefined
  const ms = Number(text.trim())
  return ms <= MAX_MTIME_TOLERANCE_MS ? ms : undefined
}

/**
 * The pair the command line (or a config pair, as flags) names: sides as given (paths made absolute,
 * URLs as they are), the policy from the flags over the defaults, and the state file if one was named.
 * Where things are is checked when the pair is opened (`openPair`), for the library and the CLI alike.
 */
export const pairSpecOf = (
  sourceArg: string,
  destinationArg: string,
  flags: PairFlags,
  io: Io,
): E.Either<CliError, PairSpec & { readonly source: string; readonly destination: string }> => {
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
  const side = (arg: string): E.Either<CliError, string> => E.map(showSideUrl)(parseSideUrl(arg, io.cwd))
  const source = side(sourceArg)
  if (E.isLeft(source)) return source
  const destination = side(destinationArg)
  if (E.isLeft(destination)) return destination
  const policy: Policy = {
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
    backupDir: flags.backupDir === undefined ? null : resolve(io.cwd, flags.backupDir),
  }
  return E.right({
    source: source.right,
    destination: destination.right,
    policy,
    ...(flags.state === undefined ? {} : { stateFile: resolve(io.cwd, flags.state) }),
  })
}
