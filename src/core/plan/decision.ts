import { type DirEntry, dir, type Entry } from '../entry.ts'
import type { ConflictOutcome } from '../plan-file.ts'
import { otherSide, type Side } from '../side.ts'
import { entryOn, type Row } from './row.ts'

/**
 * What becomes of one side at one path: it stays as it is (`keep`), it takes what the other side holds
 * now (`take`: a copy, a folder, or a delete when the other side has nothing), or it gets a folder so
 * that what must stay inside it has a place (`make-dir`).
 */
export type Outcome = 'keep' | 'take' | 'make-dir'

export interface ConflictNote {
  readonly outcome: ConflictOutcome
  readonly reason: string
}

export interface Decision {
  readonly source: Outcome
  readonly destination: Outcome
  /** Why, in the words a reviewer reads in the plan. */
  readonly reason: string
  /**
   * This side's entry is first moved beside the path under a conflict name; `shared` copies it to the
   * other side there too (two-way keeps both versions on both sides; a backup never writes its truth side).
   */
  readonly aside?: { readonly side: Side; readonly shared: boolean }
  /**
   * This side's entry is copied to a conflict name beside the path on the other side, which keeps what it
   * has at the path: a backup that cannot put a file where it keeps a folder.
   */
  readonly beside?: Side
  readonly conflict?: ConflictNote
  /** A conflict left for a person: nothing here or below is touched, and the state is kept as it was. */
  readonly frozen?: boolean
  /** The take happens even though both sides already hold the same file. */
  readonly forced?: boolean
}

export const inSync: Decision = { source: 'keep', destination: 'keep', reason: '' }

/** `target` takes what the other side holds. */
export const take = (target: Side, reason: string, extra: Partial<Decision> = {}): Decision => ({
  source: target === 'source' ? 'take' : 'keep',
  destination: target === 'destination' ? 'take' : 'keep',
  reason,
  ...extra,
})

export const frozen = (conflict: ConflictNote): Decision => ({
  source: 'keep',
  destination: 'keep',
  reason: conflict.reason,
  conflict,
  frozen: true,
})

export const outcomeOn = (decision: Decision, side: Side): Outcome =>
  side === 'source' ? decision.source : decision.destination

export const withOutcome = (decision: Decision, side: Side, outcome: Outcome, reason?: string): Decision => ({
  ...decision,
  [side]: outcome,
  reason: reason ?? decision.reason,
})

/** What the side holds at this path once the plan is applied. */
export const finalOn = (row: Row, decision: Decision, side: Side): Entry | null => {
  switch (outcomeOn(decision, side)) {
    case 'keep':
      return entryOn(row, side)
    case 'take':
      return entryOn(row, otherSide(side))
    case 'make-dir':
      return dir satisfies DirEntry
  }
}
