import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Action } from '../core/action.ts'
import type { Comparison } from '../core/compare.ts'
import type { Plan } from '../core/plan-file.ts'
import { type Side, targetOf } from '../core/side.ts'
import type { SyncState } from '../core/sync-state.ts'
import type { StorageError } from '../storage/storage.ts'
import { type ActionOutcome, runAction } from './run-action.ts'
import { type Finished, settle } from './settle.ts'
import { type Sides, storageOn } from './sides.ts'

export type ApplyError =
  | {
      readonly _tag: 'PlanStale'
      readonly planned: { readonly lineage: string; readonly serial: number } | null
      readonly current: { readonly lineage: string; readonly serial: number } | null
    }
  | { readonly _tag: 'RootMismatch'; readonly side: Side; readonly planned: string; readonly given: string }
  | { readonly _tag: 'RootMissing'; readonly side: Side; readonly root: string }
  | { readonly _tag: 'RootNotAFolder'; readonly side: Side; readonly root: string }
  | {
      readonly _tag: 'RootUnavailable'
      readonly side: Side
      readonly root: string
      readonly cause: StorageError
    }

export type ApplyEvent = { readonly type: 'action'; readonly action: Action; readonly outcome: ActionOutcome }

export interface ApplyOptions {
  /** The state the pair has now: null when it has none. */
  readonly current: SyncState | null
  /** A new, empty state for a pair's first apply. */
  readonly fresh: () => SyncState
  readonly onEvent?: (event: ApplyEvent) => void
  /** Stops starting new actions once aborted; what finished is still recorded in the new state. */
  readonly signal?: AbortSignal
}

export interface ApplyReport {
  readonly state: SyncState
  readonly finished: ReadonlyArray<Finished>
  readonly counts: {
    readonly applied: number
    readonly alreadyDone: number
    readonly drifted: number
    readonly failed: number
  }
  /** Conflicts the plan left for a person. */
  readonly conflictsLeft: number
  /** Actions not started because the apply was stopped. */
  readonly notStarted: number
}

/** The apply finished everything it was asked and nothing waits on a person. */
export const isComplete = (report: ApplyReport): boolean =>
  report.counts.drifted === 0 && report.counts.failed === 0 && report.conflictsLeft === 0 && report.notStarted === 0

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/**
 * Executes a reviewed plan and nothing else. The whole plan is refused when it no longer fits (another
 * apply ran since, or a root is gone); after that each action is checked on its own and skipped if its
 * path drifted, and the new state records only what really happened.
 */
export const applyPlan =
  (plan: Plan, sides: Sides, options: ApplyOptions): TE.TaskEither<ApplyError, ApplyReport> =>
  async () => {
    for (const side of SIDES) {
      const given = storageOn(sides, side).root
      if (plan[side].root !== given)
        return E.left({ _tag: 'RootMismatch', side, planned: plan[side].root, given })
    }
    const current =
      options.current === null ? null : { lineage: options.current.lineage, serial: options.current.serial }
    if (
      (plan.state === null) !== (current === null) ||
      (plan.state !== null &&
        current !== null &&
        (plan.state.lineage !== current.lineage || plan.state.serial !== current.serial))
    )
      return E.left({ _tag: 'PlanStale', planned: plan.state, current })

    for (const side of SIDES) {
      const ready = await prepareRoot(plan, sides, side)
      if (E.isLeft(ready)) return ready
    }

    const how: Comparison = {
      mtimeToleranceMs: Math.max(
        plan.policy.mtimeToleranceMs,
        sides.source.capabilities.mtimePrecisionMs,
        sides.destination.capabilities.mtimePrecisionMs,
      ),
      execBit: sides.source.capabilities.execBit && sides.destination.capabilities.execBit,
    }
    const finished: Finished[] = []
    const counts = { applied: 0, alreadyDone: 0, drifted: 0, failed: 0 }
    for (const action of plan.actions) {
      if (options.signal?.aborted === true) break
      const outcome = await runAction(action, { sides, how })
      finished.push({ action, outcome })
      switch (outcome.status) {
        case 'applied':
          counts.applied++
          break
        case 'already-done':
          counts.alreadyDone++
          break
        case 'drifted':
          counts.drifted++
          break
        case 'failed':
          counts.failed++
          break
      }
      options.onEvent?.({ type: 'action', action, outcome })
    }
    const base = options.current ?? options.fresh()
    return E.right({
      state: settle(base, plan, finished),
      finished,
      counts,
      conflictsLeft: plan.conflicts.filter((c) => c.outcome === 'left-alone').length,
      notStarted: plan.actions.length - finished.length,
    })
  }

/** A root the plan saw must still be there; one it did not see is created when the plan writes to it. */
const prepareRoot = async (plan: Plan, sides: Sides, side: Side): Promise<E.Either<ApplyError, void>> => {
  const storage = storageOn(sides, side)
  const now = await storage.stat('')()
  if (E.isLeft(now)) return E.left({ _tag: 'RootUnavailable', side, root: storage.root, cause: now.left })
  if (now.right !== null) {
    return now.right.kind === 'dir'
      ? E.right(undefined)
      : E.left({ _tag: 'RootNotAFolder', side, root: storage.root })
  }
  if (plan[side].existed) return E.left({ _tag: 'RootMissing', side, root: storage.root })
  if (!plan.actions.some((a) => writesTo(a, side))) return E.right(undefined)
  const created = await storage.createRoot()()
  return E.isLeft(created)
    ? E.left({ _tag: 'RootUnavailable', side, root: storage.root, cause: created.left })
    : E.right(undefined)
}

const writesTo = (action: Action, side: Side): boolean =>
  action.kind === 'copy' ? targetOf(action.direction) === side : action.side === side
