import { describe, expect, it } from 'vitest'
import type { MemoryStorage } from '../../src/storage/memory.ts'
import { session } from '../support/session.ts'
import { memoryPair } from '../support/sides.ts'

describe('the hash cache', () => {
  it('a second plan of an unchanged 10,000-file tree reads no file contents', async () => {
    const pair = memoryPair()
    for (let i = 0; i < 10_000; i++)
      await pair.source.put(`d${i % 50}/f${i}.txt`, `content ${i}`, { mtimeMs: 1_700_000_000_000 + i })
    const run = session(pair, { compare: 'checksum' })
    await run.sync()
    const source = pair.source.storage as MemoryStorage
    const destination = pair.destination.storage as MemoryStorage
    const before = source.counters.read + destination.counters.read

    const plan = await run.plan()
    expect(plan.actions).toEqual([])
    expect(plan.records).toEqual([])
    expect(source.counters.read + destination.counters.read).toBe(before)
  })

  it('a changed file is read again, and only that one', async () => {
    const pair = memoryPair()
    for (let i = 0; i < 20; i++) await pair.source.put(`f${i}.txt`, `content ${i}`)
    const run = session(pair, { compare: 'checksum' })
    await run.sync()
    await pair.source.put('f3.txt', 'new content')
    const source = pair.source.storage as MemoryStorage
    const before = source.counters.read
    const plan = await run.plan()
    expect(source.counters.read - before).toBe(1)
    expect(plan.actions).toMatchObject([{ kind: 'copy', path: 'f3.txt', direction: 'upload' }])
  })
})
