import { spawn, spawnSync } from 'node:child_process'
import { appendFile, chmod, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { syncPair } from '../../src/pair/sync-pair.ts'
import { localStorage } from '../../src/storage/local.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { type CliPair, cliPair, putTree, runCli } from '../cli/run-cli.ts'
import { bytesTree } from '../support/bytes-tree.ts'
import { readTree } from '../support/sides.ts'

/**
 * The holes a hostile or unlucky user found: each either deleted files, or ended with "in sync" while the
 * two folders held different bytes. Every test runs the CLI on real folders and checks the folders.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const cli = (p: CliPair, ...argv: string[]) => runCli(argv, { cwd: p.scratch })
const sync = (p: CliPair, ...flags: string[]) =>
  cli(p, 'sync', p.src, p.dst, '--state', p.stateFile, ...flags)
const plan = (p: CliPair, ...flags: string[]) =>
  cli(p, 'plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode', ...flags)

/** "No changes" is only ever printed over two folders with the same bytes under the same names. */
const expectInSync = async (p: CliPair, ...flags: string[]) => {
  const again = await plan(p, ...flags)
  expect(again.stdout).toContain('No changes')
  expect(again.code).toBe(0)
  expect(await bytesTree(p.dst)).toEqual(await bytesTree(p.src))
}

describe('a missing or empty root never deletes the other side', () => {
  it('refuses a mirror from a source that does not exist (a typo), even on a first sync', async () => {
    pair = await cliPair()
    await putTree(pair.destination, { 'a.txt': 'a', 'b/c.txt': 'c' })
    const before = await readTree(pair.dst)
    const typo = join(pair.base, 'sourc')
    const synced = await cli(
      pair,
      'sync',
      typo,
      pair.dst,
      '--state',
      pair.stateFile,
      '--mode',
      'source-to-destination',
    )
    expect(synced.code).toBe(1)
    expect(synced.stderr).toContain(typo)
    expect(synced.stderr).toContain('does not exist')
    expect(await readTree(pair.dst)).toEqual(before)
  })

  it('creates a mirror target that does not exist, and the plan says so', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'a' })
    const target = join(pair.base, 'new-target')
    const planned = await cli(
      pair,
      'plan',
      pair.src,
      target,
      '--state',
      pair.stateFile,
      '--mode',
      'source-backup',
    )
    expect(planned.code).toBe(0)
    expect(planned.stdout).toContain('The destination does not exist: it will be created.')
    const synced = await cli(
      pair,
      'sync',
      pair.src,
      target,
      '--state',
      pair.stateFile,
      '--mode',
      'source-backup',
    )
    expect(synced.code).toBe(0)
    expect(await readTree(target)).toEqual({ 'a.txt': 'a' })
  })

  it.each(['two-way', 'source-to-destination'])(
    '%s: a source that comes back empty (an unmounted disk) deletes nothing, whatever the count',
    async (mode) => {
      pair = await cliPair()
      await putTree(pair.source, { 'a.txt': 'a', 'b.txt': 'b', 'c/d.txt': 'd' })
      expect((await sync(pair, '--mode', mode)).code).toBe(0)
      for (const name of ['a.txt', 'b.txt', 'c']) await rm(join(pair.src, name), { recursive: true })
      const before = await readTree(pair.dst)

      const blocked = await sync(pair, '--mode', mode)
      expect(blocked.code).toBe(1)
      expect(blocked.stderr).toContain('is empty now, though it held files at the last sync')
      expect(await readTree(pair.dst)).toEqual(before)

      const allowed = await sync(pair, '--mode', mode, '--allow-mass-delete')
      expect(allowed.code).toBe(0)
      expect(await readTree(pair.dst)).toEqual({})
    },
  )

  it('refuses a first mirror into a folder whose every file it would delete', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'new.txt': 'n' })
    await putTree(pair.destination, { 'mine.txt': 'precious', 'also/mine.txt': 'precious too' })
    const before = await readTree(pair.dst)
    const blocked = await sync(pair, '--mode', 'source-to-destination')
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain('deletes every file the destination holds')
    expect(await readTree(pair.dst)).toEqual(before)
  })

  it('blocks a plan that deletes the only file a side holds, and lets it through when allowed', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'only.txt': 'o' })
    expect((await sync(pair)).code).toBe(0)
    // The source is not empty (a new folder): what trips the guard is the destination losing its only file.
    await rm(join(pair.src, 'only.txt'))
    await mkdir(join(pair.src, 'new'))
    const planned = await plan(pair)
    expect(planned.stdout).toContain('Blocked: it deletes every file the destination holds (1 of 1)')
    expect((await sync(pair)).code).toBe(1)
    expect(await readTree(pair.dst)).toEqual({ 'only.txt': 'o' })
    expect((await sync(pair, '--allow-mass-delete')).code).toBe(0)
    expect(await readTree(pair.dst)).toEqual({ 'new/': '' })
  })
})

describe('names that look like the tool’s own files are a user’s files', () => {
  it('syncs files named like probe and temporary files, and never deletes them', async () => {
    pair = await cliPair()
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    const names = [`.syncengine-Probe-${dead}-x.tmp`, '.syncengine-1234abcd.tmp', '.syncengine-5678-x.tmp']
    for (const name of names) await writeFile(join(pair.src, name), `user data in ${name}`)
    expect((await sync(pair)).code).toBe(0)
    expect(await plan(pair)).toMatchObject({ code: 0 })
    for (const name of names) {
      expect(await readFile(join(pair.src, name), 'utf8')).toBe(`user data in ${name}`)
      expect(await readFile(join(pair.dst, name), 'utf8')).toBe(`user data in ${name}`)
    }
  })

  it('cleans up after a crash only the temporary files the journal says the crashed apply made', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'a' })
    expect((await sync(pair)).code).toBe(0)
    // What a crash mid-copy leaves: a journal naming its token, a begun action, its staged file.
    const header = {
      format: 'syncengine-journal',
      version: 1,
      plan: 'f'.repeat(64),
      base: null,
      token: 'aaaa1111bbbb2222',
    }
    await writeFile(
      `${pair.stateFile}.journal`,
      `${JSON.stringify(header)}\n${JSON.stringify({ begin: 0, side: 'destination', folder: '' })}\n`,
    )
    await writeFile(join(pair.dst, '.syncengine-aaaa1111bbbb2222-0f.tmp'), 'half a copy')
    const theirs = ['.syncengine-cccc3333dddd4444-0f.tmp', '.syncengine-x.tmp']
    for (const name of theirs) await writeFile(join(pair.dst, name), 'a user file')

    const planned = await plan(pair)
    expect(planned.code).toBe(2)
    const left = Object.keys(await readTree(pair.dst)).sort()
    expect(left).toEqual(['.syncengine-cccc3333dddd4444-0f.tmp', '.syncengine-x.tmp', 'a.txt'])
  })
})

describe('a plan edited by hand cannot hide what it does', () => {
  const mirrorOfNothing = async (p: CliPair): Promise<string> => {
    await putTree(
      p.source,
      Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, `${i}`]),
      ),
    )
    expect((await sync(p)).code).toBe(0)
    await putTree(p.source, { 'keep.txt': 'k' })
    for (let i = 0; i < 20; i++) await rm(join(p.src, `f${String(i).padStart(2, '0')}.txt`))
    const file = join(p.scratch, 'plan.json')
    expect((await cli(p, 'plan', p.src, p.dst, '--state', p.stateFile, '--out', file)).code).toBe(0)
    return file
  }

  it('refuses a plan whose blocked verdict was set to null, and deletes nothing', async () => {
    pair = await cliPair()
    const file = await mirrorOfNothing(pair)
    const json = JSON.parse(await readFile(file, 'utf8'))
    expect(json.blocked).not.toBeNull()
    json.blocked = null
    await writeFile(file, JSON.stringify(json))
    const before = await readTree(pair.dst)
    const applied = await cli(pair, 'apply', file, '--state', pair.stateFile)
    expect(applied.code).toBe(1)
    expect(applied.stderr).toContain('the plan was edited')
    expect(await readTree(pair.dst)).toEqual(before)
  })

  it('refuses to show a plan whose summary hides its deletes', async () => {
    pair = await cliPair()
    const file = await mirrorOfNothing(pair)
    const json = JSON.parse(await readFile(file, 'utf8'))
    json.summary.delete = { source: 0, destination: 0 }
    await writeFile(file, JSON.stringify(json))
    const shown = await cli(pair, 'show', file)
    expect(shown.code).toBe(1)
    expect(shown.stdout).not.toContain('0 to delete')
    expect(shown.stderr).toContain('summary')
  })
})

describe('in sync means the same bytes', () => {
  it('two edits on both sides with the same size and mtime are compared, never recorded as in sync', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'f.txt': 'v0' })
    expect((await sync(pair)).code).toBe(0)
    const when = new Date('2026-06-01T12:00:00Z')
    await writeFile(join(pair.src, 'f.txt'), 'source edit')
    await writeFile(join(pair.dst, 'f.txt'), 'dest edit!!')
    await utimes(join(pair.src, 'f.txt'), when, when)
    await utimes(join(pair.dst, 'f.txt'), when, when)

    const synced = await sync(pair)
    expect(synced.code).toBe(0)
    // Both versions survive, on both sides: one under the name, one beside it.
    const contents = Object.values(await readTree(pair.src)).sort()
    expect(contents).toEqual(['dest edit!!', 'source edit'])
    await expectInSync(pair)
    await expectInSync(pair, '--compare', 'checksum')
  })

  it('--compare checksum sees an in-place edit that keeps size and mtime', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'f.txt': 'version 1' })
    expect((await sync(pair, '--compare', 'checksum')).code).toBe(0)
    const file = join(pair.src, 'f.txt')
    const { mtime } = await stat(file)
    await writeFile(file, 'version 2')
    await utimes(file, mtime, mtime)

    const planned = await plan(pair, '--compare', 'checksum')
    expect(planned.code).toBe(2)
    expect((await sync(pair, '--compare', 'checksum')).code).toBe(0)
    expect(await readFile(join(pair.dst, 'f.txt'), 'utf8')).toBe('version 2')
    await expectInSync(pair, '--compare', 'checksum')
  })

  it('syncs names that are not UTF-8 byte for byte, and names them readably', async () => {
    pair = await cliPair()
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]) // "café.txt" in Latin-1
    const folder = Buffer.from([0x64, 0xff, 0xfe]) // "d\xff\xfe"
    await writeFile(Buffer.concat([Buffer.from(`${pair.src}/`), latin1]), 'latin-1 name')
    await writeFile(join(pair.src, 'café.txt'), 'utf-8 name')
    await mkdir(Buffer.concat([Buffer.from(`${pair.src}/`), folder]))
    await writeFile(Buffer.concat([Buffer.from(`${pair.src}/`), folder, Buffer.from('/in.txt')]), 'inside')
    const planned = await plan(pair, '--json')
    expect(planned.code).toBe(2)
    // In JSON, the byte 0xE9 is the code point U+10FF69: valid UTF-8, and it reads back as that byte.
    expect(planned.stdout).toContain('caf\u{10FF69}.txt')
    const synced = await sync(pair)
    expect(synced.code).toBe(0)
    expect(await bytesTree(pair.dst)).toEqual(await bytesTree(pair.src))
    expect(Object.keys(await bytesTree(pair.dst))).toContain('caf%e9.txt')
    await expectInSync(pair)
  })

  it('carries a touch and an exec bit change over as metadata, without a transfer', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'touched.txt': 'same bytes', 'tool.sh': 'echo hi' })
    expect((await sync(pair)).code).toBe(0)
    const later = new Date('2026-07-01T08:00:00Z')
    await utimes(join(pair.src, 'touched.txt'), later, later)
    await chmod(join(pair.dst, 'tool.sh'), 0o755)

    const planned = await plan(pair)
    expect(planned.code).toBe(2)
    expect(planned.stdout).toMatch(/~ metadata on destination +touched\.txt/)
    expect(planned.stdout).toMatch(/~ metadata on source +tool\.sh/)
    expect(planned.stdout).toContain('Plan: 0 to upload, 0 to download')
    expect(planned.stdout).toContain('Metadata: 2 files')
    expect((await sync(pair)).code).toBe(0)
    expect((await stat(join(pair.dst, 'touched.txt'))).mtime).toEqual(later)
    expect((await stat(join(pair.src, 'tool.sh'))).mode & 0o111).not.toBe(0)
    await expectInSync(pair)
  })

  it('keeps mtimes before 1970 exactly', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'old.txt': 'from 1969' })
    const old = new Date('1969-07-20T20:17:40Z')
    await utimes(join(pair.src, 'old.txt'), old, old)
    expect((await sync(pair)).code).toBe(0)
    expect((await stat(join(pair.dst, 'old.txt'))).mtime).toEqual(old)
    await expectInSync(pair)
  })

  it('keeps holes in a sparse file', async () => {
    pair = await cliPair()
    const file = join(pair.src, 'sparse.img')
    await writeFile(file, 'head')
    spawnSync('truncate', ['-s', '16M', file])
    await writeFile(join(pair.src, 'tail.txt'), 'x')
    expect((await sync(pair)).code).toBe(0)
    const copy = await stat(join(pair.dst, 'sparse.img'))
    expect(copy.size).toBe(16 * 1024 * 1024)
    // Blocks actually allocated: a few, not 64 MiB of zeros.
    expect(copy.blocks * 512).toBeLessThan(1024 * 1024)
    expect((await readFile(join(pair.dst, 'sparse.img'))).subarray(0, 4).toString()).toBe('head')
    await expectInSync(pair)
  })
})

describe('a file written while it is copied', () => {
  it('is drift, never a torn copy recorded as in sync', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'f.txt': 'first version' })
    const p = pair
    const source = localStorage(p.src)
    // A writer appends while the copy reads: between the open and the end of the read.
    const writing: Storage = {
      ...source,
      read: (path) => async () => {
        const opened = await source.read(path)()
        if (path === 'f.txt') await appendFile(join(p.src, 'f.txt'), ' and more, written during the copy')
        return opened
      },
    }
    const sides = { source: writing, destination: localStorage(p.dst) }
    const first = await syncPair({ sides, stateFile: p.stateFile })()
    if (E.isLeft(first)) throw new Error(JSON.stringify(first.left))
    expect(first.right.report.counts.drifted).toBe(1)
    expect(await readTree(p.dst)).toEqual({})

    // The writer is done: the next run copies the whole file, and says in sync only then.
    const second = await syncPair({ sides: { ...sides, source }, stateFile: p.stateFile })()
    if (E.isLeft(second)) throw new Error(JSON.stringify(second.left))
    expect(second.right.report.counts.applied).toBe(1)
    await expectInSync(p)
  })

  it('files rewritten on both sides during syncs end equal once the writers stop', async () => {
    pair = await cliPair()
    const names = Array.from({ length: 12 }, (_, i) => `w${i}.txt`)
    await putTree(pair.source, Object.fromEntries(names.map((n) => [n, 'start'])))
    expect((await sync(pair)).code).toBe(0)
    // Editors' way of saving: truncate, write the new bytes, then set the mtime.
    const writer = (root: string) =>
      spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('fs'); const names = ${JSON.stringify(names)}; let n = 0;
           const tick = () => { const f = ${JSON.stringify(root)} + '/' + names[n % names.length];
             fs.writeFileSync(f, ''); fs.writeFileSync(f, 'edit ' + n + ' ' + 'x'.repeat(n % 7));
             const t = new Date(1.7e12 + (n++ % 5) * 1000); fs.utimesSync(f, t, t); setImmediate(tick) };
           tick(); process.on('message', () => process.exit(0))`,
        ],
        { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      )
    const writers = [writer(pair.src), writer(pair.dst)]
    try {
      for (let round = 0; round < 15; round++) {
        const synced = await sync(pair, '--conflict', 'source')
        expect([0, 3], synced.stderr).toContain(synced.code)
      }
    } finally {
      await Promise.all(
        writers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve())
              w.send('stop')
            }),
        ),
      )
    }
    for (let round = 0; round < 3 && (await plan(pair)).code !== 0; round++)
      await sync(pair, '--conflict', 'source')
    await expectInSync(pair)
  })
})

describe('a probe killed half way', () => {
  it('leaves a record, and the next run removes that probe file and no user file', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'a' })
    await writeFile(`${pair.stateFile}.probe`, '0123456789abcdef\n')
    await writeFile(join(pair.src, '.syncengine-0123456789abcdef-Probe-é.tmp'), '')
    await writeFile(join(pair.src, '.syncengine-fedcba9876543210-Probe-é.tmp'), 'a user file')
    expect((await sync(pair)).code).toBe(0)
    expect(Object.keys(await readTree(pair.src)).sort()).toEqual([
      '.syncengine-fedcba9876543210-Probe-é.tmp',
      'a.txt',
    ])
    expect(Object.keys(await readTree(pair.dst)).sort()).toEqual([
      '.syncengine-fedcba9876543210-Probe-é.tmp',
      'a.txt',
    ])
  })
})
