import { describe, expect, it } from 'vitest'
import { memoryStorage } from '../../src/storage/memory.ts'
import { storageError } from '../../src/storage/storage.ts'
import { describeStorageConformance, failed, ok, rp } from '../../src/testing/storage-conformance.ts'

describeStorageConformance('memory', async ({ rootExists }) => ({
  storage: memoryStorage({ exists: rootExists }),
  cleanup: async () => undefined,
}))

const meta = { mtimeMs: 1_600_000_000_000, exec: false }

async function* from(...chunks: ReadonlyArray<string>): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield new TextEncoder().encode(chunk)
}

describe('memory storage', () => {
  it('builds trees with put, putDir and putSymlink and shows them with files()', () => {
    const s = memoryStorage()
    s.put('b/c.txt', 'see', { mtimeMs: 5_000, exec: true })
    s.putDir('a/empty')
    s.putSymlink('b/link', '../a')
    expect(s.files()).toEqual({ 'a/': '', 'a/empty/': '', 'b/': '', 'b/c.txt': 'see', 'b/link': '-> ../a' })
    expect(Object.keys(s.files())).toEqual(['a/', 'a/empty/', 'b/', 'b/c.txt', 'b/link'])
    expect(s.entryAt('b/c.txt')).toEqual({
      kind: 'file',
      size: 3,
      mtimeMs: 5_000,
      exec: true,
      id: '1',
      change: '1',
    })
    expect(s.readText('b/c.txt')).toBe('see')
    expect(s.readText('a')).toBeUndefined()
    s.delete('b')
    expect(s.files()).toEqual({ 'a/': '', 'a/empty/': '' })
  })

  it('stamps files from a deterministic clock unless told otherwise', () => {
    const s = memoryStorage()
    s.put('one', '1')
    s.put('two', '2')
    expect(s.entryAt('one')).toMatchObject({ mtimeMs: 1_700_000_000_000 })
    expect(s.entryAt('two')).toMatchObject({ mtimeMs: 1_700_000_001_000 })
    const fixed = memoryStorage({ clock: () => 42_000 })
    fixed.put('f', 'x')
    expect(fixed.entryAt('f')).toMatchObject({ mtimeMs: 42_000 })
  })

  it('injects faults with failWhen, at any operation including commit', async () => {
    const s = memoryStorage()
    const full = storageError('commit', 'f', 'ENOSPC', 'disk full')
    s.failWhen((op, path) => (op === 'commit' && path === 'f' ? full : undefined))
    const staged = await ok(s.stage(rp('f'), from('data'), meta, 'abcdef0123'))
    expect(await failed(staged.commit())).toEqual(full)
    expect(s.entryAt('f')).toBeUndefined()
    // Other operations and paths are untouched.
    await ok(s.mkdir(rp('d')))

    s.failWhen((op) => (op === 'list' ? storageError('list', '', 'EIO', 'flaky') : undefined))
    expect((await failed(s.list(''))).code).toBe('EIO')
    s.failWhen(() => undefined)
    expect((await ok(s.list(''))).map((l) => l.name)).toEqual(['d'])
  })

  it('makes a folder unreadable: list, read and stat inside fail with EACCES, the folder itself is seen', async () => {
    const s = memoryStorage()
    s.put('secret/f', 'x')
    s.put('open.txt', 'o')
    s.makeUnreadable('secret')
    const error = await failed(s.list(rp('secret')))
    expect(error).toMatchObject({ op: 'list', path: 'secret', code: 'EACCES' })
    expect(error.message).toBe('cannot list memory:/secret: permission denied (EACCES)')
    expect((await failed(s.read(rp('secret/f')))).code).toBe('EACCES')
    expect((await failed(s.stat(rp('secret/f')))).code).toBe('EACCES')
    expect(await ok(s.stat(rp('secret')))).toEqual({ kind: 'dir' })
    expect(s.readText('secret/f')).toBe('x')

    s.makeUnreadable('open.txt')
    expect((await failed(s.read(rp('open.txt')))).code).toBe('EACCES')
  })

  it('removes the root: stat is null, list fails, createRoot brings back an empty one', async () => {
    const s = memoryStorage()
    s.put('f', 'x')
    s.removeRoot()
    expect(await ok(s.stat(''))).toBeNull()
    expect((await failed(s.list(''))).code).toBe('ENOENT')
    expect((await failed(s.mkdir(rp('d')))).code).toBe('ENOENT')
    await ok(s.createRoot())
    expect(await ok(s.list(''))).toEqual([])
  })

  it('keeps ids across rename, like inodes, and gives each staged write a new one', async () => {
    const s = memoryStorage()
    s.put('dir/f', 'x')
    const before = s.entryAt('dir/f')
    expect(before).toMatchObject({ kind: 'file', id: '1' })
    await ok(s.rename(rp('dir/f'), rp('dir/g')))
    await ok(s.rename(rp('dir'), rp('moved')))
    expect(s.entryAt('moved/g')).toEqual(before)

    const rewritten = await ok((await ok(s.stage(rp('moved/g'), from('y'), meta, 'abcdef0123'))).commit())
    expect(rewritten).toMatchObject({ kind: 'file', size: 1, id: '2' })
  })

  it('counts reads, and consumes the data at stage time', async () => {
    const s = memoryStorage()
    s.put('f', 'x')
    await ok(s.read(rp('f')))
    await ok(s.read(rp('f')))
    expect(s.counters.read).toBe(2)

    let consumed = false
    async function* data(): AsyncIterable<Uint8Array> {
      yield new Uint8Array([1, 2])
      consumed = true
    }
    const staged = await ok(s.stage(rp('g'), data(), meta, 'abcdef0123'))
    expect(consumed).toBe(true)
    // The staged write is in the tree under a temp name, invisible to list.
    expect(Object.keys(s.files())).toEqual([
      expect.stringMatching(/^\.syncengine-abcdef0123-[0-9a-f]+\.tmp$/),
      'f',
    ])
    expect((await ok(s.list(''))).map((l) => l.name)).toEqual(['f'])
    await ok(staged.commit())
    expect(Object.keys(s.files())).toEqual(['f', 'g'])
  })

  it('keeps mtimes to its precision and finds names in any case when case-insensitive', async () => {
    const s = memoryStorage({ caseSensitive: false, mtimePrecisionMs: 2000 })
    expect(s.capabilities).toMatchObject({ caseSensitive: false, mtimePrecisionMs: 2000 })
    s.put('Readme.md', 'r', { mtimeMs: 1_600_000_001_999 })
    expect(s.entryAt('readme.MD')).toMatchObject({ mtimeMs: 1_600_000_000_000 })
    expect((await failed(s.mkdir(rp('README.MD')))).code).toBe('EEXIST')
    // A change of case is a rename of the same file, not a clash.
    await ok(s.rename(rp('Readme.md'), rp('README.md')))
    expect((await ok(s.list(''))).map((l) => l.name)).toEqual(['README.md'])
  })

  it('refuses to remove a folder holding a staged write, as a disk does', async () => {
    const s = memoryStorage()
    s.putDir('a/b')
    const staged = await ok(s.stage(rp('a/b/f'), from('x'), meta, 'abcdef0123'))
    expect((await failed(s.remove(rp('a/b')))).code).toBe('ENOTEMPTY')
    await ok(staged.discard())
    await ok(s.remove(rp('a/b')))
  })
})
