import { describe, expect, it } from 'vitest'
import type { Compare } from '../../src/core/policy.ts'
import { rp } from '../../src/testing/storage-conformance.ts'
import { session } from '../support/session.ts'
import { memoryPair } from '../support/sides.ts'

const t = 1_750_000_000_000

describe.each(['size-mtime', 'checksum'] as const)('comparing with --compare %s', (compare: Compare) => {
  it('same content with different mtimes is neither a conflict nor a transfer, only a metadata update', async () => {
    const pair = memoryPair()
    await pair.source.put('a.txt', 'same words', { mtimeMs: t })
    await pair.destination.put('a.txt', 'same words', { mtimeMs: t + 3_600_000 })
    const run = session(pair, { compare })
    const { plan } = await run.sync()
    // The newer mtime is kept on both sides; no byte moves.
    expect(plan.actions).toMatchObject([{ kind: 'meta', side: 'source', path: 'a.txt' }])
    expect(plan.summary.bytes).toEqual({ upload: 0, download: 0 })
    expect(plan.conflicts).toEqual([])
    expect((await run.plan()).actions).toEqual([])

    // A touch on one side later: the content did not change, so only the mtime travels.
    await pair.source.put('a.txt', 'same words', { mtimeMs: t + 7_200_000 })
    const again = await run.sync()
    expect(again.plan.actions).toMatchObject([{ kind: 'meta', side: 'destination', path: 'a.txt' }])
    expect(again.plan.conflicts).toEqual([])
    expect(again.plan.summary.bytes).toEqual({ upload: 0, download: 0 })
    expect(await pair.destination.storage.stat(rp('a.txt'))()).toMatchObject({
      right: { mtimeMs: t + 7_200_000 },
    })
    expect((await run.plan()).actions).toEqual([])
  })

  it('two files with the same size and mtime but other bytes, met on a first sync, are told apart', async () => {
    const pair = memoryPair()
    await pair.source.put('a.txt', 'abc', { mtimeMs: t })
    await pair.destination.put('a.txt', 'xyz', { mtimeMs: t })
    const { plan } = await session(pair, { compare }).sync()
    expect(plan.conflicts.map((c) => c.path)).toEqual(['a.txt'])
    expect(await pair.destination.tree()).toMatchObject({ 'a.txt': 'abc' })
  })
})
