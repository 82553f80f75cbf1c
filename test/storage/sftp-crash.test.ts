import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApplyEvent } from '../../src/apply/apply.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import type { ProgressEvent } from '../../src/core/progress-event.ts'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { planJson } from '../../src/pair/plan-file-io.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { journalFileOf } from '../../src/state/journal-file.ts'
import { localStorage } from '../../src/storage/local.ts'
import { openSide } from '../../src/storage/open.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { ok, rp } from '../../src/testing/storage-conformance.ts'
import { readTree } from '../support/sides.ts'
import { type Sshd, sshdBinary, startSshd } from '../support/sshd.ts'

/** The server is killed here, so this file has one of its own. */
const available = process.env.CI !== undefined || sshdBinary() !== undefined
let sshd: Sshd

beforeAll(async () => {
  if (!available) return
  const started = await startSshd()
  if (typeof started === 'string') throw new Error(started)
  sshd = started
})
afterAll(async () => sshd?.stop())

const TRANSIENT = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']

/** Every string in a value, Maps included, as one text to search. */
const textOf = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v))

describe.skipIf(!available)('sftp when the server goes away', () => {
  it('reconnects for the next operation after the connection dropped', async () => {
    const opened = await openSide(sshd.url(sshd.scratch), { cwd: '/', env: {}, sftp: sshd.options })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const storage = opened.right
    try {
      expect(await ok(storage.stat(''))).toEqual({ kind: 'dir' })
      await sshd.kill()
      const down = await storage.stat('')()
      expect(E.isLeft(down) && TRANSIENT.includes(down.left.code)).toBe(true)
      await sshd.restart()
      expect(await ok(storage.stat(''))).toEqual({ kind: 'dir' })
    } finally {
      await storage.close?.()
    }
  })

  it('gives up on a server that stops answering (ETIMEDOUT), and goes on with a new connection', async () => {
    const root = await mkdtemp(join(sshd.scratch, 'hung-'))
    const opened = await openSide(sshd.url(root), {
      cwd: '/',
      env: {},
      sftp: { ...sshd.options, idleTimeoutMs: 500 },
    })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const storage = opened.right
    const thaw = sshd.freeze()
    try {
      expect(await ok(storage.stat(''))).toEqual({ kind: 'dir' })
      // A look-up was tried again on a new connection; a change is not, and says why it failed.
      const thaw2 = sshd.freeze()
      try {
        const hung = await storage.mkdir(rp('made'))()
        expect(E.isLeft(hung) && hung.left.code).toBe('ETIMEDOUT')
      } finally {
        thaw2()
      }
      await ok(storage.mkdir(rp('again')))
      expect((await readdir(root)).sort()).toContain('again')
    } finally {
      thaw()
      await storage.close?.()
    }
  })

  it('completes an apply cut by a killed server when it is run again, losing nothing and leaking no secret', async () => {
    const base = await mkdtemp(join(sshd.scratch, 'crash-'))
    const source = join(base, 'source')
    const destination = join(base, 'destination')
    await mkdir(join(source, 'deep', 'er'), { recursive: true })
    await mkdir(destination)
    const files: Record<string, Buffer> = {}
    for (let i = 0; i < 8; i++) files[`big-${i}.bin`] = randomBytes(3 * 1024 * 1024 + i)
    for (let i = 0; i < 5; i++) files[`deep/er/small-${i}.txt`] = Buffer.from(`small ${i}`)
    for (const [path, data] of Object.entries(files)) await writeFile(join(source, path), data)

    // Secrets the run knows: a passphrase for the (encrypted) key, and a password it never needs.
    const passphrase = `pp-${randomBytes(8).toString('hex')}`
    const password = `pw-${randomBytes(8).toString('hex')}`
    const home = await mkdtemp(join(sshd.dir, 'home-'))
    await mkdir(join(home, '.ssh'), { mode: 0o700 })
    await copyFile(join(sshd.home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts'))
    const key = join(home, '.ssh', 'id_ed25519')
    await copyFile(join(sshd.home, '.ssh', 'id_ed25519'), key)
    execFileSync('ssh-keygen', ['-q', '-p', '-a', '1', '-N', passphrase, '-f', key])
    const keyLines = (await readFile(key, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('-----'))
    const secrets = [passphrase, password, ...keyLines]
    const env = { SYNCENGINE_SFTP_PASSPHRASE: passphrase, SYNCENGINE_SFTP_PASSWORD: password }

    const opened = await openSide(sshd.url(destination), {
      cwd: '/',
      env,
      sftp: { home, transfers: 2, retries: 1, retryDelayMs: 50 },
    })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const remote: Storage = opened.right
    const sides = { source: localStorage(source), destination: remote }
    const stateFile = join(base, 'state.json')
    const seen: unknown[] = []
    try {
      const planned = await planPair({ sides, state: null, policy: defaultPolicy })()
      if (E.isLeft(planned)) throw new Error(JSON.stringify(planned.left))
      const plan = planned.right
      seen.push(planJson(plan))

      // The server dies while the first bytes of a file are on their way; the apply stops like a crash.
      const stop = new AbortController()
      let killed: Promise<void> | undefined
      const events: Array<ApplyEvent | ProgressEvent> = []
      const first = await applyPair({
        plan,
        sides,
        stateFile,
        transfers: 2,
        retry: { retries: 1, delayMs: 10 },
        signal: stop.signal,
        onEvent: (event) => events.push(event),
        onProgress: (event) => {
          events.push(event)
          if (killed === undefined && event.type === 'upload-file-progress' && event.bytesDone > 0) {
            killed = sshd.kill()
            stop.abort()
          }
        },
      })()
      await killed
      expect(killed).toBeDefined()
      seen.push(events, first)
      if (E.isRight(first)) {
        expect(first.right.notStarted + first.right.counts.failed).toBeGreaterThan(0)
        seen.push(await readFile(journalFileOf(stateFile), 'utf8'))
      }
      seen.push(await readFile(stateFile, 'utf8').catch(() => ''))
      // Nothing half-written under a real name: every file there is whole.
      for (const name of await readdir(destination))
        if (!name.startsWith('.syncengine-') && files[name] !== undefined)
          expect((await readFile(join(destination, name))).equals(files[name] as Buffer)).toBe(true)

      await sshd.restart()
      const events2: unknown[] = []
      const again = await applyPair({
        plan,
        sides,
        stateFile,
        transfers: 2,
        onEvent: (event) => events2.push(event),
        onProgress: (event) => events2.push(event),
      })()
      if (E.isLeft(again)) throw new Error(JSON.stringify(again.left))
      seen.push(events2, again.right, await readFile(stateFile, 'utf8'))
      expect(again.right.counts.failed).toBe(0)
      expect(again.right.notStarted).toBe(0)

      const tree = await readTree(destination)
      expect(Object.keys(tree).filter((p) => p.includes('.syncengine-'))).toEqual([])
      for (const [path, data] of Object.entries(files))
        expect((await readFile(join(destination, path))).equals(data), path).toBe(true)
      const next = await planPair({ sides, state: null, policy: defaultPolicy })()
      if (E.isLeft(next)) throw new Error(JSON.stringify(next.left))
      expect(next.right.actions.filter((a) => a.kind === 'copy')).toEqual([])

      // An error names no secret either: a wrong passphrase, and a failed operation.
      const refused = await openSide(sshd.url(destination), {
        cwd: '/',
        env: { SYNCENGINE_SFTP_PASSPHRASE: `${passphrase}x` },
        sftp: { home },
      })()
      seen.push(refused, await remote.read(rp('no such file'))())
      const text = textOf(seen)
      expect(text).toContain('big-0.bin')
      for (const secret of secrets) expect(text.includes(secret), 'a secret was written').toBe(false)
    } finally {
      await remote.close?.()
      await rm(base, { recursive: true, force: true })
    }
  })
})
