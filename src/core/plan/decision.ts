import { type DirEntry, dir, type Entry } from '../entry.ts'
import { type KindCases, matchKind } from '../match-kind.ts'
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

/** A version that loses the path is kept under a conflict name beside it. */
export type KeptVersion =
  /**
   * This side's entry is first moved beside the path under a conflict name; `shared` copies it to the
   * other side there too (two-way keeps both versions on both sides; a backup never writes its truth side).
   */
  | { readonly how: 'aside'; readonly side: Side; readonly shared: boolean }
  /**
   * This side's entry is copied to a conflict name beside the path on the other side, which keeps what it
   * has at the path: a backup that cannot put a file where it keeps a folder.
   */
  | { readonly how: 'beside'; readonly side: Side }

/** Both sides already hold the same: nothing to do, and the state records them as they are. */
export interface Alike {
  readonly kind: 'alike'
}

/**
 * Left for a person: nothing here or below is touched, and the state is kept as it was. The conflict
 * note is reported where the path itself is in conflict; a path frozen because a folder above it is
 * carries none.
 */
export interface Frozen {
  readonly kind: 'frozen'
  readonly conflict?: ConflictNote
}

/**
 * `--force-upload` / `--force-download`: `target` takes the other side's file even though both already
 * hold the same one. It only ever meets two files, so it never makes a folder, keeps a version beside
 * the path or reports a conflict.
 */
export interface Forced {
  readonly kind: 'forced'
  readonly target: Side
  /** Why, in the words a reviewer reads in the plan. */
  readonly reason: string
}

/** Each side keeps, takes or gets a folder. */
export interface Act {
  readonly kind: 'act'
  readonly source: Outcome
  readonly destination: Outcome
  /** Why, in the words a reviewer reads in the plan. */
  readonly reason: string
  /** A conflict settled by a rule (a winner, or both kept): reported, and acted on. */
  readonly conflict?: ConflictNote
  /** Always comes with a `kept-both` conflict note. */
  readonly kept?: KeptVersion
}

export type Decision = Alike | Frozen | Forced | Act

/** A row and what the planner decided for it, kept together from deciding to emitting. */
export interface Decided {
  readonly row: Row
  readonly decision: Decision
}

/** Exhaustive by construction: every kind of decision must have its case. */
export const matchDecision = <R>(decision: Decision, cases: KindCases<Decision, R>): R =>
  matchKind(decision, cases)

export const alike: Alike = { kind: 'alike' }

/** Below a frozen folder: left as it is, with no conflict of its own. */
export const leftAsIs: Frozen = { kind: 'frozen' }

/** `target` takes what the other side holds. */
export const take = (target: Side, reason: string, extra: Pick<Act, 'conflict' | 'kept'> = {}): Act => ({
  kind: 'act',
  source: target === 'source' ? 'take' : 'keep',
  destination: target === 'destination' ? 'take' : 'keep',
  reason,
  ...extra,
})

export const frozen = (conflict: ConflictNote): Frozen => ({ kind: 'frozen', conflict })

export const forced = (target: Side, reason: string): Forced => ({ kind: 'forced', target, reason })

export const outcomeOn = (decision: Decision, side: Side): Outcome => {
  switch (decision.kind) {
    case 'alike':
    case 'frozen':
      return 'keep'
    case 'forced':
      return decision.target === side ? 'take' : 'keep'
    case 'act':
      return side === 'source' ? decision.source : decision.destination
  }
}

/**
 * The decision with `side`'s outcome replaced (and its reason, when given). A frozen decision is not
 * shaped: nothing at a frozen path is touched.
 */
export const withOutcome = (
  decision: Exclude<Decision, Frozen>,
  side: Side,
  outcome: Outcome,
  reason?: string,
): Act => {
  const base: Act = (() => {
    switch (decision.kind) {
      case 'alike':
        return { kind: 'act', source: 'keep', destination: 'keep', reason: '' }
      case 'forced':
        return take(decision.target, decision.reason)
      case 'act':
        return decision
    }
  })()
  return { ...base, [side]: outcome, reason: reason ?? base.reason }
}

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
