import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Scenario, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, listingOfSide, numRuns, policyOf, show, showPlan } from './play.ts'

/**
 * A sync finishes its job: once a plan is applied (and nobody touched the files meanwhile), planning
 * again with the same policy finds nothing left to do. A plan that keeps finding work is a sync that
 * never converges, or an apply that did not do what its plan said.
 */

/** The scenario's sync, then a plan with the same policy, and what a person needs to read a failure. */
const syncThenPlan = async (scenario: Scenario, firstSync: boolean) => {
  const { pair, run } = await edited(scenario, { firstSync })
  const policy = policyOf(scenario)
  const { plan: applied, report } = await run.sync(policy)
  const again = await run.plan(policy)
  const context = [
    showPlan('applied', applied),
    `report: ${JSON.stringify(report.counts)}`,
    show('source after', await listingOfSide(pair.source)),
    show('destination after', await listingOfSide(pair.destination)),
    showPlan('planned again', again),
  ].join('\n')
  return { applied, again, context }
}

describe('after apply, plan is empty', () => {
  it('after a sync in any mode, with any strategy but manual, planning again finds no action and no conflict', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({ conflicts: ['newest', 'source', 'destination', 'keep-both'] }),
        fc.boolean(),
        async (scenario, firstSync) => {
          const { again, context } = await syncThenPlan(scenario, firstSync)
          expect(again.actions, context).toEqual([])
          expect(again.conflicts, context).toEqual([])
        },
      ),
      { numRuns },
    )
  })

  it('after a sync with manual conflicts, planning again finds no action, only the conflicts left for a person', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({ conflicts: ['manual'] }),
        fc.boolean(),
        async (scenario, firstSync) => {
          const { applied, again, context } = await syncThenPlan(scenario, firstSync)
          const left = applied.conflicts
            .filter((c) => c.outcome === 'left-alone')
            .map((c) => `${c.path}: left-alone`)
          expect(again.actions, context).toEqual([])
          expect(
            again.conflicts.map((c) => `${c.path}: ${c.outcome}`),
            context,
          ).toEqual(left)
        },
      ),
      { numRuns },
    )
  })
})
