import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RelPath, relPath } from '../core/rel-path.ts'
import type { Storage, StorageError, WriteMeta } from '../storage/storage.ts'

export interface MadeStorage {
  readonly storage: Storage
  readonly cleanup: () => Promise<void>
}

/** `rootExists: false` asks for a storage whose root folder (and at least its parent) is not there yet. */
export interface StorageSetup {
  readonly rootExists: boolean
}

/** A test path, checked like any other. */
export const rp = (path: string): RelPath =>
  E.getOrElseW(() => {
    throw new Error(`bad test path ${path}`)
  })(relPath(path))

/** The Right of a task; a Left fails the test with its message. */
export const ok = async <A>(task: TaskEither<StorageError, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new Error(`expected success, got ${result.left.message}`)
  return result.right
}

/** The Left of a task; a Right fails the test. */
export const failed = async <A>(task: TaskEither<StorageError, A>): Promise<StorageError> => {
  const result = await task()
  if (E.isRight(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.right)}`)
  return result.left
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

async function* from(...chunks: ReadonlyArray<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => Buffer.concat(chunks)

/** Deterministic bytes that are not all alike, so an offset error shows. */
const pattern = (size: number): Uint8Array => {
  const out = new Uint8Array(size)
  for (let i = 0, x = 1; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

const meta: WriteMeta = { mtimeMs: 1_600_000_000_000, exec: false }

/** The tag of the temporary names the suite's writes make. */
const TOKEN = '5ca1ab1e0ddba11'

export const describeStorageConformance = (
  name: string,
  make: (setup: StorageSetup) => Promise<MadeStorage>,
): void => {
  describe(`${name}: Storage conformance`, () => {
    let made: MadeStorage
    let s: Storage
    beforeEach(async () => {
      made = await make({ rootExists: true })
      s = made.storage
    })
    afterEach(async () => made.cleanup())

    const readAll = async (path: string): Promise<Uint8Array> => {
      const chunks: Uint8Array[] = []
      for await (const chunk of (await ok(s.read(rp(path)))).data) chunks.push(chunk)
      return concat(chunks)
    }
    const write = async (path: string, data: Uint8Array | string, m: WriteMeta = meta) =>
      ok((await ok(s.stage(rp(path), from(typeof data === 'string' ? text(data) : data), m, TOKEN))).commit())
    const names = async (dir: string): Promise<ReadonlyArray<string>> =>
      (await ok(s.list(dir === '' ? '' : rp(dir)))).map((l) => l.name).sort()

    it('reports an absent path as null and the root as a folder', async () => {
      expect(await ok(s.stat(rp('nothing')))).toBeNull()
      expect(await ok(s.stat(''))).toEqual({ kind: 'dir' })
      await write('file', 'x')
      // A path under a file is absent, not an error.
      expect(await ok(s.stat(rp('file/below')))).toBeNull()
    })

    it('creates folders and lists them with their kinds', async () => {
      await ok(s.mkdir(rp('a')))
      await ok(s.mkdir(rp('a/b')))
      await write('a/f.txt', 'hello')
      expect(await ok(s.list(''))).toEqual([{ name: 'a', entry: { kind: 'dir' } }])
      const listed = [...(await ok(s.list(rp('a'))))].sort((x, y) => (x.name < y.name ? -1 : 1))
      expect(listed.map((l) => [l.name, l.entry.kind])).toEqual([
        ['b', 'dir'],
        ['f.txt', 'file'],
      ])
      expect(await ok(s.list(rp('a/b')))).toEqual([])
    })

    it('fails to list a missing folder with ENOENT and a file with ENOTDIR', async () => {
      await write('file', 'x')
      expect((await failed(s.list(rp('missing')))).code).toBe('ENOENT')
      expect((await failed(s.list(rp('file')))).code).toBe('ENOTDIR')
    })

    it('stores the bytes of a staged write given in several chunks', async () => {
      const entry = await ok(
        (await ok(s.stage(rp('f.bin'), from(text('ab'), text(''), text('cde')), meta, TOKEN))).commit(),
      )
      expect(entry).toMatchObject({ kind: 'file', size: 5 })
      expect(new TextDecoder().decode(await readAll('f.bin'))).toBe('abcde')
      expect(await ok(s.stat(rp('f.bin')))).toEqual(entry)
    })

    it('stores an empty file', async () => {
      expect(await write('empty', new Uint8Array(0))).toMatchObject({ kind: 'file', size: 0 })
      expect((await readAll('empty')).length).toBe(0)
    })

    it('stores a 3 MiB file byte for byte', async () => {
      const data = pattern(3 * 1024 * 1024)
      const chunks = Array.from({ length: 48 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536))
      const entry = await ok((await ok(s.stage(rp('big'), from(...chunks), meta, TOKEN))).commit())
      expect(entry).toMatchObject({ kind: 'file', size: data.length })
      expect(Buffer.from(await readAll('big')).equals(data)).toBe(true)
    })

    it('keeps the mtime and exec bit given to stage', async () => {
      const plain = await write('plain', 'p', { mtimeMs: 1_600_000_000_000, exec: false })
      expect(plain).toMatchObject({ mtimeMs: 1_600_000_000_000, exec: false })
      if (s.capabilities.execBit) {
        const tool = await write('tool', 't', { mtimeMs: 1_500_000_002_000, exec: true })
        expect(tool).toMatchObject({ mtimeMs: 1_500_000_002_000, exec: true })
      }
      if (s.capabilities.mtimePrecisionMs === 1) {
        expect(await write('odd', 'o', { mtimeMs: 1_600_000_000_123, exec: false })).toMatchObject({
          mtimeMs: 1_600_000_000_123,
        })
      }
    })

    it('replaces an existing file on commit', async () => {
      await write('f', 'old contents')
      const entry = await write('f', 'new', { mtimeMs: 1_600_000_010_000, exec: false })
      expect(entry).toMatchObject({ kind: 'file', size: 3, mtimeMs: 1_600_000_010_000 })
      expect(new TextDecoder().decode(await readAll('f'))).toBe('new')
      expect(await names('')).toEqual(['f'])
    })

    it('refuses to commit a file over a folder with EISDIR', async () => {
      await ok(s.mkdir(rp('d')))
      const staged = await ok(s.stage(rp('d'), from(text('x')), meta, TOKEN))
      expect((await failed(staged.commit())).code).toBe('EISDIR')
      await ok(staged.discard())
      expect(await ok(s.stat(rp('d')))).toEqual({ kind: 'dir' })
    })

    it('leaves nothing behind after discard', async () => {
      await ok(s.mkdir(rp('d')))
      const staged = await ok(s.stage(rp('d/f'), from(text('x')), meta, TOKEN))
      await ok(staged.discard())
      expect(await names('d')).toEqual([])
      expect(await ok(s.stat(rp('d/f')))).toBeNull()
      // The folder is really empty: removing it succeeds.
      await ok(s.remove(rp('d')))
    })

    it('keeps a staged write out of list until it is committed', async () => {
      await write('kept', 'k')
      const staged = await ok(s.stage(rp('new'), from(text('n')), meta, TOKEN))
      expect(await names('')).toEqual(['kept'])
      expect(await ok(s.stat(rp('new')))).toBeNull()
      await ok(staged.commit())
      expect(await names('')).toEqual(['kept', 'new'])
    })

    it('fails to stage into a missing folder with ENOENT', async () => {
      expect((await failed(s.stage(rp('no/f'), from(text('x')), meta, TOKEN))).code).toBe('ENOENT')
    })

    it('creates a symlink without following it', async (ctx) => {
      if (!s.capabilities.symlinks) ctx.skip()
      const entry = await ok((await ok(s.stageSymlink(rp('link'), '../elsewhere/target', TOKEN))).commit())
      expect(entry).toEqual({ kind: 'symlink', target: '../elsewhere/target' })
      expect(await ok(s.list(''))).toEqual([{ name: 'link', entry }])
      await ok(s.remove(rp('link')))
      expect(await ok(s.stat(rp('link')))).toBeNull()
    })

    it('renames a file, keeping its contents, metadata and identity', async () => {
      const before = await write('a', 'contents', { mtimeMs: 1_600_000_004_000, exec: false })
      await ok(s.rename(rp('a'), rp('b')))
      expect(await ok(s.stat(rp('a')))).toBeNull()
      // Everything but the change stamp, which a rename may move (a disk's ctime does).
      const { change: _, ...same } = before as { change?: string }
      expect(await ok(s.stat(rp('b')))).toMatchObject(same)
      expect(new TextDecoder().decode(await readAll('b'))).toBe('contents')
    })

    it('renames a folder with everything in it', async () => {
      await ok(s.mkdir(rp('old')))
      await ok(s.mkdir(rp('old/sub')))
      await write('old/sub/f', 'deep')
      await ok(s.rename(rp('old'), rp('new')))
      expect(await names('')).toEqual(['new'])
      expect(await names('new/sub')).toEqual(['f'])
      expect(new TextDecoder().decode(await readAll('new/sub/f'))).toBe('deep')
    })

    it('never renames onto an existing path (EEXIST)', async () => {
      await write('a', 'A')
      await write('b', 'B')
      await ok(s.mkdir(rp('d')))
      expect((await failed(s.rename(rp('a'), rp('b')))).code).toBe('EEXIST')
      expect((await failed(s.rename(rp('a'), rp('d')))).code).toBe('EEXIST')
      expect(new TextDecoder().decode(await readAll('a'))).toBe('A')
      expect(new TextDecoder().decode(await readAll('b'))).toBe('B')
    })

    it('refuses to move a folder into itself (EINVAL)', async () => {
      await ok(s.mkdir(rp('a')))
      await ok(s.mkdir(rp('a/b')))
      expect((await failed(s.rename(rp('a'), rp('a/b/c')))).code).toBe('EINVAL')
      expect(await names('a')).toEqual(['b'])
    })

    it('fails to rename a missing path with ENOENT', async () => {
      expect((await failed(s.rename(rp('ghost'), rp('b')))).code).toBe('ENOENT')
    })

    it('removes a file and an empty folder', async () => {
      await write('f', 'x')
      await ok(s.mkdir(rp('d')))
      await ok(s.remove(rp('f')))
      await ok(s.remove(rp('d')))
      expect(await ok(s.list(''))).toEqual([])
      expect((await failed(s.remove(rp('f')))).code).toBe('ENOENT')
    })

    it('refuses to remove a folder that is not empty (ENOTEMPTY)', async () => {
      await ok(s.mkdir(rp('d')))
      await write('d/f', 'x')
      expect((await failed(s.remove(rp('d')))).code).toBe('ENOTEMPTY')
      expect(await names('d')).toEqual(['f'])
    })

    it('fails mkdir under a missing folder (ENOENT), on an existing path (EEXIST), under a file (ENOTDIR)', async () => {
      await write('f', 'x')
      await ok(s.mkdir(rp('d')))
      expect((await failed(s.mkdir(rp('missing/d')))).code).toBe('ENOENT')
      expect((await failed(s.mkdir(rp('d')))).code).toBe('EEXIST')
      expect((await failed(s.mkdir(rp('f')))).code).toBe('EEXIST')
      expect((await failed(s.mkdir(rp('f/d')))).code).toBe('ENOTDIR')
    })

    it('fails to read a missing file with ENOENT, naming the path', async () => {
      const error = await failed(s.read(rp('missing.txt')))
      expect(error).toMatchObject({ _tag: 'StorageError', op: 'read', path: 'missing.txt', code: 'ENOENT' })
      expect(error.message).toContain('missing.txt')
    })

    it('fails to read a folder with EISDIR', async () => {
      await ok(s.mkdir(rp('d')))
      expect((await failed(s.read(rp('d')))).code).toBe('EISDIR')
    })

    it('sets the mtime and exec bit of a file', async () => {
      await write('f', 'x')
      await ok(s.setMtime(rp('f'), 1_400_000_000_000))
      expect(await ok(s.stat(rp('f')))).toMatchObject({ mtimeMs: 1_400_000_000_000, exec: false })
      if (s.capabilities.execBit) {
        await ok(s.setExec(rp('f'), true))
        expect(await ok(s.stat(rp('f')))).toMatchObject({ mtimeMs: 1_400_000_000_000, exec: true })
        await ok(s.setExec(rp('f'), false))
        expect(await ok(s.stat(rp('f')))).toMatchObject({ exec: false })
      }
      expect((await failed(s.setMtime(rp('missing'), 1))).code).toBe('ENOENT')
    })

    it('creates a missing root with its parents, and accepts an existing one', async () => {
      const missing = await make({ rootExists: false })
      try {
        const m = missing.storage
        expect(await ok(m.stat(''))).toBeNull()
        expect((await failed(m.list(''))).code).toBe('ENOENT')
        await ok(m.createRoot())
        expect(await ok(m.stat(''))).toEqual({ kind: 'dir' })
        expect(await ok(m.list(''))).toEqual([])
        await ok(m.createRoot())
      } finally {
        await missing.cleanup()
      }
    })

    it('handles names with spaces, unicode, # and %', async () => {
      const folder = 'dossier été #1'
      const file = `${folder}/100% 日本語 ñ.txt`
      await ok(s.mkdir(rp(folder)))
      await write(file, 'ünïcödé')
      expect(await names('')).toEqual([folder])
      expect(await names(folder)).toEqual(['100% 日本語 ñ.txt'])
      expect(new TextDecoder().decode(await readAll(file))).toBe('ünïcödé')
      await ok(s.rename(rp(file), rp(`${folder}/%20#x`)))
      expect(await names(folder)).toEqual(['%20#x'])
    })
  })
}
