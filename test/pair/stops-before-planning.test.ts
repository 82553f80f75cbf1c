import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { defaultPolicy } from '../../src/core/policy.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import type { MemoryStorage } from '../../src/storage/memory.ts'
import { session } from '../support/session.ts'
import { memoryPair } from '../support/sides.ts'

describe('what stops a run before any plan is made', () => {
  it('a folder that cannot be listed is an error naming it, never an empty folder', async () => {
    const pair = memoryPair()
    const run = session(pair, { mode: 'source-to-destination' })
    await pair.source.put('private/a.txt', 'a')
    await pair.source.put('public/b.txt', 'b')
    await run.sync()
    const before = await pair.destination.tree()
    ;(pair.source.storage as MemoryStorage).makeUnreadable('private')

    const planned = await planPair({
      sides: { source: pair.source.storage, destination: pair.destination.storage },
      state: run.state,
      policy: { ...defaultPolicy, mode: 'source-to-destination' },
    })()
    expect(E.isLeft(planned) && planned.left).toMatchObject({
      _tag: 'Unreadable',
      path: 'private',
      cause: { code: 'EACCES' },
    })
    expect(await pair.destination.tree()).toEqual(before)
  })

  it('an unreadable folder that the rules ignore is not read at all', async () => {
    const pair = memoryPair()
    await pair.source.put('private/a.txt', 'a')
    await pair.source.put('b.txt', 'b')
    ;(pair.source.storage as MemoryStorage).makeUnreadable('private')
    const { report } = await session(pair, { ignore: ['private/'] }).sync()
    expect(report.counts.applied).toBe(1)
    expect(await pair.destination.tree()).toEqual({ 'b.txt': 'b' })
  })

  it('a root that is gone after a sync is an error, not a deletion of everything', async () => {
    const pair = memoryPair()
    const run = session(pair)
    await pair.source.put('a.txt', 'a')
    await pair.source.put('b.txt', 'b')
    await run.sync()
    ;(pair.destination.storage as MemoryStorage).removeRoot()

    const planned = await planPair({
      sides: { source: pair.source.storage, destination: pair.destination.storage },
      state: run.state,
      policy: defaultPolicy,
    })()
    expect(E.isLeft(planned) && planned.left).toEqual({
      _tag: 'RootMissing',
      side: 'destination',
      root: pair.destination.storage.root,
      synced: 2,
      role: 'synced',
    })
    expect(await pair.source.tree()).toEqual({ 'a.txt': 'a', 'b.txt': 'b' })
  })

  it('a root that never existed is created by the first apply', async () => {
    const pair = memoryPair({ destinationExists: false })
    await pair.source.put('a.txt', 'a')
    const { plan } = await session(pair).sync()
    expect(plan.destination.existed).toBe(false)
    expect(await pair.destination.tree()).toEqual({ 'a.txt': 'a' })
  })
})
