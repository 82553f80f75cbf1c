import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Action } from '../../src/core/action.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { session } from '../support/session.ts'
import { localPair, memoryPair, memorySide, type TestPair } from '../support/sides.ts'

/** Actions as `kind side path`, the way a reviewer scans them. */
const lines = (actions: ReadonlyArray<Action>): string[] =>
  actions.map((a) => {
    switch (a.kind) {
      case 'copy':
        return `copy ${a.direction} ${a.path}`
      case 'move':
      case 'clone':
        return `${a.kind} ${a.side} ${a.from} -> ${a.to}`
      default:
        return `${a.kind} ${a.side} ${a.path}`
    }
  })

const inode = async (storage: Storage, path: string): Promise<number> =>
  (await stat(join(storage.root, path))).ino

describe('renames and moves', () => {
  let pair: TestPair | undefined
  afterEach(async () => {
    await pair?.cleanup()
    pair = undefined
  })

  it('a file renamed on the source is renamed on the destination, keeping its inode there', async () => {
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('a.txt', 'alpha')
    await run.sync()
    const before = await inode(pair.destination.storage, 'a.txt')
    await pair.source.rename('a.txt', 'b.txt')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['move destination a.txt -> b.txt'])
    expect(plan.summary).toMatchObject({ move: 1, upload: 0, delete: { source: 0, destination: 0 } })
    expect(await pair.destination.tree()).toEqual({ 'b.txt': 'alpha' })
    expect(await inode(pair.destination.storage, 'b.txt')).toBe(before)
    expect((await run.plan()).actions).toEqual([])
  })

  it('a file moved into a new folder on the destination is moved on the source', async () => {
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('inbox/report.pdf', 'pdf bytes')
    await run.sync()
    const before = await inode(pair.source.storage, 'inbox/report.pdf')
    await pair.destination.mkdir('archive/2026')
    await pair.destination.rename('inbox/report.pdf', 'archive/2026/report.pdf')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual([
      'mkdir source archive',
      'mkdir source archive/2026',
      'move source inbox/report.pdf -> archive/2026/report.pdf',
    ])
    expect(await inode(pair.source.storage, 'archive/2026/report.pdf')).toBe(before)
    expect(await pair.source.tree()).toEqual(await pair.destination.tree())
  })

  it('a folder of 500 files renamed on the source plans as 500 moves, with no transfer and no delete of a file', async () => {
    pair = await localPair()
    const run = session(pair)
    for (let i = 0; i < 500; i++) await pair.source.put(`photos/img${i}.jpg`, `image ${i}`)
    await run.sync()
    const before = await inode(pair.destination.storage, 'photos/img42.jpg')
    await pair.source.rename('photos', 'pictures')
    const { plan } = await run.sync()
    const kinds = lines(plan.actions)
    expect(kinds[0]).toBe('mkdir destination pictures')
    expect(kinds.filter((l) => l.startsWith('move destination photos/img'))).toHaveLength(500)
    expect(kinds.at(-1)).toBe('delete destination photos')
    expect(kinds).toHaveLength(502)
    expect(plan.summary.bytes).toEqual({ upload: 0, download: 0 })
    expect(await inode(pair.destination.storage, 'pictures/img42.jpg')).toBe(before)
    expect(await pair.destination.tree()).toEqual(await pair.source.tree())
  })

  it('a rename plus an edit of the same file is a copy of the new bytes and a delete, both saying so', async () => {
    // A move and then the edit over it would leave the old bytes under the new name in between: an
    // interrupted apply must leave each path as it was or as it will be.
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('draft.md', 'first draft')
    await pair.source.put('notes.md', 'notes')
    await run.sync()
    await pair.source.rename('draft.md', 'final.md')
    await pair.source.put('final.md', 'final text, longer')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['delete destination draft.md', 'copy upload final.md'])
    expect(plan.actions.map((a) => a.reason)).toEqual([
      'renamed to final.md and changed on source',
      'renamed from draft.md and changed on source',
    ])
    expect(await pair.destination.tree()).toEqual({ 'final.md': 'final text, longer', 'notes.md': 'notes' })
  })

  it('a case-only rename is a move, on case-sensitive disks', async () => {
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('readme.md', 'hello')
    await run.sync()
    await pair.source.rename('readme.md', 'README.md')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['move destination readme.md -> README.md'])
    expect(await pair.destination.tree()).toEqual({ 'README.md': 'hello' })
  })

  it('a case-only rename reaches a case-insensitive destination as a change of spelling', async () => {
    const now = (() => {
      let t = 1_700_000_000_000
      return () => (t += 60_000)
    })()
    const source = memorySide(now)
    const destination = memorySide(now, { caseSensitive: false })
    pair = { kind: 'memory', source, destination, scratch: '', cleanup: async () => undefined }
    const run = session(pair)
    await source.put('readme.md', 'hello')
    await run.sync()
    await source.rename('readme.md', 'README.md')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['move destination readme.md -> README.md'])
    expect(await destination.tree()).toEqual({ 'README.md': 'hello' })
    expect((await run.plan()).actions).toEqual([])
  })

  it('ambiguous matches fall back to copy and delete', async () => {
    pair = memoryPair()
    const run = session(pair, { compare: 'checksum' })
    await pair.source.put('a1.txt', 'same')
    await pair.source.put('a2.txt', 'same')
    await pair.source.put('other.txt', 'other')
    await run.sync()
    // Two identical files deleted, two identical files made: no way to tell which went where.
    await pair.source.remove('a1.txt')
    await pair.source.remove('a2.txt')
    await pair.source.put('b1.txt', 'same')
    await pair.source.put('b2.txt', 'same')
    const { plan } = await run.sync()
    expect(plan.actions.filter((a) => a.kind === 'move')).toEqual([])
    expect(await pair.destination.tree()).toEqual({
      'b1.txt': 'same',
      'b2.txt': 'same',
      'other.txt': 'other',
    })
  })

  it('a backup copies a renamed file to its new name locally and keeps the old name', async () => {
    pair = memoryPair()
    const run = session(pair, { mode: 'source-backup' })
    await pair.source.put('a.txt', 'alpha')
    await run.sync()
    await pair.source.rename('a.txt', 'b.txt')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['clone destination a.txt -> b.txt'])
    expect(plan.summary.bytes).toEqual({ upload: 0, download: 0 })
    expect(await pair.destination.tree()).toEqual({ 'a.txt': 'alpha', 'b.txt': 'alpha' })
    expect((await run.plan()).actions).toEqual([])
  })

  it('a mirror undoes a rename made on its target with a move back', async () => {
    pair = memoryPair()
    const run = session(pair, { mode: 'source-to-destination' })
    await pair.source.put('a.txt', 'alpha')
    await run.sync()
    await pair.destination.rename('a.txt', 'b.txt')
    const { plan } = await run.sync()
    expect(lines(plan.actions)).toEqual(['move destination b.txt -> a.txt'])
    expect(await pair.destination.tree()).toEqual({ 'a.txt': 'alpha' })
  })

  it('a move is never made from a file changed since the last sync', async () => {
    pair = memoryPair()
    const run = session(pair)
    await pair.source.put('a.txt', 'alpha')
    await run.sync()
    await pair.source.rename('a.txt', 'b.txt')
    await pair.destination.put('a.txt', 'edited on the destination')
    const { plan } = await run.sync()
    expect(plan.actions.filter((a) => a.kind === 'move')).toEqual([])
    // The destination's edit wins over the source's deletion; the rename arrives as a new file.
    expect(await pair.destination.tree()).toEqual({ 'a.txt': 'edited on the destination', 'b.txt': 'alpha' })
    expect(await pair.source.tree()).toEqual(await pair.destination.tree())
  })
})
