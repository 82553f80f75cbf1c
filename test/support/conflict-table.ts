import { afterEach, describe, expect, it } from 'vitest'
import type { ConflictStrategy } from '../../src/core/policy.ts'
import { session } from './session.ts'
import { filesWithoutStamps, type TestPair } from './sides.ts'

type Tree = Record<string, string>

/** A synced pair holding `f.txt` = v0, ready for edits on either side. */
export const synced = async (pair: TestPair, conflict: ConflictStrategy) => {
  const run = session(pair, { mode: 'two-way', conflict })
  await pair.source.put('f.txt', 'v0')
  await run.sync()
  return run
}

interface Case {
  readonly name: string
  readonly edit: (pair: TestPair) => Promise<void>
  readonly expect: Record<ConflictStrategy, { readonly source: Tree; readonly destination: Tree }>
}

const same = (tree: Tree) => ({ source: tree, destination: tree })

const cases: ReadonlyArray<Case> = [
  {
    name: 'both edited, destination newer',
    edit: async ({ source, destination }) => {
      await source.put('f.txt', 'vs')
      await destination.put('f.txt', 'vd')
    },
    expect: {
      newest: same({ 'f.txt': 'vd' }),
      source: same({ 'f.txt': 'vs' }),
      destination: same({ 'f.txt': 'vd' }),
      'keep-both': same({ 'f.txt': 'vd', 'f.conflict-source.txt': 'vs' }),
      manual: { source: { 'f.txt': 'vs' }, destination: { 'f.txt': 'vd' } },
    },
  },
  {
    name: 'both edited, source newer',
    edit: async ({ source, destination }) => {
      await destination.put('f.txt', 'vd')
      await source.put('f.txt', 'vs')
    },
    expect: {
      newest: same({ 'f.txt': 'vs' }),
      source: same({ 'f.txt': 'vs' }),
      destination: same({ 'f.txt': 'vd' }),
      'keep-both': same({ 'f.txt': 'vs', 'f.conflict-destination.txt': 'vd' }),
      manual: { source: { 'f.txt': 'vs' }, destination: { 'f.txt': 'vd' } },
    },
  },
  {
    name: 'edited on source, deleted on destination',
    edit: async ({ source, destination }) => {
      await source.put('f.txt', 'v1')
      await destination.remove('f.txt')
    },
    expect: {
      newest: same({ 'f.txt': 'v1' }),
      source: same({ 'f.txt': 'v1' }),
      destination: same({ 'f.txt': 'v1' }),
      'keep-both': same({ 'f.txt': 'v1' }),
      manual: same({ 'f.txt': 'v1' }),
    },
  },
  {
    name: 'deleted on source, edited on destination',
    edit: async ({ source, destination }) => {
      await source.remove('f.txt')
      await destination.put('f.txt', 'v1')
    },
    expect: {
      newest: same({ 'f.txt': 'v1' }),
      source: same({ 'f.txt': 'v1' }),
      destination: same({ 'f.txt': 'v1' }),
      'keep-both': same({ 'f.txt': 'v1' }),
      manual: same({ 'f.txt': 'v1' }),
    },
  },
]

const STRATEGIES: ReadonlyArray<ConflictStrategy> = ['newest', 'source', 'destination', 'keep-both', 'manual']

/** Every conflict case under every strategy, on any pair of backends. */
export const describeConflictTable = (label: string, makePair: () => Promise<TestPair>): void => {
  describe(`conflicts on ${label}`, () => {
    let pair: TestPair | undefined
    afterEach(async () => {
      await pair?.cleanup()
      pair = undefined
    })

    describe.each(cases)('$name', (row) => {
      it.each(STRATEGIES)('--conflict %s', async (strategy) => {
        pair = await makePair()
        const run = await synced(pair, strategy)
        await row.edit(pair)
        const { plan, report } = await run.sync()

        expect(filesWithoutStamps(await pair.source.tree())).toEqual(row.expect[strategy].source)
        expect(filesWithoutStamps(await pair.destination.tree())).toEqual(row.expect[strategy].destination)
        const again = await run.plan()
        expect(again.actions).toEqual([])
        if (strategy === 'manual' && row.name.startsWith('both edited')) {
          // Left alone: the conflict is in the plan, the exit says so, the state still has the old entry.
          expect(plan.conflicts).toMatchObject([{ path: 'f.txt', outcome: 'left-alone' }])
          expect(plan.actions).toEqual([])
          expect(report.conflictsLeft).toBe(1)
          expect(again.conflicts).toMatchObject([{ path: 'f.txt', outcome: 'left-alone' }])
        } else {
          expect(report.conflictsLeft).toBe(0)
          expect(again.conflicts).toEqual([])
        }
      })
    })
  })
}
