import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Side } from '../../src/core/side.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { isConflictCopy, leaves, numRuns, originalOf, syncScenario, type Views } from './play.ts'

/**
 * Only propagation (Unison's N2, `propagate_changes`, D5): the sync writes nothing of its own. Every file
 * or symlink a side holds after the apply (A', B') was there before with those bytes, or holds what the
 * other side held at that path before the apply, or is a conflict copy of what either side held at the
 * original path. Contents are bytes: a rename the planner recognises by content moves the side's own copy
 * (its mtime too) rather than sending the other side's again. "Changed since O" counts a touch (same
 * bytes, new mtime) as a change, as the planner's update detector does: Unison's spec allows an update
 * detector to be conservative. In two-way, what is written at a path is moreover a change the other side
 * made since O, the last synced state: a sync never pushes a version nobody changed.
 */

const SIDES: ReadonlyArray<Side> = ['source', 'destination']
const other = (side: Side): Side => (side === 'source' ? 'destination' : 'source')

/** What a side's file or symlink at `path` may hold after the apply: where each allowed value comes from. */
const origins = (before: Views, side: Side, path: string): ReadonlyArray<string | undefined> => {
  const here = [before[side].get(path), before[other(side)].get(path)]
  if (!isConflictCopy(path)) return here
  const original = originalOf(path)
  return [...here, before[side].get(original), before[other(side)].get(original)]
}

describe('only propagation', () => {
  it('in every mode and with every strategy, each file or symlink on each side afterwards was there before with that content, or is what the other side held there before, or is a conflict copy of either side at the original path', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(), fc.boolean(), async (scenario, firstSync) => {
        const { before, after, context } = await syncScenario(scenario, firstSync)
        for (const side of SIDES) {
          for (const [path, value] of leaves(after[side])) {
            expect(origins(before, side, path), `${side} ${path} holds ${value}\n${context}`).toContain(value)
          }
        }
      }),
      { numRuns },
    )
  })

  it('two-way: a file or symlink written at a path is the version the other side holds there, and the other side changed it since O', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary({ modes: ['two-way'] }),
        fc.boolean(),
        async (scenario, firstSync) => {
          const { before, after, timed, context } = await syncScenario(scenario, firstSync)
          for (const side of SIDES) {
            const from = other(side)
            for (const [path, value] of leaves(after[side])) {
              if (before[side].get(path) === value || isConflictCopy(path)) continue
              const where = `${side} ${path} now holds ${value}\n${context}`
              expect(before[from].get(path), where).toBe(value)
              expect(timed.o[from].get(path), `${where}\n(${from} did not change it since O)`).not.toBe(
                timed.before[from].get(path),
              )
            }
          }
        },
      ),
      { numRuns },
    )
  })
})
