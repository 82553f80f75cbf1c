import * as E from 'fp-ts/lib/Either.js'
import { defaultPolicy, type Policy } from '../core/policy.ts'
import type { PairSpec } from '../pair/open-pair.ts'
import {
  type FlagsOf,
  readSettings,
  STORAGE_GROUPS,
  type StorageGroup,
  storageOptionsOf,
} from '../pair/settings.ts'
import { parseSideUrl, showSideUrl } from '../storage/side-url.ts'
import type { Io } from './io.ts'
import type { CliError } from './messages.ts'

/**
 * The options `plan` and `sync` share, as commander hands them over: absent when not given, so that a
 * pair's settings in the config file apply unless the command line says otherwise. Made from the
 * settings table, like the options themselves.
 */
export type PairFlags = FlagsOf<'pair' | StorageGroup>

export { parseDeleteLimit, parseMtimeTolerance } from '../pair/settings.ts'

const usage = (message: string): E.Either<CliError, never> => E.left({ _tag: 'Usage', message })

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
  const settings = readSettings(flags, ['pair', ...STORAGE_GROUPS], io.cwd)
  if (!settings.ok) return usage(settings.problem)
  const v = settings.value
  const side = (arg: string): E.Either<CliError, string> => E.map(showSideUrl)(parseSideUrl(arg, io.cwd))
  const source = side(sourceArg)
  if (E.isLeft(source)) return source
  const destination = side(destinationArg)
  if (E.isLeft(destination)) return destination
  const policy: Policy = {
    ...defaultPolicy,
    mode: v.mode,
    conflict: v.conflict,
    compare: v.compare,
    mtimeToleranceMs: v.mtimeTolerance,
    ignore: v.ignore,
    include: v.include,
    force: { upload: v.forceUpload, download: v.forceDownload },
    maxDelete: v.maxDelete,
    allowMassDelete: v.allowMassDelete,
    backupDir: v.backupDir,
  }
  const storage = storageOptionsOf(v)
  return E.right({
    source: source.right,
    destination: destination.right,
    policy,
    ...(v.state === undefined ? {} : { stateFile: v.state }),
    ...(Object.keys(storage).length === 0 ? {} : { storage }),
  })
}
