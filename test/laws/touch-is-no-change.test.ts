import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyEdits, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, numRuns, policyOf, showPlan, showViews, viewsOf } from './play.ts'

/**
 * Touching is never an update (Unison's C7): a file written again with the bytes it had, so that only its
 * mtime moves, is no change to sync. After a sync, touching files on either side, conflict copies included,
 * leaves the next plan in the same mode with nothing to do; at most the state learns the new mtimes.
 */

const touches = fc.array(fc.nat({ max: 63 }), { maxLength: 3 })

describe('touch is no change', () => {
  it('in every mode, with any strategy but manual: after a sync, touching files on either side leaves the next plan without actions or conflicts', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({ conflicts: ['newest', 'source', 'destination', 'keep-both'] }),
        fc.boolean(),
        touches,
        touches,
        async (scenario, firstSync, onSource, onDestination) => {
          const { pair, run, clock } = await edited(scenario, { firstSync })
          const policy = policyOf(scenario)
          const synced = await run.sync(policy)
          const before = await viewsOf(pair)
          const touch = (pick: number) => ({ kind: 'touch' as const, pick })
          await applyEdits(pair.source, onSource.map(touch), clock)
          await applyEdits(pair.destination, onDestination.map(touch), clock)
          const again = await run.plan(policy)
          const context = [
            `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}`,
            showPlan('synced', synced.plan),
            showViews('after the sync', before),
            showViews('touched', await viewsOf(pair)),
            showPlan('planned after the touches', again),
          ].join('\n')
          expect(again.actions, context).toEqual([])
          expect(again.conflicts, context).toEqual([])
        },
      ),
      { numRuns },
    )
  })
})
