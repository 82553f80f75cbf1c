import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Conflict, Plan } from '../../src/core/plan-file.ts'
import {
  type Clock,
  counterClock,
  plantUnsynced,
  type Unsynced,
  unsyncedArbitrary,
} from '../../src/testing/arbitraries.ts'
import { session } from '../support/session.ts'
import { memoryPair } from '../support/sides.ts'
import { files, isWithinOrAt, type Listing, listingOfSide, numRuns, show, showPlan } from './play.ts'

/**
 * With no state there is no "since last sync": nothing can count as deleted, so a first two-way sync
 * merges the sides. Where both hold a path and differ, the strategy decides; only a losing version under
 * `source`, `destination` or `newest` may be replaced, and under `keep-both` it is kept beside the winner.
 */

interface FirstSync {
  readonly plan: Plan
  readonly before: { readonly source: Listing; readonly destination: Listing }
  readonly after: { readonly source: Listing; readonly destination: Listing }
  readonly context: string
}

const firstSync = async (unsynced: Unsynced, clock: Clock = counterClock()): Promise<FirstSync> => {
  const pair = memoryPair()
  await plantUnsynced(pair, unsynced, clock)
  const before = {
    source: await listingOfSide(pair.source),
    destination: await listingOfSide(pair.destination),
  }
  const { plan } = await session(pair).sync({ mode: 'two-way', conflict: unsynced.conflict })
  const after = {
    source: await listingOfSide(pair.source),
    destination: await listingOfSide(pair.destination),
  }
  const context = [
    show('source before', before.source),
    show('destination before', before.destination),
    showPlan('applied', plan),
    show('source after', after.source),
    show('destination after', after.destination),
  ].join('\n')
  return { plan, before, after, context }
}

/** The conflict at the path or at the nearest folder above it. */
const conflictOver = (plan: Plan, path: string): Conflict | undefined =>
  plan.conflicts
    .filter((c) => isWithinOrAt(path, c.path))
    .sort((a, b) => b.path.length - a.path.length)
    .at(0)

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `dir/name.conflict-<side>-<stamp>[-n].ext` beside `path`, as `conflictName` makes them. */
const isConflictCopyOf = (copy: string, path: string): boolean => {
  const slash = path.lastIndexOf('/')
  const folder = path.slice(0, slash + 1)
  const base = path.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  const [stem, extension] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  const pattern = `^${escaped(folder)}${escaped(stem)}\\.conflict-(source|destination)(-\\d{8}-\\d{6})?(-\\d+)?${escaped(extension)}$`
  return new RegExp(pattern).test(copy)
}

describe('first sync deletes nothing', () => {
  it('a first two-way sync plans no delete, but of a losing version under source, destination or newest, or of a version first kept beside its path', async () => {
    await fc.assert(
      fc.asyncProperty(unsyncedArbitrary(), async (unsynced) => {
        const { plan, context } = await firstSync(unsynced)
        for (const action of plan.actions) {
          if (action.kind !== 'delete') continue
          const keptBeside = plan.actions.some(
            (a) =>
              a.kind === 'clone' && a.side === action.side && a.from === action.path && a.peer === undefined,
          )
          if (keptBeside) continue
          const conflict = plan.conflicts.find((c) => c.path === action.path)
          const loser = conflict?.outcome === 'source-wins' ? 'destination' : 'source'
          expect(
            ['source', 'destination', 'newest'].includes(unsynced.conflict) &&
              (conflict?.outcome === 'source-wins' || conflict?.outcome === 'destination-wins') &&
              action.side === loser,
            `delete on ${action.side} of ${action.path}\n${context}`,
          ).toBe(true)
        }
      }),
      { numRuns },
    )
  })

  it('after a first two-way sync every file either side had is on both sides, at its path or beside it as a conflict copy, unless it lost a conflict or was left for a person', async () => {
    await fc.assert(
      fc.asyncProperty(unsyncedArbitrary(), async (unsynced) => {
        const { plan, before, after, context } = await firstSync(unsynced)
        for (const side of ['source', 'destination'] as const) {
          for (const [path, content] of files(before[side])) {
            const conflict = conflictOver(plan, path)
            const where = `${side} ${path} ${content}\n${context}`
            if (conflict?.outcome === 'left-alone') {
              // Nothing at or below a conflict left for a person is touched.
              expect(after[side].get(path), where).toBe(content)
              continue
            }
            if (conflict?.path === path && conflict.outcome !== 'kept-both') {
              const winner = conflict.outcome === 'source-wins' ? 'source' : 'destination'
              expect(after.source.get(path), where).toBe(before[winner].get(path))
              expect(after.destination.get(path), where).toBe(before[winner].get(path))
              continue
            }
            const candidates = [path, ...[...after.source.keys()].filter((p) => isConflictCopyOf(p, path))]
            const kept = candidates.filter(
              (p) => after.source.get(p) === content && after.destination.get(p) === content,
            )
            expect(kept, where).not.toEqual([])
          }
        }
      }),
      { numRuns },
    )
  })
})
