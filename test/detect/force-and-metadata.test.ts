import { execFileSync } from 'node:child_process'
import { chmod, lstat, readlink, stat, symlink, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MODES, type Mode } from '../../src/core/policy.ts'
import { leavesRoot } from '../../src/snapshot/snapshot.ts'
import { session } from '../support/session.ts'
import { localPair, memoryPair, type TestPair } from '../support/sides.ts'

const allowsUpload = (mode: Mode): boolean =>
  ['two-way', 'source-to-destination', 'source-backup'].includes(mode)
const allowsDownload = (mode: Mode): boolean =>
  ['two-way', 'destination-to-source', 'destination-backup'].includes(mode)

describe('force flags', () => {
  it.each(MODES)(
    '%s: --force-upload and --force-download re-send identical files where the mode allows that direction',
    async (mode) => {
      const pair = memoryPair()
      const run = session(pair, { mode })
      await pair.source.put('same.txt', 'identical')
      await run.sync({ mode: 'two-way' })

      const up = await run.plan({ force: { upload: true, download: false } })
      expect(up.actions).toEqual(
        allowsUpload(mode)
          ? [expect.objectContaining({ kind: 'copy', direction: 'upload', path: 'same.txt', forced: true })]
          : [],
      )
      const down = await run.plan({ force: { upload: false, download: true } })
      expect(down.actions).toEqual(
        allowsDownload(mode)
          ? [expect.objectContaining({ kind: 'copy', direction: 'download', path: 'same.txt', forced: true })]
          : [],
      )
    },
  )

  it('a forced copy really transfers the file again', async () => {
    const pair = await localPair()
    try {
      const run = session(pair)
      await pair.source.put('same.txt', 'identical')
      await run.sync()
      const before = (await stat(join(pair.destination.storage.root, 'same.txt'))).ino
      const { plan, report } = await run.sync({ force: { upload: true, download: false } })
      expect(plan.actions).toHaveLength(1)
      expect(report.counts.applied).toBe(1)
      expect((await stat(join(pair.destination.storage.root, 'same.txt'))).ino).not.toBe(before)
      expect((await run.plan()).actions).toEqual([])
    } finally {
      await pair.cleanup()
    }
  })
})

describe('metadata on local disk', () => {
  let pair: TestPair
  afterEach(async () => pair.cleanup())

  it('symlinks round-trip as links, never followed', async () => {
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('real.txt', 'real')
    await pair.source.symlink('link', 'real.txt')
    await pair.source.symlink('outside', '/etc/hostname')
    await run.sync()
    const dst = pair.destination.storage.root
    expect((await lstat(join(dst, 'link'))).isSymbolicLink()).toBe(true)
    expect(await readlink(join(dst, 'link'))).toBe('real.txt')
    expect(await readlink(join(dst, 'outside'))).toBe('/etc/hostname')

    // A new target is a change like any other, and goes the other way too.
    await unlink(join(dst, 'link'))
    await symlink('elsewhere.txt', join(dst, 'link'))
    await run.sync()
    expect(await readlink(join(pair.source.storage.root, 'link'))).toBe('elsewhere.txt')
    expect((await run.plan()).actions).toEqual([])
  })

  it('the exec bit round-trips, and other permission bits are left alone', async () => {
    pair = await localPair()
    const run = session(pair)
    await pair.source.put('tool.sh', '#!/bin/sh\necho hi\n', { exec: true })
    await pair.source.put('data.txt', 'data')
    await run.sync()
    const dst = pair.destination.storage.root
    expect((await stat(join(dst, 'tool.sh'))).mode & 0o111).not.toBe(0)
    expect((await stat(join(dst, 'data.txt'))).mode & 0o111).toBe(0)

    await chmod(join(dst, 'tool.sh'), 0o644)
    await run.sync()
    expect((await stat(join(pair.source.storage.root, 'tool.sh'))).mode & 0o111).toBe(0)
    expect((await run.plan()).actions).toEqual([])
  })
})

describe('links that leave the root', () => {
  it.each([
    ['', '/etc/passwd', true],
    ['', '../outside', true],
    ['a/b', '../../x', false],
    ['a/b', '../../../x', true],
    ['a', './b/../c', false],
    ['', 'C:\\Windows', true],
  ])('in %j, a link to %j leaves the root: %s', (folder, target, leaves) => {
    expect(leavesRoot(folder, target)).toBe(leaves)
  })

  it('are reported in the plan, and still synced as links', async () => {
    const pair = memoryPair()
    await pair.source.symlink('escape', '../../etc')
    const { plan } = await session(pair).sync()
    expect(plan.warnings).toEqual([
      {
        path: 'escape',
        message: expect.stringContaining('source: symlink to ../../etc points outside the root'),
      },
    ])
    expect(await pair.destination.tree()).toEqual({ escape: '-> ../../etc' })
  })
})

describe('special files', () => {
  it('a fifo is skipped with a warning, never read or copied', async () => {
    const pair = await localPair()
    try {
      execFileSync('mkfifo', [join(pair.source.storage.root, 'pipe')])
      await pair.source.put('a.txt', 'a')
      const { plan } = await session(pair).sync()
      expect(plan.warnings).toEqual([{ path: 'pipe', message: expect.stringContaining('skipped fifo') }])
      expect(await pair.destination.tree()).toEqual({ 'a.txt': 'a' })
    } finally {
      await pair.cleanup()
    }
  })
})
