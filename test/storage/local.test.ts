import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { localStorage } from '../../src/storage/local.ts'
import type { Storage, StorageError } from '../../src/storage/storage.ts'
import { describeStorageConformance, failed, ok, rp } from '../../src/testing/storage-conformance.ts'

const tempDir = (): Promise<string> => fs.mkdtemp(path.join(os.tmpdir(), 'syncengine-local-'))

describeStorageConformance('local', async ({ rootExists }) => {
  const base = await tempDir()
  const root = rootExists ? base : path.join(base, 'missing', 'root')
  return { storage: localStorage(root), cleanup: () => fs.rm(base, { recursive: true, force: true }) }
})

describe('local storage on a real disk', () => {
  let base: string
  let root: string
  let storage: Storage
  beforeEach(async () => {
    base = await tempDir()
    root = path.join(base, 'root')
    await fs.mkdir(root)
    storage = localStorage(root)
  })
  afterEach(async () => {
    await fs.chmod(path.join(root, 'secret'), 0o755).catch(() => undefined)
    await fs.rm(base, { recursive: true, force: true })
  })

  it('reports a symlink to a folder outside the root as a link, never following it', async () => {
    const outside = path.join(base, 'outside')
    await fs.mkdir(outside)
    await fs.writeFile(path.join(outside, 'private.txt'), 'not ours')
    await fs.symlink(outside, path.join(root, 'link'))

    expect(await ok(storage.list(''))).toEqual([
      { name: 'link', entry: { kind: 'symlink', target: outside } },
    ])
    expect(await ok(storage.stat(rp('link')))).toEqual({ kind: 'symlink', target: outside })
    expect((await failed(storage.list(rp('link')))).code).toBe('ENOTDIR')
    expect((await failed(storage.read(rp('link')))).code).toBe('ELOOP')
    expect((await failed(storage.setMtime(rp('link'), 1_000))).code).toBe('ELOOP')

    await ok(storage.remove(rp('link')))
    expect(await fs.readdir(root)).toEqual([])
    expect(await fs.readFile(path.join(outside, 'private.txt'), 'utf8')).toBe('not ours')
  })

  it('reports a fifo as special and refuses to read it instead of blocking', async () => {
    execFileSync('mkfifo', [path.join(root, 'pipe')])
    expect(await ok(storage.list(''))).toEqual([{ name: 'pipe', entry: { kind: 'special', what: 'fifo' } }])
    expect((await failed(storage.read(rp('pipe')))).code).toBe('EINVAL')
  })

  it('reads the exec bit set by chmod and sets it like git does', async () => {
    const file = path.join(root, 'tool.sh')
    await fs.writeFile(file, '#!/bin/sh\n')
    await fs.chmod(file, 0o755)
    expect(await ok(storage.stat(rp('tool.sh')))).toMatchObject({ kind: 'file', exec: true })

    await ok(storage.setExec(rp('tool.sh'), false))
    expect((await fs.stat(file)).mode & 0o777).toBe(0o644)
    // x only where there is r: a group-readable file becomes group-executable, others stay out.
    await fs.chmod(file, 0o640)
    await ok(storage.setExec(rp('tool.sh'), true))
    expect((await fs.stat(file)).mode & 0o777).toBe(0o750)
    expect(await ok(storage.stat(rp('tool.sh')))).toMatchObject({ exec: true })
  })

  it('reports a file with its size, rounded mtime, and an identity of inode and birth time', async () => {
    const file = path.join(root, 'f')
    await fs.writeFile(file, 'twelve bytes')
    await fs.utimes(file, 1_600_000_000, 1_600_000_000.1236)
    const st = await fs.stat(file)
    expect(await ok(storage.stat(rp('f')))).toEqual({
      kind: 'file',
      size: 12,
      mtimeMs: 1_600_000_000_124,
      exec: false,
      id: `${st.dev}:${st.ino}:${st.birthtimeMs}`,
      change: String(st.ctimeMs),
    })
  })

  it('gives an unreadable folder as a Left with EACCES and the absolute path', async () => {
    const secret = path.join(root, 'secret')
    await fs.mkdir(secret)
    await fs.writeFile(path.join(secret, 'f'), 'x')
    await fs.chmod(secret, 0o000)
    const error =
      process.getuid?.() === 0 ? await listAsNobody(base, root) : await failed(storage.list(rp('secret')))
    expect(error).toMatchObject({ _tag: 'StorageError', op: 'list', path: 'secret', code: 'EACCES' })
    expect(error.message).toBe(`cannot list ${secret}: permission denied (EACCES)`)
  })

  it('lists a file named like a temp file: only its own staged writes are hidden', async () => {
    await fs.writeFile(path.join(root, '.syncengine-0123abcd.tmp'), 'a user file')
    await fs.writeFile(path.join(root, 'real'), 'r')
    expect((await ok(storage.list(''))).map((l) => l.name).sort()).toEqual([
      '.syncengine-0123abcd.tmp',
      'real',
    ])
    expect(await ok(storage.stat(rp('.syncengine-0123abcd.tmp')))).toMatchObject({ kind: 'file' })
  })

  it('removes only the staged writes of the token it is given', async () => {
    const theirs = ['.syncengine-0123abcd.tmp', '.syncengine-feedface00-1.tmp', '.syncengine-abcdef0123.tmp']
    for (const name of theirs) await fs.writeFile(path.join(root, name), 'not ours')
    await fs.writeFile(path.join(root, '.syncengine-abcdef0123-9f.tmp'), 'ours')
    expect(await ok(storage.removeStaged('', 'abcdef0123'))).toBe(1)
    expect((await fs.readdir(root)).sort()).toEqual([...theirs].sort())
  })

  it('stages beside the target and cleans up when the data fails midway', async () => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('start')
      throw Object.assign(new Error('source went away'), { code: 'ECONNRESET' })
    }
    const error = await failed(
      storage.stage(rp('f'), broken(), { mtimeMs: 1_000, exec: false }, 'abcdef0123'),
    )
    expect(error).toMatchObject({ op: 'stage', path: 'f', code: 'ECONNRESET' })
    expect(await fs.readdir(root)).toEqual([])
  })

  it('fails to commit when the staged file vanished, leaving the target alone', async () => {
    await fs.writeFile(path.join(root, 'f'), 'old')
    const staged = await ok(
      storage.stage(rp('f'), (async function* () {})(), { mtimeMs: 1_000, exec: false }, 'abcdef0123'),
    )
    const [temp] = (await fs.readdir(root)).filter((n) => n !== 'f')
    await fs.unlink(path.join(root, temp ?? ''))
    expect((await failed(staged.commit())).code).toBe('ENOENT')
    await ok(staged.discard())
    expect(await fs.readFile(path.join(root, 'f'), 'utf8')).toBe('old')
  })
})

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * Root reads any folder whatever its mode, so as root the check runs in a child that loads the code first and
 * then drops to nobody: the Left is shown for real in CI too, never skipped.
 */
const listAsNobody = async (base: string, root: string): Promise<StorageError> => {
  const script = path.join(base, 'list-as-nobody.mts')
  const local = path.join(here, '../../src/storage/local.ts')
  await fs.chmod(base, 0o755)
  await fs.chmod(root, 0o755)
  await fs.writeFile(
    script,
    [
      `import { localStorage } from ${JSON.stringify(local)}`,
      'process.setgid(65534)',
      'process.setuid(65534)',
      `const result = await localStorage(${JSON.stringify(root)}).list('secret')()`,
      'process.stdout.write(JSON.stringify(result))',
    ].join('\n'),
  )
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
    cwd: path.join(here, '../..'),
    encoding: 'utf8',
  })
  const result = JSON.parse(out) as E.Either<StorageError, unknown>
  if (E.isRight(result)) throw new Error(`nobody could list the folder: ${out}`)
  return result.left
}

describe('probing how a local root treats names', () => {
  it('answers for this file system, leaves nothing behind, and never touches a file named like a probe', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'syncengine-probe-'))
    try {
      const gone = spawnSync(process.execPath, ['-e', '0']).pid
      const lookalikes = [`.syncengine-Probe-${gone}-x.tmp`, '.syncengine-0123abcd-probe-é.tmp']
      for (const name of lookalikes) await fs.writeFile(path.join(root, name), 'mine')
      const storage = localStorage(root)
      expect(await storage.probeNames?.('feedc0de')).toEqual({
        caseSensitive: true,
        normalizesUnicode: false,
      })
      expect((await fs.readdir(root)).sort()).toEqual([...lookalikes].sort())
    } finally {
      await fs.rm(root, { recursive: true, force: true })
    }
  })
})
