import { describe, expect, it } from 'vitest'
import { describeConflictTable, synced } from '../support/conflict-table.ts'
import { session } from '../support/session.ts'
import { filesWithoutStamps, localPair, makePair, memoryPair } from '../support/sides.ts'

describeConflictTable('memory storage', async () => memoryPair())
describeConflictTable('local storage', localPair)

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
