import { afterEach, describe, expect, it } from 'vitest'
import { session } from '../support/session.ts'
import { makePair, type TestPair } from '../support/sides.ts'

/**
 * Small trees whose every in-scope file a mirror replaces would trip the delete guard, which has tests of
 * its own (test/safety/delete-guard.test.ts): here it is off, so the rules are what is seen.
 */
const guardOff = { allowMassDelete: true }

describe.each(['memory', 'local'] as const)('ignore rules on %s storage', (backend) => {
  let pair: TestPair
  afterEach(async () => pair.cleanup())

  it('a mirror never deletes or overwrites a path ignored on the command line', async () => {
    pair = await makePair(backend)
    await pair.source.put('keep.txt', 'k')
    await pair.source.put('debug.log', 'source log')
    await pair.destination.put('debug.log', 'destination log')
    await pair.destination.put('old.log', 'only here')
    await pair.destination.put('extra.txt', 'extra')
    const run = session(pair, { ...guardOff, mode: 'source-to-destination', ignore: ['*.log'] })
    await run.sync()
    expect(await pair.destination.tree()).toEqual({
      'debug.log': 'destination log',
      'keep.txt': 'k',
      'old.log': 'only here',
    })
    expect(await pair.source.tree()).toEqual({ 'debug.log': 'source log', 'keep.txt': 'k' })
    expect((await run.plan()).actions).toEqual([])
  })

  it("a mirror honours the destination's own .syncignore, which is never synced", async () => {
    pair = await makePair(backend)
    await pair.source.put('a.txt', 'a')
    await pair.destination.put('.syncignore', 'local/\n')
    await pair.destination.put('local/cache.bin', 'cache')
    await pair.destination.put('stale.txt', 'stale')
    const run = session(pair, { ...guardOff, mode: 'source-to-destination' })
    await run.sync()
    expect(await pair.destination.tree()).toEqual({
      '.syncignore': 'local/\n',
      'a.txt': 'a',
      'local/': '',
      'local/cache.bin': 'cache',
    })
    expect(await pair.source.tree()).toEqual({ 'a.txt': 'a' })
  })

  it('rules from either side apply to both: a path the source ignores is left alone on the destination', async () => {
    pair = await makePair(backend)
    await pair.source.put('.syncignore', 'build/\n')
    await pair.source.put('build/out.js', 'source build')
    await pair.destination.put('build/out.js', 'destination build')
    const run = session(pair, { ...guardOff, mode: 'two-way' })
    const { plan } = await run.sync()
    expect(plan.actions).toEqual([])
    expect((await pair.destination.tree())['build/out.js']).toBe('destination build')
  })

  it('negation in a .syncignore brings a file back', async () => {
    pair = await makePair(backend)
    await pair.source.put('.syncignore', '*.log\n!keep.log\n')
    await pair.source.put('keep.log', 'kept')
    await pair.source.put('drop.log', 'dropped')
    await pair.source.put('sub/keep.log', 'kept below')
    await session(pair, guardOff).sync()
    expect(await pair.destination.tree()).toEqual({
      'keep.log': 'kept',
      'sub/': '',
      'sub/keep.log': 'kept below',
    })
  })

  it('a deeper .syncignore overrides a shallower one', async () => {
    pair = await makePair(backend)
    await pair.source.put('.syncignore', '*.log\n')
    await pair.source.put('sub/.syncignore', '!important.log\n')
    await pair.source.put('sub/important.log', 'important')
    await pair.source.put('sub/noise.log', 'noise')
    await pair.source.put('top.log', 'top')
    await session(pair, guardOff).sync()
    expect(await pair.destination.tree()).toEqual({ 'sub/': '', 'sub/important.log': 'important' })
  })

  it('a folder the source deleted stays on the mirror while it holds ignored files', async () => {
    pair = await makePair(backend)
    await pair.source.put('dir/a.txt', 'a')
    const run = session(pair, { ...guardOff, mode: 'source-to-destination', ignore: ['*.log'] })
    await run.sync()
    await pair.destination.put('dir/local.log', 'mine')
    await pair.source.remove('dir')
    await run.sync()
    expect(await pair.destination.tree()).toEqual({ 'dir/': '', 'dir/local.log': 'mine' })
    expect((await run.plan()).actions).toEqual([])
  })

  it('two-way: a folder deleted on one side is kept on both while the other side holds ignored files in it', async () => {
    pair = await makePair(backend)
    await pair.source.put('dir/a.txt', 'a')
    const run = session(pair, { ...guardOff, mode: 'two-way', ignore: ['*.log'] })
    await run.sync()
    await pair.destination.put('dir/local.log', 'mine')
    await pair.source.remove('dir')
    await run.sync()
    expect(await pair.destination.tree()).toEqual({ 'dir/': '', 'dir/local.log': 'mine' })
    expect(await pair.source.tree()).toEqual({ 'dir/': '' })
    expect((await run.plan()).actions).toEqual([])
  })

  it('--include limits a run to matching paths and leaves the rest alone, even in a mirror', async () => {
    pair = await makePair(backend)
    await pair.source.put('docs/guide.md', 'guide')
    await pair.source.put('docs/image.png', 'png')
    await pair.source.put('notes/todo.md', 'todo')
    await pair.destination.put('extra.txt', 'extra')
    await pair.destination.put('old.md', 'old')
    const run = session(pair, { ...guardOff, mode: 'source-to-destination', include: ['*.md'] })
    await run.sync()
    expect(await pair.destination.tree()).toEqual({
      'docs/': '',
      'docs/guide.md': 'guide',
      'extra.txt': 'extra',
      'notes/': '',
      'notes/todo.md': 'todo',
    })
    expect((await run.plan()).actions).toEqual([])
  })

  it('command-line patterns win over .syncignore negations', async () => {
    pair = await makePair(backend)
    await pair.source.put('.syncignore', '!secret.txt\n')
    await pair.source.put('secret.txt', 'secret')
    await pair.source.put('public.txt', 'public')
    await session(pair, { ...guardOff, ignore: ['secret.txt'] }).sync()
    expect(await pair.destination.tree()).toEqual({ 'public.txt': 'public' })
  })
})
