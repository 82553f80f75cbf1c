import type { Policy } from './policy.ts'

/** A day: mtimes further apart than that are never the same time, whatever the storage. */
export const MAX_MTIME_TOLERANCE_MS = 86_400_000

/**
 * The policy of a pair that sets nothing: the one source of every policy default (the library, the
 * command line, its help, the config file and the README's option table all read it from here). Kept
 * apart from the codecs in policy.ts so that `syncengine --help` shows defaults without loading io-ts.
 */
export const defaultPolicy: Policy = {
  mode: 'two-way',
  conflict: 'keep-both',
  compare: 'size-mtime',
  mtimeToleranceMs: 1,
  ignore: [],
  include: [],
  force: { upload: false, download: false },
  maxDelete: { limit: 50, unit: 'percent' },
  allowMassDelete: false,
  backupDir: null,
}
