import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import {
  edited,
  isFolder,
  isWithinOrAt,
  type Listing,
  listingOfSide,
  numRuns,
  oneWaySides,
  policyOf,
  show,
  showPlan,
} from './play.ts'

/**
 * Mirrors (`source-to-destination`, `destination-to-source`) make the target equal to the truth side,
 * deletions included, and never write to the truth side. Ignored paths are outside the sync: the target's
 * ignored files are never deleted nor overwritten, and the folders that hold them stay.
 */

const mirrors = scenarioArbitrary({ modes: ['source-to-destination', 'destination-to-source'] })

/** `*.log` as gitignore reads it: any file or folder whose name ends in `.log`, and all inside it. */
const ignoredByLogRule = (path: string): boolean => path.split('/').some((name) => name.endsWith('.log'))

const only = (listing: Listing, keep: (path: string) => boolean): Listing =>
  new Map([...listing].filter(([path]) => keep(path)))

describe('mirror: target equals truth', () => {
  it('after a mirror sync, the target holds exactly what the truth side holds', async () => {
    await fc.assert(
      fc.asyncProperty(mirrors, fc.boolean(), async (scenario, firstSync) => {
        const { pair, run } = await edited(scenario, { firstSync })
        const { truth, target } = oneWaySides(scenario.mode)
        const applied = await run.sync(policyOf(scenario))

        const after = { truth: await listingOfSide(pair[truth]), target: await listingOfSide(pair[target]) }
        const context = [showPlan('applied', applied.plan), show(`${truth} after`, after.truth)].join('\n')
        expect(after.target, context).toEqual(after.truth)
      }),
      { numRuns },
    )
  })

  it('a mirror sync never writes to the truth side', async () => {
    await fc.assert(
      fc.asyncProperty(mirrors, fc.boolean(), fc.boolean(), async (scenario, firstSync, ignoreLogs) => {
        const ignore = ignoreLogs ? ['*.log'] : []
        const { pair, run } = await edited(scenario, { firstSync, ignore })
        const { truth } = oneWaySides(scenario.mode)
        const before = await listingOfSide(pair[truth])
        const applied = await run.sync(policyOf(scenario))

        expect(await listingOfSide(pair[truth]), showPlan('applied', applied.plan)).toEqual(before)
      }),
      { numRuns },
    )
  })

  it('with `*.log` ignored, the target equals the truth side outside the ignored paths, and its ignored files are exactly as before', async () => {
    await fc.assert(
      fc.asyncProperty(mirrors, fc.boolean(), async (scenario, firstSync) => {
        const ignore = ['*.log']
        const { pair, run } = await edited(scenario, { firstSync, ignore })
        const { truth, target } = oneWaySides(scenario.mode)
        const targetBefore = await listingOfSide(pair[target])
        const applied = await run.sync(policyOf(scenario, { ignore }))
        const after = { truth: await listingOfSide(pair[truth]), target: await listingOfSide(pair[target]) }
        const context = [
          show(`${target} before`, targetBefore),
          showPlan('applied', applied.plan),
          show(`${truth} after`, after.truth),
          show(`${target} after`, after.target),
        ].join('\n')

        // The target's ignored paths are never touched.
        const ignoredBefore = only(targetBefore, ignoredByLogRule)
        expect(only(after.target, ignoredByLogRule), context).toEqual(ignoredBefore)

        // A folder that holds ignored files stays; where the truth side has a file there, the plan says so.
        const holders = new Set(
          [...ignoredBefore.keys()].flatMap((path) =>
            path
              .split('/')
              .slice(0, -1)
              .map((_, i, names) => names.slice(0, i + 1).join('/')),
          ),
        )
        const leftAlone = applied.plan.conflicts.map((c) => c.path)
        for (const path of leftAlone) expect(holders.has(path), `conflict at ${path}\n${context}`).toBe(true)

        const compared = (listing: Listing): Listing =>
          only(
            listing,
            (path) =>
              !ignoredByLogRule(path) &&
              !leftAlone.some((conflict) => isWithinOrAt(path, conflict)) &&
              !(holders.has(path) && isFolder(after.target, path) && !after.truth.has(path)),
          )
        expect(compared(after.target), context).toEqual(compared(after.truth))
      }),
      { numRuns },
    )
  })
})
