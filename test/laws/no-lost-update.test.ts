import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Conflict, Plan } from '../../src/core/plan-file.ts'
import type { ConflictStrategy, Mode } from '../../src/core/policy.ts'
import type { Side } from '../../src/core/side.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import {
  FOLDER,
  isWithinOrAt,
  leaves,
  numRuns,
  oneWaySides,
  pathOrCopies,
  type Synced,
  syncScenario,
  type View,
} from './play.ts'

/**
 * No lost update (Unison's N1, `no_loss`): if a side changed p since O, the last synced state, the sync
 * never overwrites or deletes that change, unless the policy names that side the loser; under keep-both
 * even the loser's version survives, as a conflict copy beside p.
 *
 * O is what both sides held right after the base sync (nothing at all for a first sync: then everything a
 * side holds counts as created). A is each side after the edits, A' after the sync. A change is a file or
 * symlink whose bytes or target differ from O (a touch that keeps the bytes changes nothing a person
 * could lose); a deletion is not content that could be lost (a deletion against a change loses to the
 * change, by design). Contents are compared as bytes: a version survives wherever its bytes are.
 */

const SIDES: ReadonlyArray<Side> = ['source', 'destination']
const other = (side: Side): Side => (side === 'source' ? 'destination' : 'source')

/** Each file or symlink a side changed since O: side, path, and what it holds. */
const changes = ({ o, before }: Synced): ReadonlyArray<readonly [Side, string, string]> =>
  SIDES.flatMap((side) =>
    leaves(before[side])
      .filter(([path, value]) => o[side].get(path) !== value)
      .map(([path, value]) => [side, path, value] as const),
  )

/** The conflict at the path or at the nearest folder above it. */
const conflictOver = (plan: Plan, path: string): Conflict | undefined =>
  plan.conflicts
    .filter((c) => isWithinOrAt(path, c.path))
    .sort((a, b) => b.path.length - a.path.length)
    .at(0)

/** Whether `view` holds `value` at `path` or at a conflict copy of it. */
const keeps = (view: View, path: string, value: string): boolean =>
  pathOrCopies(view, path).some((p) => view.get(p) === value)

const losesUnder = (side: Side, conflict: Conflict | undefined): boolean =>
  conflict !== undefined &&
  ((side === 'source' && conflict.outcome === 'destination-wins') ||
    (side === 'destination' && conflict.outcome === 'source-wins'))

const twoWay = (conflicts: ReadonlyArray<ConflictStrategy>) =>
  scenarioArbitrary({ modes: ['two-way'], conflicts })

describe('no lost update', () => {
  it('two-way, keep-both: every file or symlink a side changed since O is on both sides afterwards, at its path or as a conflict copy of it', async () => {
    await fc.assert(
      fc.asyncProperty(twoWay(['keep-both']), fc.boolean(), async (scenario, firstSync) => {
        const synced = await syncScenario(scenario, firstSync)
        for (const [side, path, value] of changes(synced)) {
          for (const on of SIDES)
            expect(
              keeps(synced.after[on], path, value),
              `${side} changed ${path} to ${value}; not on ${on} afterwards\n${synced.context}`,
            ).toBe(true)
        }
      }),
      { numRuns },
    )
  })

  it('two-way, source, destination or newest: a change survives on both sides, at its path or as a conflict copy, unless a conflict at that path names its side the loser', async () => {
    await fc.assert(
      fc.asyncProperty(
        twoWay(['source', 'destination', 'newest']),
        fc.boolean(),
        async (scenario, firstSync) => {
          const synced = await syncScenario(scenario, firstSync)
          for (const [side, path, value] of changes(synced)) {
            if (losesUnder(side, conflictOver(synced.plan, path))) continue
            for (const on of SIDES)
              expect(
                keeps(synced.after[on], path, value),
                `${side} changed ${path} to ${value}; not on ${on} afterwards\n${synced.context}`,
              ).toBe(true)
          }
        },
      ),
      { numRuns },
    )
  })

  it('two-way, manual: a change left in a conflict for a person stays as it is on its side; any other change is on both sides afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(twoWay(['manual']), fc.boolean(), async (scenario, firstSync) => {
        const synced = await syncScenario(scenario, firstSync)
        for (const [side, path, value] of changes(synced)) {
          const where = `${side} changed ${path} to ${value}\n${synced.context}`
          if (conflictOver(synced.plan, path)?.outcome === 'left-alone') {
            expect(synced.after[side].get(path), where).toBe(value)
            continue
          }
          for (const on of SIDES)
            expect(keeps(synced.after[on], path, value), `${where}\n(on ${on})`).toBe(true)
        }
      }),
      { numRuns },
    )
  })

  describe.each<Mode>(['source-backup', 'destination-backup'])('%s', (mode) => {
    const { truth, target } = oneWaySides(mode)
    it(`the ${truth} loses nothing, and the ${target} (the backup) keeps every file and symlink it held, at its path or as a conflict copy beside it, but where the ${truth} holds a file or symlink, which the mode names the winner`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary({ modes: [mode] }), fc.boolean(), async (scenario, firstSync) => {
          const synced = await syncScenario(scenario, firstSync)
          const { before, after, timed, context } = synced
          expect(timed.after[truth], context).toEqual(timed.before[truth])
          for (const [path, value] of leaves(before[target])) {
            const winner = before[truth].get(path)
            if (winner !== undefined && winner !== FOLDER) continue
            expect(keeps(after[target], path, value), `${target} ${path} ${value} lost\n${context}`).toBe(
              true,
            )
          }
        }),
        { numRuns },
      )
    })
  })

  describe.each<Mode>(['source-to-destination', 'destination-to-source'])('%s', (mode) => {
    const { truth, target } = oneWaySides(mode)
    it(`the ${truth} keeps every change it made; the mode names the ${target} the loser everywhere`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary({ modes: [mode] }), fc.boolean(), async (scenario, firstSync) => {
          const synced = await syncScenario(scenario, firstSync)
          for (const [side, path, value] of changes(synced)) {
            if (side !== truth) continue
            expect(synced.timed.after[truth].get(path), `${path}\n${synced.context}`).toBe(
              synced.timed.before[truth].get(path),
            )
            expect(synced.after[other(truth)].get(path), `${path}\n${synced.context}`).toBe(value)
          }
        }),
        { numRuns },
      )
    })
  })
})
