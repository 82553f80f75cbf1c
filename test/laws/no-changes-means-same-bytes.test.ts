import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyEdits, editsArbitrary, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, numRuns, policyOf, showPlan, showViews, viewsOf } from './play.ts'

/**
 * "In sync" is a promise about bytes. In the modes that make both sides equal (two-way with any strategy
 * but manual, and both mirrors), after any history of edits on both sides and syncs, a plan that finds
 * nothing to do is only ever made over two sides that hold the same bytes under the same names, with the
 * same mtimes. The edits include two edits of one size and one mtime, touches, and names that are not
 * UTF-8; nothing else is assumed about them.
 */

describe('no changes means the same bytes', () => {
  it('in two-way and the mirrors: an empty plan after syncs and edits is made only over equal sides', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({
          modes: ['two-way', 'source-to-destination', 'destination-to-source'],
          conflicts: ['newest', 'source', 'destination', 'keep-both'],
        }),
        fc.boolean(),
        editsArbitrary(),
        editsArbitrary(),
        async (scenario, firstSync, moreOnSource, moreOnDestination) => {
          const { pair, run, clock } = await edited(scenario, { firstSync })
          const policy = policyOf(scenario)
          const first = await run.sync(policy)
          await applyEdits(pair.source, moreOnSource, clock)
          await applyEdits(pair.destination, moreOnDestination, clock)
          const second = await run.sync(policy)
          const again = await run.plan(policy)
          if (again.actions.length > 0 || again.conflicts.length > 0) return
          const views = await viewsOf(pair)
          const context = [
            `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}`,
            showPlan('first sync', first.plan),
            showPlan('second sync', second.plan),
            showViews('after', views),
          ].join('\n')
          expect(views.destination, context).toEqual(views.source)
        },
      ),
      { numRuns },
    )
  })
})
