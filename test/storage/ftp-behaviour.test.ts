import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '../../src/core/policy.ts'
import type { ProgressEvent } from '../../src/core/progress-event.ts'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { syncPair } from '../../src/pair/sync-pair.ts'
import type { FtpOptions } from '../../src/storage/ftp/index.ts'
import { localStorage } from '../../src/storage/local.ts'
import { openSide } from '../../src/storage/open.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { ok, rp } from '../../src/testing/storage-conformance.ts'
import { type FtpServer, hasProftpd, startFtpServer } from '../support/ftp-server.ts'
import { type FtpFlavour, ftpUrl, openFtpSide } from '../support/ftp-side.ts'
import { tempDir } from '../support/sides.ts'

let server: FtpServer
beforeAll(async () => {
  const started = await startFtpServer()
  if (started !== undefined) server = started
}, 60_000)
afterAll(async () => server?.stop())

const available = hasProftpd() || (process.env.CI ?? '') !== ''
let folders = 0

/** A fresh folder on the server, a local folder beside it, and a place for the state. */
const place = async () => {
  const remote = join(server.home, `behaviour-${++folders}`)
  await mkdir(remote)
  const base = await tempDir()
  await mkdir(join(base, 'local'))
  return {
    remote,
    local: join(base, 'local'),
    stateFile: join(base, 'state.json'),
    base,
    cleanup: async () => {
      await rm(base, { recursive: true, force: true })
      await rm(remote, { recursive: true, force: true })
    },
  }
}

const sha256 = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject)
  })

/** The folder's files with their sha256, temporary names included (none may be left). */
const digestTree = async (dir: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort()) out[name] = await sha256(join(dir, name))
  return out
}

const open = async (flavour: FtpFlavour, path: string, extra: FtpOptions = {}) =>
  openFtpSide(server, flavour, path, extra)

describe.runIf(available)('FTP against a real server', () => {
  it('carries a 200 MiB file through FTPS intact, with progress as the bytes go, and reads it back', async () => {
    const at = await place()
    const ftps = await open('ftps', at.remote)
    try {
      const file = join(at.local, 'big.bin')
      const chunk = randomBytes(1 << 20)
      const parts = Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from(`${i}:`), chunk]))
      await writeFile(file, Buffer.concat(parts))
      const expected = await sha256(file)

      const events: ProgressEvent[] = []
      const synced = await syncPair({
        sides: { source: localStorage(at.local), destination: ftps },
        stateFile: at.stateFile,
        policy: { mode: 'source-to-destination' },
        onProgress: (event) => events.push(event),
      })()
      if (E.isLeft(synced)) throw new Error(JSON.stringify(synced.left))
      expect(synced.right.report.counts).toMatchObject({ applied: 1, failed: 0 })
      expect(await sha256(join(at.remote, 'big.bin'))).toBe(expected)
      expect(await readdir(at.remote)).toEqual(['big.bin'])

      const progress = events.flatMap((e) => (e.type === 'upload-file-progress' ? [e.bytesDone] : []))
      expect(progress.length).toBeGreaterThan(10)
      expect(progress.filter((done) => done < 200 << 20).length).toBeGreaterThan(5)

      const opened = await ok(ftps.read(rp('big.bin')))
      const hash = createHash('sha256')
      let size = 0
      for await (const part of opened.data) {
        hash.update(part)
        size += part.length
      }
      expect(size).toBe(opened.entry.kind === 'file' ? opened.entry.size : -1)
      expect(hash.digest('hex')).toBe(expected)
    } finally {
      await ftps.close?.()
      await at.cleanup()
    }
  }, 300_000)

  it('finishes an apply whose server was killed in the middle once it runs again, losing nothing', async () => {
    const at = await place()
    // Quick to give up, so the dead server fails the apply rather than stalling it.
    const ftp = await open('ftp', at.remote, { retries: 1, retryDelayMs: 10, timeoutMs: 10_000 })
    try {
      for (let i = 0; i < 12; i++) await writeFile(join(at.local, `f${i}.bin`), randomBytes(1 << 20))
      const sides = { source: localStorage(at.local), destination: ftp }
      const planned = await planPair({
        sides,
        state: null,
        policy: { ...defaultPolicy, mode: 'source-to-destination' },
      })()
      if (E.isLeft(planned)) throw new Error(JSON.stringify(planned.left))
      const plan = planned.right

      let killed: Promise<void> | undefined
      const first = await applyPair({
        plan,
        sides,
        stateFile: at.stateFile,
        transfers: 2,
        retry: { retries: 1, delayMs: 10 },
        onProgress: (event) => {
          // Mid-transfer: the first bytes of a file are on their way.
          if (event.type === 'upload-file-progress' && killed === undefined) killed = server.kill()
        },
      })()
      await killed
      expect(killed).toBeDefined()
      expect(E.isRight(first) && first.right.counts.failed).toBeGreaterThan(0)
      // Nothing under a real name is a partial file.
      const there = await digestTree(at.remote)
      const source = await digestTree(at.local)
      for (const [name, digest] of Object.entries(there))
        if (!name.startsWith('.syncengine-')) expect(digest).toBe(source[name])

      await server.restart()
      // The same storage reconnects by itself; the state says what the first run finished.
      const second = await syncPair({
        sides,
        stateFile: at.stateFile,
        policy: { mode: 'source-to-destination' },
      })()
      if (E.isLeft(second)) throw new Error(JSON.stringify(second.left))
      expect(second.right.report.counts.failed + second.right.report.counts.drifted).toBe(0)
      expect(await digestTree(at.remote)).toEqual(source)

      const again = await planPair({
        sides,
        state: second.right.report.state,
        policy: { ...defaultPolicy, mode: 'source-to-destination' },
      })()
      expect(E.isRight(again) && again.right.actions).toEqual([])
    } finally {
      await server.restart().catch(() => undefined)
      await ftp.close?.()
      await at.cleanup()
    }
  }, 120_000)

  it('never writes the password into a plan, state, journal, event or error', async () => {
    const at = await place()
    const seen: string[] = []
    const env = { SYNCENGINE_FTP_PASSWORD: server.password }
    const opened = await openSide(ftpUrl(server, 'ftps', at.remote), {
      cwd: '/',
      env,
      ftp: { caFile: server.caFile, retries: 0, retryDelayMs: 1, timeoutMs: 5_000 },
    })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const ftps = opened.right
    try {
      await writeFile(join(at.local, 'a.txt'), 'a')
      await writeFile(join(at.local, 'b.txt'), 'b')
      const sides = { source: localStorage(at.local), destination: ftps }
      const synced = await syncPair({
        sides,
        stateFile: at.stateFile,
        onProgress: (event) => seen.push(JSON.stringify(event)),
        onEvent: (event) => seen.push(JSON.stringify(event)),
      })()
      seen.push(JSON.stringify(synced))
      seen.push(await readFile(at.stateFile, 'utf8'))

      // A second apply while the server is down: errors, and a journal left behind.
      await writeFile(join(at.local, 'c.txt'), 'c')
      const planned = await planPair({
        sides,
        state: E.isRight(synced) ? synced.right.report.state : null,
        policy: defaultPolicy,
      })()
      seen.push(JSON.stringify(planned))
      await server.kill()
      if (E.isRight(planned)) {
        const failed = await applyPair({
          plan: planned.right,
          sides,
          stateFile: at.stateFile,
          retry: { retries: 0, delayMs: 1 },
          onProgress: (event) => seen.push(JSON.stringify(event)),
          onEvent: (event) => seen.push(JSON.stringify(event)),
        })()
        seen.push(JSON.stringify(failed))
      }
      for (const name of await readdir(at.base))
        if (name !== 'local') seen.push(await readFile(join(at.base, name), 'utf8').catch(() => ''))
      seen.push(JSON.stringify(await ftps.stat(rp('a.txt'))()))
      await server.restart()

      // A wrong password, and the server's refusal.
      const refused = await openSide(ftpUrl(server, 'ftp', at.remote), {
        cwd: '/',
        env: { SYNCENGINE_FTP_PASSWORD: `${server.password}-wrong` },
        ftp: {},
      })()
      expect(E.isLeft(refused)).toBe(true)
      seen.push(JSON.stringify(refused))

      expect(seen.length).toBeGreaterThan(10)
      expect(seen.join('\n')).toContain('c.txt')
      for (const text of seen) expect(text).not.toContain(server.password)
    } finally {
      await server.restart().catch(() => undefined)
      await ftps.close?.()
      await at.cleanup()
    }
  }, 120_000)

  it('checks the certificate unless told otherwise, over implicit and explicit TLS', async () => {
    const at = await place()
    try {
      for (const flavour of ['ftps', 'ftp+tls'] as const) {
        const refused = await openSide(ftpUrl(server, flavour, at.remote), {
          cwd: '/',
          env: { SYNCENGINE_FTP_PASSWORD: server.password },
          ftp: flavour === 'ftp+tls' ? { tls: 'explicit' } : {},
        })()
        expect(E.isLeft(refused) && refused.left).toMatchObject({
          _tag: 'StorageUnavailable',
          message: expect.stringMatching(/certificate/i),
        })
        const trusted = await openSide(ftpUrl(server, flavour, at.remote), {
          cwd: '/',
          env: { SYNCENGINE_FTP_PASSWORD: server.password },
          ftp: { ...(flavour === 'ftp+tls' ? { tls: 'explicit' } : {}), insecureAcceptAnyCertificate: true },
        })()
        if (E.isLeft(trusted)) throw new Error(JSON.stringify(trusted.left))
        expect(await ok(trusted.right.stat(''))).toEqual({ kind: 'dir' })
        await trusted.right.close?.()
      }
    } finally {
      await at.cleanup()
    }
  })

  it('takes the password from the environment or a prompt, never the URL', async () => {
    const at = await place()
    try {
      const url = ftpUrl(server, 'ftp', at.remote)
      const none = await openSide(url, { cwd: '/', env: {} })()
      expect(E.isLeft(none) && none.left).toMatchObject({
        message: expect.stringContaining('SYNCENGINE_FTP_PASSWORD'),
      })
      const inUrl = await openSide(url.replace('@', `:${server.password}@`), { cwd: '/', env: {} })()
      expect(E.isLeft(inUrl) && inUrl.left).toMatchObject({ _tag: 'SideUrlInvalid' })
      expect(JSON.stringify(inUrl)).not.toContain(server.password)
      const asked: string[] = []
      const prompted = await openSide(url, {
        cwd: '/',
        env: {},
        ftp: {
          askPassword: async ({ user, host }) => {
            asked.push(`${user}@${host}`)
            return server.password
          },
        },
      })()
      if (E.isLeft(prompted)) throw new Error(JSON.stringify(prompted.left))
      expect(asked).toEqual([`${server.user}@${server.host}`])
      expect(prompted.right.root).toBe(url)
      await prompted.right.close?.()
    } finally {
      await at.cleanup()
    }
  })

  it('copies a file within the server on a single connection without waiting on itself', async () => {
    const at = await place()
    const ftp: Storage = await open('ftp', at.remote, { transfers: 1 })
    try {
      await writeFile(join(at.remote, 'a.bin'), randomBytes(3 << 20))
      const opened = await ok(ftp.read(rp('a.bin')))
      const staged = await ok(
        ftp.stage(rp('b.bin'), opened.data, { mtimeMs: 1_600_000_000_000, exec: false }, 'abcdef0123'),
      )
      await ok(staged.commit())
      expect(await sha256(join(at.remote, 'b.bin'))).toBe(await sha256(join(at.remote, 'a.bin')))
    } finally {
      await ftp.close?.()
      await at.cleanup()
    }
  })

  it('fails a read whose file changed while it was read with ECHANGED', async () => {
    const at = await place()
    const ftp = await open('ftp', at.remote)
    try {
      await writeFile(join(at.remote, 'f.bin'), randomBytes(8 << 20))
      const opened = await ok(ftp.read(rp('f.bin')))
      const failure = (async () => {
        let first = true
        for await (const _ of opened.data) {
          if (first) await writeFile(join(at.remote, 'f.bin'), randomBytes(1 << 20))
          first = false
        }
      })()
      await expect(failure).rejects.toMatchObject({ code: 'ECHANGED' })
    } finally {
      await ftp.close?.()
      await at.cleanup()
    }
  })
})

describe.runIf(available)('FTP sides in plans', () => {
  it('names the side by its URL without credentials', async () => {
    const at = await place()
    const ftp = await open('ftp', at.remote)
    try {
      expect(ftp.root).toBe(`ftp://${server.user}@${server.host}:${server.port}${at.remote}`)
      expect(ftp.capabilities).toEqual({
        caseSensitive: true,
        normalizesUnicode: false,
        mtimePrecisionMs: 1000,
        symlinks: false,
        execBit: true,
        keepsMtime: true,
      })
      const withoutMfmt = await open('ftp', at.remote, { setMtime: false })
      expect(withoutMfmt.capabilities.keepsMtime).toBe(false)
      await withoutMfmt.close?.()
    } finally {
      await ftp.close?.()
      await at.cleanup()
    }
  })
})
