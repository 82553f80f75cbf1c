import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Action, type CopyAction, targetOfAction } from '../core/action.ts'
import type { Comparison } from '../core/compare.ts'
import type { ActionOutcome } from '../core/outcome.ts'
import { type StateRef, succeeded } from '../core/outcome.ts'
import { derivedOf } from '../core/plan/derived.ts'
import type { Blocked, Plan } from '../core/plan-file.ts'
import { ancestorsOf, isWithin, type RelPath } from '../core/rel-path.ts'
import { type Finished, settle, settledOf } from '../core/settle.ts'
import { type Side, targetOf } from '../core/side.ts'
import type { SyncState } from '../core/sync-state.ts'
import { type Sides, storageOn } from '../storage/sides.ts'
import { nextTurn, type StorageError, storageError } from '../storage/storage.ts'
import type { Backup } from './backup.ts'
import type { PauseGate } from './pause.ts'
import { defaultRetry, type RetryPolicy, withRetries } from './retry.ts'
import { runAction } from './run-action.ts'

export type ApplyError =
  | {
      readonly _tag: 'PlanStale'
      readonly planned: StateRef | null
      readonly current: StateRef | null
    }
  | { readonly _tag: 'RootMismatch'; readonly side: Side; readonly planned: string; readonly given: string }
  | { readonly _tag: 'RootGone'; readonly side: Side; readonly root: string }
  | { readonly _tag: 'RootNotAFolder'; readonly side: Side; readonly root: string }
  | {
      readonly _tag: 'RootUnavailable'
      readonly side: Side
      readonly root: string
      readonly cause: StorageError
    }
  | ({ readonly _tag: 'PlanBlocked' } & Blocked)

export type ApplyEvent =
  | { readonly type: 'action-start'; readonly index: number; readonly action: Action }
  | {
      readonly type: 'action'
      readonly index: number
      readonly action: Action
      readonly outcome: ActionOutcome
    }

/** Where an apply records its progress, so an interrupted one can be resumed or folded into the state. */
export interface Journal {
  readonly begin: (index: number, action: Action) => Promise<void>
  readonly done: (index: number, finished: Finished) => Promise<void>
}

export interface ApplyOptions {
  /** The state the pair has now: null when it has none. */
  readonly current: SyncState | null
  /** A new, empty state for a pair's first apply. */
  readonly fresh: () => SyncState
  readonly onEvent?: (event: ApplyEvent) => void
  /** Stops starting new actions once aborted; what finished is still recorded in the new state. */
  readonly signal?: AbortSignal
  readonly journal?: Journal
  /**
   * Outcomes of this same plan's earlier, interrupted apply (by action index); those actions are not run
   * again. When given, the plan may be applied to the state that interruption left.
   */
  readonly resumed?: ReadonlyMap<number, ActionOutcome>
  /** States earlier applies of this same plan saved, which it may continue from. */
  readonly checkpoints?: ReadonlyArray<StateRef>
  readonly retry?: RetryPolicy
  readonly sleep?: (ms: number) => Promise<void>
  /** Where deletes and overwrites keep what they remove (the plan's `backupDir`, opened). */
  readonly backup?: Backup
  /** How many copies run at once. */
  readonly transfers?: number
  /**
   * The tag of this apply's temporary names; whoever keeps the journal records it before the apply starts,
   * so cleanup after a crash removes those names and no others. A fresh one when not given.
   */
  readonly token?: string
  /** Wraps each transfer's bytes (to count them as they go). */
  readonly meter?: (action: CopyAction, data: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>
  /** While paused, no new action starts. */
  readonly pause?: PauseGate
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
  report.counts.drifted === 0 &&
  report.counts.failed === 0 &&
  report.conflictsLeft === 0 &&
  report.notStarted === 0

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

const sameState = (a: StateRef | null | undefined, b: StateRef | null): boolean =>
  a == null || b === null ? a == null && b === null : a.lineage === b.lineage && a.serial === b.serial

/** Actions started between two turns of the event loop. */
const YIELD_EVERY = 32

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Executes a reviewed plan and nothing else. The whole plan is refused when it no longer fits (another
 * apply ran since, a root is gone, or it deletes more than its limit); after that each action is checked
 * on its own and skipped if its path drifted, and the new state records only what really happened.
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
    if (!sameState(plan.state, current) && !(options.checkpoints ?? []).some((c) => sameState(c, current)))
      return E.left({ _tag: 'PlanStale', planned: plan.state, current })
    // Derived again: a plan edited to say it is not blocked is still blocked.
    const { blocked } = derivedOf(plan)
    if (blocked !== null) return E.left({ _tag: 'PlanBlocked', ...blocked })

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
    const context = {
      sides,
      how,
      token: options.token ?? randomBytes(8).toString('hex'),
      ...(options.backup === undefined ? {} : { backup: options.backup }),
      ...(options.meter === undefined ? {} : { meter: options.meter }),
    }
    const retry = options.retry ?? defaultRetry
    const sleep = options.sleep ?? wait
    const finished: Array<Finished | undefined> = new Array(plan.actions.length)
    const trouble = new Trouble()

    const run = async (index: number, action: Action): Promise<void> => {
      const earlier = options.resumed?.get(index)
      let outcome: ActionOutcome
      if (earlier !== undefined && succeeded(earlier)) outcome = earlier
      else {
        const blocker = trouble.blocks(action)
        if (blocker !== undefined) outcome = blocker
        else {
          options.onEvent?.({ type: 'action-start', index, action })
          await options.journal?.begin(index, action)
          outcome = await withRetries(() => runAction(action, context), retry, sleep)
        }
      }
      const done = { action, outcome }
      finished[index] = done
      trouble.note(done)
      if (outcome !== earlier) await options.journal?.done(index, done)
      options.onEvent?.({ type: 'action', index, action, outcome })
    }

    // Copies are independent of each other (their folders exist by then), so they run side by side;
    // everything else runs in plan order, which is what makes it possible.
    const inFlight = new Set<Promise<void>>()
    const limit = Math.max(1, options.transfers ?? 1)
    for (const [index, action] of plan.actions.entries()) {
      // Ctrl-C, a pause and the progress display are heard between actions that never wait.
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn()
      await options.pause?.wait(options.signal)
      if (options.signal?.aborted === true) break
      if (action.kind !== 'copy') await Promise.all(inFlight)
      const task = run(index, action).finally(() => inFlight.delete(task))
      inFlight.add(task)
      if (action.kind !== 'copy' || inFlight.size >= limit) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)

    const done = finished.filter((f): f is Finished => f !== undefined)
    const counts = { applied: 0, alreadyDone: 0, drifted: 0, failed: 0 }
    for (const { outcome } of done) {
      if (outcome.status === 'applied') counts.applied++
      else if (outcome.status === 'already-done') counts.alreadyDone++
      else if (outcome.status === 'drifted') counts.drifted++
      else counts.failed++
    }
    const base = options.current ?? options.fresh()
    return E.right({
      state: settle(base, plan, done.map(settledOf)),
      finished: done,
      counts,
      conflictsLeft: plan.conflicts.filter((c) => c.outcome === 'left-alone').length,
      notStarted: plan.actions.length - done.length,
    })
  }

/**
 * What an action that did not succeed means for the ones after it: nothing goes into a folder that could
 * not be made (or freed), and a folder is not removed while something inside it could not be.
 */
class Trouble {
  private readonly paths = { source: new Set<RelPath>(), destination: new Set<RelPath>() }

  note({ action, outcome }: Finished): void {
    if (succeeded(outcome)) return
    const { side, path } = targetOfAction(action)
    this.paths[side].add(path)
    // A move that did not happen leaves its entry where it was; a version that could not be copied
    // beside its path must not then be replaced or deleted there.
    if (action.kind === 'move' || action.kind === 'clone') this.paths[side].add(action.from)
  }

  blocks(action: Action): ActionOutcome | undefined {
    const { side, path } = targetOfAction(action)
    const troubled = this.paths[side]
    if (troubled.size === 0) return undefined
    if (troubled.has(path)) return skipped(action, path, 'an earlier action at this path did not succeed')
    for (const folder of ancestorsOf(path))
      if (troubled.has(folder)) return skipped(action, path, `its folder ${folder} could not be made ready`)
    if (action.kind === 'delete')
      for (const p of troubled)
        if (isWithin(p, path)) return skipped(action, path, `${p} inside it could not be removed`)
    return undefined
  }
}

const skipped = (action: Action, path: RelPath, why: string): ActionOutcome => ({
  status: 'failed',
  error: storageError(action.kind, path, 'EDEPENDENCY', `skipped ${path}: ${why}`),
})

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
  if (plan[side].existed) return E.left({ _tag: 'RootGone', side, root: storage.root })
  if (!plan.actions.some((a) => writesTo(a, side))) return E.right(undefined)
  const created = await storage.createRoot()()
  return E.isLeft(created)
    ? E.left({ _tag: 'RootUnavailable', side, root: storage.root, cause: created.left })
    : E.right(undefined)
}

const writesTo = (action: Action, side: Side): boolean =>
  action.kind === 'copy' ? targetOf(action.direction) === side : action.side === side
