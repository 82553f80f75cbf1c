import { link, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { session } from '../support/session.ts'
import { localPair, type TestPair } from '../support/sides.ts'

/**
 * On a local disk every write moves a file's ctime, and nobody can set it back: an edit that keeps the
 * size and puts the old mtime back (`touch -r`, some build tools) is still seen by the default compare.
 * A moved ctime alone (a chmod, a new hard link) transfers nothing and undoes no deletion.
 */

const t = 1_750_000_000_000
let pair: TestPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

/** The pair's local folders, as `localPair` lays them out. */
const roots = (p: TestPair) => ({
  source: join(p.scratch, '..', 'source'),
  destination: join(p.scratch, '..', 'destination'),
})

describe('the ctime on a local disk', () => {
  it('an edit on one side under the same size and mtime is copied, not called in sync', async () => {
    const p = await localPair()
    pair = p
    await p.source.put('a.txt', 'one', { mtimeMs: t })
    const run = session(p, { mode: 'two-way' })
    await run.sync()
    expect(await p.destination.tree()).toEqual({ 'a.txt': 'one' })

    await p.destination.put('a.txt', 'two', { mtimeMs: t })
    const { plan } = await run.sync()

    expect(plan.actions.map((a) => [a.kind, 'direction' in a ? a.direction : ''])).toEqual([
      ['copy', 'download'],
    ])
    expect(await p.source.tree()).toEqual({ 'a.txt': 'two' })
    expect((await run.plan()).actions).toEqual([])
  })

  it('a hard link made on one side moves its ctime: nothing is sent, and a deletion on the other side is carried out', async () => {
    const p = await localPair()
    pair = p
    await p.source.put('a.txt', 'alpha', { mtimeMs: t })
    await p.source.put('b.txt', 'beta', { mtimeMs: t })
    await p.source.put('c.txt', 'gamma', { mtimeMs: t })
    const run = session(p, { mode: 'two-way' })
    await run.sync()
    const { destination } = roots(p)
    for (const name of ['a.txt', 'b.txt']) {
      await link(join(destination, name), join(destination, `${name}.link`))
      await unlink(join(destination, `${name}.link`))
    }

    await p.source.remove('a.txt')
    const { plan } = await run.sync()

    expect(plan.actions.map((a) => [a.kind, 'path' in a ? a.path : ''])).toEqual([['delete', 'a.txt']])
    expect(await p.destination.tree()).toEqual({ 'b.txt': 'beta', 'c.txt': 'gamma' })
    expect((await run.plan()).actions).toEqual([])
  })
})
