import type { ConflictStrategy, Mode } from '../core/policy.ts'

/**
 * The values `--mode`, `--conflict` and `--progress` accept, as plain lists: the command line offers and
 * checks them without loading the codecs (io-ts), so `syncengine --help` starts fast. `satisfies` keeps
 * each value a real one; a test keeps the lists equal to `MODES` and `CONFLICT_STRATEGIES`.
 */

export const MODE_CHOICES = [
  'two-way',
  'source-to-destination',
  'source-backup',
  'destination-to-source',
  'destination-backup',
] as const satisfies ReadonlyArray<Mode>

export const CONFLICT_CHOICES = [
  'newest',
  'source',
  'destination',
  'keep-both',
  'manual',
] as const satisfies ReadonlyArray<ConflictStrategy>

/** `--progress`: a live display on a terminal (auto), JSON lines on stdout for programs, or nothing. */
export const PROGRESS_MODES = ['auto', 'json', 'none'] as const
export type ProgressMode = (typeof PROGRESS_MODES)[number]
