import * as t from 'io-ts'
import { MAX_MTIME_TOLERANCE_MS } from './policy-defaults.ts'
import type { Side } from './side.ts'

// The defaults live beside, without io-ts: the command line shows them in --help without loading codecs.
export { defaultPolicy, MAX_MTIME_TOLERANCE_MS } from './policy-defaults.ts'

export const Mode = t.keyof({
  'two-way': null,
  'source-to-destination': null,
  'source-backup': null,
  'destination-to-source': null,
  'destination-backup': null,
})
export type Mode = t.TypeOf<typeof Mode>
export const MODES: ReadonlyArray<Mode> = Object.keys(Mode.keys) as Mode[]

export const ConflictStrategy = t.keyof({
  newest: null,
  source: null,
  destination: null,
  'keep-both': null,
  manual: null,
})
export type ConflictStrategy = t.TypeOf<typeof ConflictStrategy>
export const CONFLICT_STRATEGIES: ReadonlyArray<ConflictStrategy> = Object.keys(
  ConflictStrategy.keys,
) as ConflictStrategy[]

/** `size-mtime` trusts size and mtime (and hashes to settle a doubt); `checksum` compares contents. */
export const Compare = t.keyof({ 'size-mtime': null, checksum: null })
export type Compare = t.TypeOf<typeof Compare>

/** The most deletes a plan may make on one side before it is blocked: a number of files, or a percentage. */
export const DeleteLimit = t.type({ limit: t.number, unit: t.keyof({ files: null, percent: null }) })
export type DeleteLimit = t.TypeOf<typeof DeleteLimit>

/** Whole milliseconds from 0 to a day: a hand-edited 1e20 or -1 would make every file look unchanged. */
export const MtimeTolerance = t.refinement(
  t.number,
  (n) => Number.isInteger(n) && n >= 0 && n <= MAX_MTIME_TOLERANCE_MS,
  `whole milliseconds from 0 to ${MAX_MTIME_TOLERANCE_MS}`,
)

export const Policy = t.type({
  mode: Mode,
  conflict: ConflictStrategy,
  compare: Compare,
  /** Two mtimes on different sides closer than this are the same time. */
  mtimeToleranceMs: MtimeTolerance,
  /** gitignore patterns from the command line, on top of the `.syncignore` files of both sides. */
  ignore: t.readonlyArray(t.string),
  /** gitignore patterns that limit the run to the paths they match; empty means everything. */
  include: t.readonlyArray(t.string),
  /** Re-transfer files that are already the same, in the directions the mode allows. */
  force: t.type({ upload: t.boolean, download: t.boolean }),
  maxDelete: DeleteLimit,
  /** The reviewer accepts a plan over the delete limit. */
  allowMassDelete: t.boolean,
  /** Where apply keeps what a delete or an overwrite removes (`DIR/<side>/<path>.<time>`); null: nowhere. */
  backupDir: t.union([t.string, t.null]),
})
export type Policy = t.TypeOf<typeof Policy>

/**
 * The mode families of the mode table. `truth` is the side whose content wins; `target` the side that is
 * written; `keepsExtras` says the target keeps what the truth side lacks (the backups never delete).
 */
export type ModeShape =
  | { readonly kind: 'two-way' }
  | { readonly kind: 'one-way'; readonly truth: Side; readonly target: Side; readonly keepsExtras: boolean }

export const shapeOf = (mode: Mode): ModeShape => {
  switch (mode) {
    case 'two-way':
      return { kind: 'two-way' }
    case 'source-to-destination':
      return { kind: 'one-way', truth: 'source', target: 'destination', keepsExtras: false }
    case 'source-backup':
      return { kind: 'one-way', truth: 'source', target: 'destination', keepsExtras: true }
    case 'destination-to-source':
      return { kind: 'one-way', truth: 'destination', target: 'source', keepsExtras: false }
    case 'destination-backup':
      return { kind: 'one-way', truth: 'destination', target: 'source', keepsExtras: true }
  }
}

export const writes = (mode: Mode, side: Side): boolean => {
  const shape = shapeOf(mode)
  return shape.kind === 'two-way' || shape.target === side
}
