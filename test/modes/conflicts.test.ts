import { afterEach, describe, expect, it } from 'vitest'
import type { ConflictStrategy } from '../../src/core/policy.ts'
import { session } from '../support/session.ts'
import { filesWithoutStamps, makePair, type TestPair } from '../support/sides.ts'

type Tree = Record<string, string>

/** A synced pair holding `f.txt` = v0, ready for edits on either side. */
const synced = async (pair: TestPair, conflict: ConflictStrategy) => {
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

describe.each(['memory', 'local'] as const)('conflicts on %s storage', (backend) => {
  let pair: TestPair | undefined
  afterEach(async () => {
    await pair?.cleanup()
    pair = undefined
  })

  describe.each(cases)('$name', (row) => {
    it.each(STRATEGIES)('--conflict %s', async (strategy) => {
      pair = await makePair(backend)
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

describe('conflict details', () => {
  it('manual applies everything else and keeps the old state entry for the conflict', async () => {
    const pair = await makePair('memory')
    const run = await synced(pair, 'manual')
    const recorded = run.state?.entries.get('f.txt' as never)
    await pair.source.put('f.txt', 'vs')
    await pair.destination.put('f.txt', 'vd')
    await pair.source.put('other.txt', 'new')
    const { report } = await run.sync()
    expect(await pair.destination.tree()).toEqual({ 'f.txt': 'vd', 'other.txt': 'new' })
    expect(report.conflictsLeft).toBe(1)
    expect(run.state?.entries.get('f.txt' as never)).toEqual(recorded)
  })

  it('newest with equal mtimes has no winner and keeps both', async () => {
    const pair = await makePair('memory')
    const run = await synced(pair, 'newest')
    await pair.source.put('f.txt', 'vs', { mtimeMs: 1_800_000_000_000 })
    // Same size and mtime would look identical without hashes; a different size makes them differ.
    await pair.destination.put('f.txt', 'vdd', { mtimeMs: 1_800_000_000_000 })
    const { plan } = await run.sync()
    expect(plan.conflicts).toMatchObject([{ path: 'f.txt', outcome: 'kept-both' }])
    const tree = filesWithoutStamps(await pair.source.tree())
    expect(Object.values(tree).sort()).toEqual(['vdd', 'vs'])
    expect(filesWithoutStamps(await pair.destination.tree())).toEqual(tree)
  })

  it('a first sync with different files is a conflict, and equal files are not', async () => {
    const pair = await makePair('memory')
    await pair.source.put('same.txt', 'x', { mtimeMs: 1_700_000_000_000 })
    await pair.destination.put('same.txt', 'x', { mtimeMs: 1_700_000_000_000 })
    await pair.source.put('diff.txt', 'older', { mtimeMs: 1_700_000_000_000 })
    await pair.destination.put('diff.txt', 'newer', { mtimeMs: 1_700_000_100_000 })
    const run = session(pair)
    const { plan } = await run.sync()
    expect(plan.conflicts.map((c) => c.path)).toEqual(['diff.txt'])
    expect(plan.records.map((r) => r.path)).toEqual(['same.txt'])
    expect(plan.actions.filter((a) => a.kind === 'delete')).toEqual([])
    expect(filesWithoutStamps(await pair.destination.tree())).toEqual({
      'diff.txt': 'newer',
      'diff.conflict-source.txt': 'older',
      'same.txt': 'x',
    })
  })

  it('a file against a folder: the folder keeps the name and the file is kept beside it', async () => {
    const pair = await makePair('memory')
    await pair.source.put('thing', 'a file', { mtimeMs: 1_700_000_000_000 })
    await pair.destination.put('thing/inside.txt', 'in a folder')
    const run = session(pair, { conflict: 'source' })
    await run.sync()
    const expected = {
      'thing/': '',
      'thing/inside.txt': 'in a folder',
      'thing.conflict-source-20231114-221320': 'a file',
    }
    expect(await pair.source.tree()).toEqual(expected)
    expect(await pair.destination.tree()).toEqual(expected)
    expect((await run.plan()).actions).toEqual([])
  })

  it('conflict names never overwrite an existing file', async () => {
    const pair = await makePair('memory')
    const run = await synced(pair, 'keep-both')
    await pair.source.put('f.txt', 'vs', { mtimeMs: 1_800_000_000_000 })
    await pair.destination.put('f.txt', 'vd', { mtimeMs: 1_800_000_060_000 })
    await pair.destination.put('f.conflict-source-20270115-080000.txt', 'taken')
    await run.sync()
    const tree = await pair.source.tree()
    expect(tree['f.conflict-source-20270115-080000.txt']).toBe('taken')
    expect(tree['f.conflict-source-20270115-080000-2.txt']).toBe('vs')
    expect(tree['f.txt']).toBe('vd')
  })
})
