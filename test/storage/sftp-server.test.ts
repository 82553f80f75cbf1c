import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '../../src/core/policy.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { localStorage } from '../../src/storage/local.ts'
import { type OpenError, type OpenOptions, openSide } from '../../src/storage/open.ts'
import type { SftpOptions } from '../../src/storage/sftp/sftp-options.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { failed, ok, rp } from '../../src/testing/storage-conformance.ts'
import { type SftpTestServer, sftpTestServer } from '../support/sftp-side.ts'
import { type Sshd, sshdBinary, startSshd } from '../support/sshd.ts'

const available = process.env.CI !== undefined || sshdBinary() !== undefined

let server: SftpTestServer
let sshd: Sshd

beforeAll(async () => {
  if (!available) return
  const started = await startSshd()
  if (typeof started === 'string') throw new Error(started)
  sshd = started
  server = await sftpTestServer(sshd)
})
afterAll(async () => {
  await server?.close()
  await sshd?.stop()
})

const open = async (url: string, options: Partial<OpenOptions> & { sftp?: SftpOptions } = {}) =>
  openSide(url, { cwd: '/', env: {}, ...options, sftp: { ...sshd.options, ...options.sftp } })()

const opened = async (url: string, options: Partial<OpenOptions> & { sftp?: SftpOptions } = {}) => {
  const result = await open(url, options)
  if (E.isLeft(result)) throw new Error(`cannot open ${url}: ${JSON.stringify(result.left)}`)
  return result.right
}

const refusal = async (url: string, options: Partial<OpenOptions> & { sftp?: SftpOptions } = {}) => {
  const result = await open(url, options)
  if (E.isRight(result)) {
    await result.right.close?.()
    throw new Error(`expected ${url} to be refused`)
  }
  return result.left as Extract<OpenError, { _tag: 'StorageUnavailable' }>
}

const promised = <A>(run: (done: (error: Error | undefined | null, value?: A) => void) => void): Promise<A> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as A))))

const sha256 = (data: string | Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** A HOME of its own, with the test user's key and the given known_hosts text. */
const homeWith = async (knownHosts: string, config = ''): Promise<string> => {
  const home = await mkdtemp(join(sshd.dir, 'home-'))
  await mkdir(join(home, '.ssh'), { mode: 0o700 })
  await copyFile(join(sshd.home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_ed25519'))
  await writeFile(join(home, '.ssh', 'known_hosts'), knownHosts)
  if (config !== '') await writeFile(join(home, '.ssh', 'config'), config)
  return home
}

/** The fingerprint as `ssh-keygen -l` prints it for the server's host key. */
const serverFingerprint = (): string =>
  execFileSync('ssh-keygen', ['-l', '-f', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(
    ' ',
  )[1] ?? ''

describe.skipIf(!available)('sftp against OpenSSH', () => {
  describe('host keys', () => {
    it('refuses an unknown host key, showing its fingerprint as ssh does', async () => {
      const home = await homeWith('')
      const error = await refusal(sshd.url(sshd.scratch), { sftp: { home } })
      expect(error._tag).toBe('StorageUnavailable')
      expect(serverFingerprint()).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
      expect(error.message).toContain(`ED25519 key fingerprint is ${serverFingerprint()}`)
      expect(error.message).toContain('not known')
      expect(await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe('')
    })

    it('accepts a new host key when told to, records it, and knows it next time', async () => {
      const home = await homeWith('')
      const storage = await opened(sshd.url(sshd.scratch), { sftp: { home, acceptNewHostKey: true } })
      expect(await ok(storage.stat(''))).toEqual({ kind: 'dir' })
      await storage.close?.()
      const recorded = await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')
      expect(recorded).toBe(`[127.0.0.1]:${sshd.port} ${await sshd.hostKey()}\n`)
      const again = await opened(sshd.url(sshd.scratch), { sftp: { home } })
      await again.close?.()
    })

    it('refuses a changed host key even when new keys are accepted', async () => {
      const other = join(sshd.dir, `other-${randomBytes(4).toString('hex')}`)
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])
      const otherKey = (await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')
      const knownHosts = `[127.0.0.1]:${sshd.port} ${otherKey}\n`
      const home = await homeWith(knownHosts)
      const error = await refusal(sshd.url(sshd.scratch), { sftp: { home, acceptNewHostKey: true } })
      expect(error.message).toContain('CHANGED')
      expect(error.message).toContain(serverFingerprint())
      expect(await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(knownHosts)
    })

    it('finds a hashed known_hosts entry', async () => {
      const home = await homeWith(`[127.0.0.1]:${sshd.port} ${await sshd.hostKey()}\n`)
      execFileSync('ssh-keygen', ['-H', '-f', join(home, '.ssh', 'known_hosts')], { stdio: 'ignore' })
      const hashed = await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')
      expect(hashed).toMatch(/^\|1\|/)
      const storage = await opened(sshd.url(sshd.scratch), { sftp: { home } })
      await storage.close?.()
    })

    it('does not take a key recorded for port 22 as the key of another port', async () => {
      const home = await homeWith(`127.0.0.1 ${await sshd.hostKey()}\n`)
      const error = await refusal(sshd.url(sshd.scratch), { sftp: { home } })
      expect(error.message).toContain('not known')
    })
  })

  describe('OpenSSH configuration', () => {
    it('takes host name, port, user and identity file from ~/.ssh/config', async () => {
      const config = [
        'Host elsewhere',
        '  User nobody-at-all',
        'Host backup-*',
        `  HostName 127.0.0.1`,
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        '  IdentityFile ~/.ssh/work_key',
        '',
      ].join('\n')
      const home = await homeWith(`[127.0.0.1]:${sshd.port} ${await sshd.hostKey()}\n`, config)
      // Only the configured key is there: the default ones are not tried when the config names one.
      await copyFile(join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'work_key'))
      await rm(join(home, '.ssh', 'id_ed25519'))
      const storage = await opened(`sftp://backup-box${sshd.scratch}`, { sftp: { home } })
      expect(storage.root).toBe(`sftp://backup-box${sshd.scratch}`)
      expect(await ok(storage.stat(''))).toEqual({ kind: 'dir' })
      await storage.close?.()
    })

    it('reads an encrypted key with the passphrase from the environment or a prompt, and says why it cannot', async () => {
      const passphrase = `correct horse ${randomBytes(4).toString('hex')}`
      const home = await homeWith(`[127.0.0.1]:${sshd.port} ${await sshd.hostKey()}\n`)
      await rm(join(home, '.ssh', 'id_ed25519'))
      const key = join(home, '.ssh', 'id_ecdsa')
      // One KDF round: ssh2 decrypts in JavaScript, and the test is about where the passphrase comes from.
      execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-a', '1', '-N', passphrase, '-f', key])
      await appendFile(join(sshd.dir, 'authorized_keys'), await readFile(`${key}.pub`))

      const none = await refusal(sshd.url(sshd.scratch), { sftp: { home } })
      expect(none.message).toContain(`${key} (encrypted, no passphrase given)`)
      const wrong = await refusal(sshd.url(sshd.scratch), {
        env: { SYNCENGINE_SFTP_PASSPHRASE: 'not it' },
        sftp: { home },
      })
      expect(wrong.message).toContain('wrong passphrase')
      expect(wrong.message).not.toContain('not it')

      const fromEnv = await opened(sshd.url(sshd.scratch), {
        env: { SYNCENGINE_SFTP_PASSPHRASE: passphrase },
        sftp: { home },
      })
      await fromEnv.close?.()
      const asked: string[] = []
      const fromPrompt = await opened(sshd.url(sshd.scratch), {
        sftp: {
          home,
          prompt: async (question, kind) => {
            asked.push(`${kind}: ${question}`)
            return kind === 'passphrase' ? passphrase : undefined
          },
        },
      })
      await fromPrompt.close?.()
      expect(asked).toEqual([`passphrase: Passphrase for ${key}: `])
    })

    it('starts /~/ at the home folder on the server', async () => {
      const storage = await opened(sshd.url('/~'))
      const home = await server.storage(homedir())
      expect((await ok(storage.list(''))).length).toBe((await ok(home.list(''))).length)
      await storage.close?.()
    })
  })

  describe('files as the server has them', () => {
    const drain = async (data: AsyncIterator<Uint8Array>): Promise<number> => {
      let bytes = 0
      for (let step = await data.next(); step.done !== true; step = await data.next())
        bytes += step.value.length
      return bytes
    }

    it('fails a read with ECHANGED when the file grows or gets a new mtime while it is read', async () => {
      const root = await mkdtemp(join(sshd.scratch, 'changed-'))
      // Larger than the reads kept in flight, so that the change lands in the middle of the reading.
      await writeFile(join(root, 'f'), randomBytes(16 * 1024 * 1024))
      await writeFile(join(root, 'g'), randomBytes(16 * 1024 * 1024))
      const storage = await server.storage(root)

      const grown = (await ok(storage.read(rp('f')))).data[Symbol.asyncIterator]()
      await grown.next()
      await appendFile(join(root, 'f'), 'more')
      await expect(drain(grown)).rejects.toMatchObject({ code: 'ECHANGED' })

      const touched = await ok(storage.read(rp('g')))
      const data = touched.data[Symbol.asyncIterator]()
      await data.next()
      await promised<void>((done) => server.raw.utimes(join(root, 'g'), 1_000_000, 1_000_000, done))
      await expect(drain(data)).rejects.toMatchObject({ code: 'ECHANGED' })

      const whole = await ok(storage.read(rp('f')))
      expect(await drain(whole.data[Symbol.asyncIterator]())).toBe(whole.entry.size)
    })

    it('never follows a symlink: lists it as a link, refuses to read it or to write through it', async () => {
      const base = await mkdtemp(join(sshd.scratch, 'links-'))
      await mkdir(join(base, 'root'))
      await mkdir(join(base, 'outside'))
      await writeFile(join(base, 'outside', 'private.txt'), 'not ours')
      await promised<void>((done) =>
        server.raw.symlink(join(base, 'outside'), join(base, 'root', 'link'), done),
      )
      const storage = await server.storage(join(base, 'root'))
      expect(await ok(storage.list(''))).toEqual([
        { name: 'link', entry: { kind: 'symlink', target: join(base, 'outside') } },
      ])
      expect((await failed(storage.list(rp('link')))).code).toBe('ENOTDIR')
      expect((await failed(storage.read(rp('link')))).code).toBe('ELOOP')
      expect((await failed(storage.read(rp('link/private.txt')))).code).toBe('ELOOP')
      expect((await failed(storage.setMtime(rp('link'), 1_000))).code).toBe('ELOOP')
      async function* bytes() {
        yield Buffer.from('x')
      }
      const through = await failed(
        storage.stage(rp('link/new.txt'), bytes(), { mtimeMs: 0, exec: false }, 'abcdef01'),
      )
      expect(through.code).toBe('ELOOP')
      expect(await readdir(join(base, 'outside'))).toEqual(['private.txt'])
    })
  })

  describe('hashes on the server', () => {
    const hostile = [
      "it's here.txt",
      'say "hi".txt',
      '$(touch pwned-by-dollar)',
      '`touch pwned-by-backtick`',
      'a; touch pwned-by-semicolon',
      'line\nbreak.txt',
      'back\\slash.txt',
      '-rf',
      'tab\there & | > < * ?',
      'ünïcødé 日本.txt',
    ]

    it('hashes files with any name on the server, and runs nothing the names say', async () => {
      const root = await mkdtemp(join(sshd.scratch, 'hashes-'))
      const contents = new Map<string, string>()
      for (const [i, name] of hostile.entries()) {
        const content = `content ${i} of ${name}`
        contents.set(name, content)
        await promised<void>((done) => server.raw.writeFile(`${root}/${name}`, content, done))
      }
      await mkdir(join(root, 'sub dir'))
      await writeFile(join(root, 'sub dir', 'inner'), 'inner')
      const storage = await server.storage(root)
      const paths = [...hostile.map(rp), rp('sub dir/inner'), rp('missing')]
      const hashes = await ok((storage.hashes as NonNullable<Storage['hashes']>)(paths))
      expect(Object.fromEntries(hashes)).toEqual({
        ...Object.fromEntries(hostile.map((name) => [name, sha256(contents.get(name) ?? '')])),
        'sub dir/inner': sha256('inner'),
      })
      const home = await readdir(homedir())
      expect(home.filter((name) => name.startsWith('pwned'))).toEqual([])
      expect((await readdir(root)).filter((name) => name.startsWith('pwned'))).toEqual([])
    })

    it('compares contents without downloading them', async () => {
      const base = await mkdtemp(join(sshd.scratch, 'checksum-'))
      await mkdir(join(base, 'local'))
      await mkdir(join(base, 'remote'))
      for (const name of ['a.txt', 'b.txt']) {
        await writeFile(join(base, 'local', name), `same ${name}`)
        await writeFile(join(base, 'remote', name), `same ${name}`)
      }
      const remote = await server.storage(join(base, 'remote'))
      let reads = 0
      const counted: Storage = {
        ...remote,
        read: (path) => {
          reads++
          return remote.read(path)
        },
      }
      const plan = await planPair({
        sides: { source: localStorage(join(base, 'local')), destination: counted },
        state: null,
        policy: { ...defaultPolicy, compare: 'checksum' },
      })()
      if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
      expect(reads).toBe(0)
      expect(plan.right.warnings).toEqual([])
      expect(plan.right.actions).toEqual([])
    })
  })
})

describe.skipIf(!available)('sftp against a server that runs no commands', () => {
  let sftpOnly: Sshd
  beforeAll(async () => {
    const started = await startSshd({ sftpOnly: true })
    if (typeof started === 'string') throw new Error(started)
    sftpOnly = started
  })
  afterAll(async () => sftpOnly?.stop())

  it('reads the files to hash them, and the plan says so', async () => {
    const base = await mkdtemp(join(sftpOnly.scratch, 'checksum-'))
    await mkdir(join(base, 'local'))
    await mkdir(join(base, 'remote'))
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      await writeFile(join(base, 'local', name), `same ${name}`)
      await writeFile(join(base, 'remote', name), `same ${name}`)
    }
    await writeFile(join(base, 'remote', 'b.txt'), 'SAME b.txt')
    const opened = await openSide(sftpOnly.url(join(base, 'remote')), {
      cwd: '/',
      env: {},
      sftp: sftpOnly.options,
    })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const remote = opened.right
    try {
      const plan = await planPair({
        sides: { source: localStorage(join(base, 'local')), destination: remote },
        state: null,
        policy: { ...defaultPolicy, compare: 'checksum' },
      })()
      if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
      expect(plan.right.warnings).toEqual([
        {
          path: 'a.txt',
          message: expect.stringMatching(
            /^destination: not hashed on the server \(.*neither sha256sum nor shasum.*\): this file and 2 more were downloaded/,
          ),
        },
      ])
      // The one file that differs in content (not in size) is found by the hashes made from reading.
      expect(plan.right.conflicts.map((c) => c.path)).toEqual(['b.txt'])
    } finally {
      await remote.close?.()
    }
  })
})
