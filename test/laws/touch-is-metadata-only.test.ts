import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyEdits, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, numRuns, policyOf, showPlan, showViews, viewsOf } from './play.ts'

/**
 * Touching is never a transfer and never a conflict (Unison's C7, with `-times`): a file written again
 * with the bytes it had, so that only its mtime moves, is a change of metadata. After a sync, touching
 * files on either side, conflict copies included, gives a next plan in the same mode that only sets
 * mtimes, and once that is applied the two sides agree, mtimes and all, and a new plan is empty.
 */

const touches = fc.array(fc.nat({ max: 63 }), { maxLength: 3 })

describe('touch is a metadata update', () => {
  it('in every mode, with any strategy but manual: after a sync, touches plan only metadata updates, which leave nothing to do', async () => {
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
          const { plan: again } = await run.sync(policy)
          const last = await run.plan(policy)
          const context = [
            `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}`,
            showPlan('synced', synced.plan),
            showViews('after the sync', before),
            showViews('touched', await viewsOf(pair)),
            showPlan('planned after the touches', again),
            showPlan('planned after that', last),
          ].join('\n')
          expect(
            again.actions.filter((a) => a.kind !== 'meta'),
            context,
          ).toEqual([])
          expect(again.conflicts, context).toEqual([])
          expect(again.summary.bytes, context).toEqual({ upload: 0, download: 0 })
          expect(last.actions, context).toEqual([])
          expect(last.conflicts, context).toEqual([])
        },
      ),
      { numRuns },
    )
  })
})
