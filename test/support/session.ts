import * as E from 'fp-ts/lib/Either.js'
import { type ApplyReport, applyPlan } from '../../src/apply/apply.ts'
import type { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy, type Policy } from '../../src/core/policy.ts'
import { newState, type SyncState } from '../../src/core/sync-state.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import type { TestPair } from './sides.ts'

/** A pair with its state kept in memory: plan, apply and plan again as a user would, minus the files. */
export interface Session {
  readonly pair: TestPair
  state: SyncState | null
  readonly plan: (policy?: Partial<Policy>) => Promise<Plan>
  readonly apply: (plan: Plan) => Promise<ApplyReport>
  readonly sync: (policy?: Partial<Policy>) => Promise<{ readonly plan: Plan; readonly report: ApplyReport }>
}

export const session = (pair: TestPair, base: Partial<Policy> = {}): Session => {
  let lineage = 0
  const self: Session = {
    pair,
    state: null,
    plan: async (policy = {}) => {
      const planned = await planPair({
        sides: { source: pair.source.storage, destination: pair.destination.storage },
        state: self.state,
        policy: { ...defaultPolicy, ...base, ...policy },
      })()
      if (E.isLeft(planned)) throw new Error(`plan failed: ${JSON.stringify(planned.left)}`)
      return planned.right
    },
    apply: async (plan) => {
      const applied = await applyPlan(
        plan,
        { source: pair.source.storage, destination: pair.destination.storage },
        {
          current: self.state,
          fresh: () =>
            newState(`lineage-${++lineage}`, pair.source.storage.root, pair.destination.storage.root),
        },
      )()
      if (E.isLeft(applied)) throw new Error(`apply failed: ${JSON.stringify(applied.left)}`)
      self.state = applied.right.state
      return applied.right
    },
    sync: async (policy = {}) => {
      const plan = await self.plan(policy)
      return { plan, report: await self.apply(plan) }
    },
  }
  return self
}
