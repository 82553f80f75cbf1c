import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import ssh2, { type SFTPWrapper, type Stats } from 'ssh2'
import { connectSftp, type SftpSession } from '../../src/storage/sftp/open-sftp.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { clock, localSide, type TestPair, type TestSide } from './sides.ts'
import type { Sshd } from './sshd.ts'

/**
 * A test server's clients: OpenSSH's sshd, our storage on one shared connection, and a plain ssh2 SFTP
 * client through which the tests make a person's edits (not through the storage under test).
 */
export interface SftpTestServer {
  readonly sshd: Sshd
  /** A storage for a root on the server, on the shared connection. */
  readonly storage: (path: string) => Promise<Storage>
  /** A person's edits under `root`, made through the plain client. */
  readonly edits: (root: string, now: () => number) => Omit<TestSide, 'storage'>
  readonly raw: SFTPWrapper
  readonly close: () => Promise<void>
}

const promised = <A>(run: (done: (error: Error | undefined | null, value?: A) => void) => void): Promise<A> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as A))))

const rawClient = (sshd: Sshd): Promise<{ client: ssh2.Client; sftp: SFTPWrapper }> =>
  new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    client.on('error', reject)
    client.on('connect', () => client.setNoDelay(true))
    client.on('ready', () => {
      client.sftp((error, sftp) => (error ? reject(error) : resolve({ client, sftp })))
    })
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: readFileSync(join(sshd.home, '.ssh', 'id_ed25519')),
    })
  })

const S_IFMT = 0o170000

export const sftpTestServer = async (sshd: Sshd): Promise<SftpTestServer> => {
  const { client, sftp } = await rawClient(sshd)
  const connected = await connectSftp(
    { host: sshd.host, port: sshd.port, user: sshd.user },
    { env: {}, sftp: sshd.options },
  )()
  if (E.isLeft(connected)) throw new Error(connected.left)
  const session: SftpSession = connected.right

  const lstat = (path: string): Promise<Stats | null> =>
    promised<Stats>((done) => sftp.lstat(path, done)).catch(() => null)
  const mkdirp = async (path: string): Promise<void> => {
    const st = await lstat(path)
    if (st !== null) return
    await mkdirp(path.slice(0, path.lastIndexOf('/')) || '/')
    await promised<void>((done) => sftp.mkdir(path, done)).catch(async (error) => {
      if ((await lstat(path)) === null) throw error
    })
  }
  const removeAll = async (path: string): Promise<void> => {
    const st = await lstat(path)
    if (st === null) return
    if ((st.mode & S_IFMT) === 0o040000) {
      const children = await promised<ReadonlyArray<{ filename: string }>>((done) => sftp.readdir(path, done))
      for (const c of children) await removeAll(`${path}/${c.filename}`)
      await promised<void>((done) => sftp.rmdir(path, done))
    } else await promised<void>((done) => sftp.unlink(path, done))
  }
  const tree = async (root: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {}
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const children = await promised<ReadonlyArray<{ filename: string; attrs: Stats }>>((done) =>
        sftp.readdir(dir, done),
      ).catch(() => [])
      for (const { filename, attrs } of children) {
        const rel = prefix === '' ? filename : `${prefix}/${filename}`
        const full = `${dir}/${filename}`
        const kind = attrs.mode & S_IFMT
        if (kind === 0o040000) {
          out[`${rel}/`] = ''
          await walk(full, rel)
        } else if (kind === 0o120000)
          out[rel] = `-> ${await promised<string>((done) => sftp.readlink(full, done))}`
        else out[rel] = (await promised<Buffer>((done) => sftp.readFile(full, done))).toString('utf8')
      }
    }
    await walk(root, '')
    return Object.fromEntries(
      Object.entries(out)
        .filter(([p]) => !p.split('/').some((s) => s.startsWith('.syncengine-')))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    )
  }

  return {
    sshd,
    raw: sftp,
    storage: async (path) => {
      const made = await session.storageAt(sshd.url(path), path)()
      if (E.isLeft(made)) throw new Error(made.left)
      // The connection is the server's, shared by every storage here: closed once, by `close`.
      const { close: _, ...storage } = made.right
      return storage
    },
    edits: (root, now) => ({
      put: async (path, content, opts = {}) => {
        const file = `${root}/${path}`
        await mkdirp(file.slice(0, file.lastIndexOf('/')))
        await promised<void>((done) => sftp.writeFile(file, content, done))
        await promised<void>((done) => sftp.chmod(file, opts.exec === true ? 0o755 : 0o644, done))
        const mtime = Math.floor((opts.mtimeMs ?? now()) / 1000)
        await promised<void>((done) => sftp.utimes(file, mtime, mtime, done))
      },
      mkdir: (path) => mkdirp(`${root}/${path}`),
      symlink: async (path, target) => {
        const link = `${root}/${path}`
        await mkdirp(link.slice(0, link.lastIndexOf('/')))
        await promised<void>((done) => sftp.symlink(target, link, done))
      },
      remove: (path) => removeAll(`${root}/${path}`),
      rename: (from, to) =>
        promised<void>((done) => sftp.ext_openssh_rename(`${root}/${from}`, `${root}/${to}`, done)),
      tree: () => tree(root),
    }),
    close: async () => {
      await session.connection.close()
      client.end()
    },
  }
}

/** A TestSide on the server: the raw client's edits, our storage on the shared connection. */
export const sftpSide = async (
  server: SftpTestServer,
  root: string,
  now: () => number,
): Promise<TestSide> => ({
  ...server.edits(root, now),
  storage: await server.storage(root),
})

export const localToSftpPair = async (server: SftpTestServer): Promise<TestPair> => {
  const now = clock()
  const base = await mkdtemp(join(server.sshd.scratch, 'pair-'))
  await Promise.all(['source', 'destination', 'scratch'].map((d) => mkdir(join(base, d))))
  return {
    kind: 'sftp',
    source: localSide(join(base, 'source'), now),
    destination: await sftpSide(server, join(base, 'destination'), now),
    scratch: join(base, 'scratch'),
    cleanup: () => rm(base, { recursive: true, force: true }),
  }
}

export const sftpToSftpPair = async (server: SftpTestServer): Promise<TestPair> => {
  const now = clock()
  const base = await mkdtemp(join(server.sshd.scratch, 'pair-'))
  await Promise.all(['source', 'destination', 'scratch'].map((d) => mkdir(join(base, d))))
  return {
    kind: 'sftp',
    source: await sftpSide(server, join(base, 'source'), now),
    destination: await sftpSide(server, join(base, 'destination'), now),
    scratch: join(base, 'scratch'),
    cleanup: () => rm(base, { recursive: true, force: true }),
  }
}
