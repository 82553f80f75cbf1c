import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Action } from '../../src/core/action.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { bytesOnly, edited, numRuns, policyOf, showPlan, showViews, viewsOf } from './play.ts'

/**
 * Identical is not a conflict (B&P's R1, Unison's P4): where A(p) = B(p), the same bytes for a file
 * (whatever the mtimes: the planner hashes files whose sizes match and mtimes do not), the same target for
 * a symlink, a folder on both sides, the plan has no transfer, no delete and no conflict at p, whatever
 * either side did since the last sync; at most one side takes the other's mtime (a metadata update), or
 * the state records it.
 */

/** Every path an action writes or removes: a move removes its old name; a copy kept beside reads only. */
const touched = (action: Action): ReadonlyArray<string> => {
  const { kind, path, from, to } = action as {
    kind: string
    path?: string
    from?: string
    to?: string
  }
  if (kind === 'move') return [from, to].filter((p) => p !== undefined)
  return [path ?? to].filter((p) => p !== undefined)
}

describe('identical is not a conflict', () => {
  it('in every mode, with every strategy, first sync or not: where both sides hold the same thing, the plan has no action and no conflict there', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(), fc.boolean(), async (scenario, firstSync) => {
        const { pair, run } = await edited(scenario, { firstSync })
        const timed = await viewsOf(pair)
        const before = { source: bytesOnly(timed.source), destination: bytesOnly(timed.destination) }
        const plan = await run.plan(policyOf(scenario))
        const context = [
          `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}`,
          showViews('now', timed),
          showPlan('planned', plan),
        ].join('\n')
        const identical = new Set(
          [...before.source]
            .filter(([path, value]) => before.destination.get(path) === value)
            .map(([p]) => p),
        )
        for (const action of plan.actions) {
          if (action.kind === 'meta') continue
          const at = touched(action).filter((path) => identical.has(path))
          expect(at, `${action.kind} at a path both sides hold alike\n${context}`).toEqual([])
        }
        for (const conflict of plan.conflicts)
          expect(identical.has(conflict.path), `conflict at ${conflict.path}\n${context}`).toBe(false)
      }),
      { numRuns },
    )
  })
})
