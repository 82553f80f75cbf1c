import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Plan } from '../core/plan-file.ts'
import type { ProgressListener } from '../core/progress-event.ts'
import type { JournalError } from '../state/journal-file.ts'
import { loadState, type StateError } from '../state/state-file.ts'
import { type ApplyPairError, type ApplyPairInput, applyPair, type PairReport } from './apply-pair.ts'
import { isLocalRoot, type OpenedPair } from './open-pair.ts'
import { touchesOwnFiles } from './own-files.ts'
import type { PairError } from './pair-errors.ts'
import { type PlanPairError, planPair } from './plan-pair.ts'
import { probeRecordOf } from './probe-record.ts'
import { recoverBeforePlanning } from './recover.ts'

export interface PlanOptions {
  /** Scan progress, a `scan-start` and a `scan-complete` per folder. */
  readonly onProgress?: ProgressListener
  /** Told when an interrupted apply was found and what it finished folded into the state first. */
  readonly onRecovered?: () => void
}

export type PlanOpenedError = PlanPairError | StateError | JournalError

/**
 * Plans an opened pair: what an interrupted apply finished goes into the state first, so the plan starts
 * from the truth; the pair's own files are left out of both snapshots. A plan of a pair whose state file
 * was named carries that name, so that `apply` writes the same state.
 */
export const planOpened =
  (pair: OpenedPair, options: PlanOptions = {}): TE.TaskEither<PlanOpenedError, Plan> =>
  async () => {
    const { sides, stateFile } = pair
    const roots = { source: sides.source.root, destination: sides.destination.root }
    const recovered = await recoverBeforePlanning(stateFile, roots, sides)
    if (E.isLeft(recovered)) return recovered
    if (recovered.right) options.onRecovered?.()
    const state = await loadState(stateFile, roots)()
    if (E.isLeft(state)) return state
    const planned = await planPair({
      sides,
      state: state.right,
      policy: pair.policy,
      exclude: pair.exclude,
      probeRecord: probeRecordOf(stateFile),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    })()
    if (E.isLeft(planned)) return planned
    return E.right(pair.namedStateFile ? { ...planned.right, stateFile } : planned.right)
  }

export type ApplyOptions = Omit<ApplyPairInput, 'plan' | 'sides' | 'stateFile'>

/**
 * Applies a plan to an opened pair: a plan that reaches for the pair's own files (a state file inside a
 * root), however it was written, is refused whole; then the pair's lock, journal and state do the rest
 * (see `applyPair`).
 */
export const applyOpened =
  (
    pair: OpenedPair,
    plan: Plan,
    options: ApplyOptions = {},
  ): TE.TaskEither<ApplyPairError | PairError, PairReport> =>
  async () => {
    const own = await touchesOwnFiles(plan, pair.stateFile, isLocalRoot)
    if (own !== undefined) return E.left(own)
    return applyPair({ ...options, plan, sides: pair.sides, stateFile: pair.stateFile })()
  }

export type SyncOpenedError = PlanOpenedError | ApplyPairError | PairError

/** Plan and apply in one call, for programs that do not review. The plan is returned with the report. */
export const syncOpened =
  (
    pair: OpenedPair,
    options: ApplyOptions & PlanOptions = {},
  ): TE.TaskEither<SyncOpenedError, { readonly plan: Plan; readonly report: PairReport }> =>
  async () => {
    const planned = await planOpened(pair, options)()
    if (E.isLeft(planned)) return planned
    const { onRecovered: _, ...applyOptions } = options
    const applied = await applyOpened(pair, planned.right, applyOptions)()
    return E.isLeft(applied) ? applied : E.right({ plan: planned.right, report: applied.right })
  }
