import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type ApplyError, type ApplyEvent, type ApplyReport, applyPlan } from '../apply/apply.ts'
import type { Sides } from '../apply/sides.ts'
import type { Plan } from '../core/plan-file.ts'
import { freshState, loadState, type StateError, saveState } from '../state/state-file.ts'

export type ApplyPairError = ApplyError | StateError

export interface ApplyPairInput {
  readonly plan: Plan
  readonly sides: Sides
  readonly stateFile: string
  readonly onEvent?: (event: ApplyEvent) => void
}

/** Loads the pair's state, applies the plan against it, and saves what really happened. */
export const applyPair =
  (input: ApplyPairInput): TE.TaskEither<ApplyPairError, ApplyReport> =>
  async () => {
    const roots = { source: input.plan.source.root, destination: input.plan.destination.root }
    const current = await loadState(input.stateFile, roots)()
    if (E.isLeft(current)) return current
    const applied = await applyPlan(input.plan, input.sides, {
      current: current.right,
      fresh: () => freshState(roots.source, roots.destination),
      ...(input.onEvent === undefined ? {} : { onEvent: input.onEvent }),
    })()
    if (E.isLeft(applied)) return applied
    const saved = await saveState(input.stateFile, applied.right.state)()
    return E.isLeft(saved) ? saved : applied
  }
