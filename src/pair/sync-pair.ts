import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ApplyReport } from '../apply/apply.ts'
import type { Plan } from '../core/plan-file.ts'
import { defaultPolicy, type Policy } from '../core/policy.ts'
import { loadState } from '../state/state-file.ts'
import { type ApplyPairError, type ApplyPairInput, applyPair } from './apply-pair.ts'
import { type PlanPairError, planPair } from './plan-pair.ts'
import { probeRecordOf } from './probe-record.ts'
import { recoverBeforePlanning } from './recover.ts'

export interface SyncPairInput extends Omit<ApplyPairInput, 'plan'> {
  readonly policy?: Partial<Policy>
}

/**
 * Plan and apply in one call, for programs that do not review: what an interrupted apply finished goes
 * into the state first, so the plan starts from the truth. The plan is returned with the report.
 */
export const syncPair =
  (
    input: SyncPairInput,
  ): TE.TaskEither<PlanPairError | ApplyPairError, { readonly plan: Plan; readonly report: ApplyReport }> =>
  async () => {
    const { sides, stateFile } = input
    const roots = { source: sides.source.root, destination: sides.destination.root }
    const recovered = await recoverBeforePlanning(stateFile, roots, sides)
    if (E.isLeft(recovered)) return recovered
    const state = await loadState(stateFile, roots)()
    if (E.isLeft(state)) return state
    const planned = await planPair({
      sides,
      state: state.right,
      policy: { ...defaultPolicy, ...input.policy },
      probeRecord: probeRecordOf(stateFile),
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
    })()
    if (E.isLeft(planned)) return planned
    const { policy: _, ...applyInput } = input
    const applied = await applyPair({ ...applyInput, plan: planned.right })()
    return E.isLeft(applied) ? applied : E.right({ plan: planned.right, report: applied.right })
  }
