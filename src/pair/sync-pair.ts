import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ApplyEvent, ApplyReport } from '../apply/apply.ts'
import type { Sides } from '../apply/sides.ts'
import type { Plan } from '../core/plan-file.ts'
import { defaultPolicy, type Policy } from '../core/policy.ts'
import { loadState } from '../state/state-file.ts'
import { type ApplyPairError, applyPair } from './apply-pair.ts'
import { type PlanPairError, planPair } from './plan-pair.ts'

export interface SyncPairInput {
  readonly sides: Sides
  readonly stateFile: string
  readonly policy?: Partial<Policy>
  readonly onEvent?: (event: ApplyEvent) => void
}

/** Plan and apply in one call, for programs that do not review: the plan is returned with the report. */
export const syncPair =
  (
    input: SyncPairInput,
  ): TE.TaskEither<PlanPairError | ApplyPairError, { readonly plan: Plan; readonly report: ApplyReport }> =>
  async () => {
    const roots = { source: input.sides.source.root, destination: input.sides.destination.root }
    const state = await loadState(input.stateFile, roots)()
    if (E.isLeft(state)) return state
    const planned = await planPair({
      sides: input.sides,
      state: state.right,
      policy: { ...defaultPolicy, ...input.policy },
    })()
    if (E.isLeft(planned)) return planned
    const applied = await applyPair({
      plan: planned.right,
      sides: input.sides,
      stateFile: input.stateFile,
      ...(input.onEvent === undefined ? {} : { onEvent: input.onEvent }),
    })()
    return E.isLeft(applied) ? applied : E.right({ plan: planned.right, report: applied.right })
  }
