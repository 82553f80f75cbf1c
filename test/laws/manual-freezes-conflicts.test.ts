import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SyncedPair } from '../../src/core/sync-state.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import {
  based,
  bytesOf,
  editSides,
  isWithinOrAt,
  lastSynced,
  numRuns,
  policyOf,
  showPlan,
  showViews,
  type View,
  viewsOf,
} from './play.ts'

/**
 * Manual freezes conflicts (B&P's R4, Unison's D3 and `archive_unchanged_on_conflict`): with the strategy
 * `manual`, where both sides changed p since O (the last synced state) and now hold different things
 * (bytes, symlink targets or kinds: a touch is no change, and two files alike in bytes are alike),
 * nothing at p or below changes on either side, the plan leaves a conflict there for a person, and the
 * state entry for p (and below) is exactly what it was. A deletion against a change is no conflict: the
 * change wins and is copied back, so both sides must still hold p.
 */

describe('manual freezes conflicts', () => {
  it('two-way, manual: where both sides changed p and differ, nothing at or below p changes on either side, a conflict is left at or above p, and the state entry for p is what it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({ modes: ['two-way'], conflicts: ['manual'] }),
        fc.boolean(),
        async (scenario, firstSync) => {
          const played = await based(scenario, { firstSync })
          const o = await lastSynced(played)
          await editSides(played, scenario)
          const before = await viewsOf(played.pair)
          const stateBefore = new Map<string, SyncedPair>(played.run.state?.entries ?? [])
          const { plan } = await played.run.sync(policyOf(scenario))
          const after = await viewsOf(played.pair)
          const stateAfter = new Map<string, SyncedPair>(played.run.state?.entries ?? [])
          const context = [
            `first sync ${firstSync}`,
            showViews('at O', o),
            showViews('before', before),
            showPlan('applied', plan),
            showViews('after', after),
          ].join('\n')

          // Changed and different in bytes: a touch is no change, and files alike in bytes are alike.
          const [bo, bb] = [bytesOf(o), bytesOf(before)]
          const conflicted = [...bb.source.keys()].filter((path) => {
            const [s, d] = [bb.source.get(path), bb.destination.get(path)]
            return d !== undefined && s !== d && s !== bo.source.get(path) && d !== bo.destination.get(path)
          })
          for (const path of conflicted) {
            const where = `both changed ${path} and differ\n${context}`
            expect(
              plan.conflicts.some((c) => isWithinOrAt(path, c.path) && c.outcome === 'left-alone'),
              where,
            ).toBe(true)
            for (const side of ['source', 'destination'] as const) {
              const below = (view: View) => [...view].filter(([p]) => isWithinOrAt(p, path))
              expect(below(after[side]), `${side}: ${where}`).toEqual(below(before[side]))
            }
            const entries = (state: ReadonlyMap<string, SyncedPair>) =>
              [...state].filter(([p]) => isWithinOrAt(p, path))
            expect(entries(stateAfter), `state: ${where}`).toEqual(entries(stateBefore))
          }
        },
      ),
      { numRuns },
    )
  })
})
