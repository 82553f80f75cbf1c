import { describe, expect, it } from 'vitest'
import { MODES } from '../../src/core/policy.ts'
import type { MemoryStorage } from '../../src/storage/memory.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { session } from '../support/session.ts'
import { clock, memorySide, type TestPair, type TestSide } from '../support/sides.ts'

/**
 * A side like an FTP server without MFMT: every write gets the time it happened, whatever it was asked
 * to keep, and the side says so.
 */
const forgetful = (side: TestSide, now: () => number): TestSide => {
  const inner = side.storage
  const storage: Storage = {
    ...inner,
    capabilities: { ...inner.capabilities, keepsMtime: false },
    stage: (path, data, meta, token) => inner.stage(path, data, { ...meta, mtimeMs: now() }, token),
    setMtime: (path) => inner.setMtime(path, now()),
  }
  return { ...side, storage }
}

const pair = (): TestPair & { readonly reads: () => number } => {
  const now = clock()
  const source = memorySide(now)
  const destination = memorySide(now)
  const counters = [source, destination].map((side) => (side.storage as MemoryStorage).counters)
  return {
    kind: 'memory',
    source,
    destination: forgetful(destination, now),
    scratch: '',
    cleanup: async () => undefined,
    reads: () => counters.reduce((n, c) => n + c.read, 0),
  }
}

describe('a side that cannot keep mtimes', () => {
  it.each(MODES)('%s: a synced file is not copied again, and a change is copied once', async (mode) => {
    const p = pair()
    const run = session(p, { mode })
    await p.source.put('a.txt', 'one')
    await p.source.put('b.txt', 'two')
    await run.sync({ mode: 'two-way' })
    expect(await p.destination.tree()).toEqual(await p.source.tree())
    // The copies carry the time of their write, not the source's.
    expect(p.destination.storage.capabilities.keepsMtime).toBe(false)

    // Nothing changed since the sync: the plan is empty without reading a file to compare contents.
    const reads = p.reads()
    const again = await run.plan()
    expect(again.actions).toEqual([])
    expect(p.reads()).toBe(reads)
    expect(again.warnings).toContainEqual({
      path: '',
      message: expect.stringContaining('destination: this side cannot keep modification times'),
    })

    if (mode === 'source-to-destination' || mode === 'source-backup' || mode === 'two-way') {
      await p.source.put('a.txt', 'ONE')
      const { plan } = await run.sync()
      expect(plan.actions.map((a) => [a.kind, 'path' in a ? a.path : ''])).toEqual([['copy', 'a.txt']])
      expect(await p.destination.tree()).toEqual({ 'a.txt': 'ONE', 'b.txt': 'two' })
      expect((await run.plan()).actions).toEqual([])
    }
  })
})
