import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { Client } from 'basic-ftp'
import * as E from 'fp-ts/lib/Either.js'
import type { FtpOptions } from '../../src/storage/ftp/index.ts'
import { openSide } from '../../src/storage/open.ts'
import type { Storage } from '../../src/storage/storage.ts'
import type { FtpServer } from './ftp-server.ts'
import { clock, localSide, readTree, type TestPair, type TestSide, tempDir } from './sides.ts'

export type FtpFlavour = 'ftp' | 'ftp+tls' | 'ftps'

/** The URL of a folder on the test server, in a flavour: plain, AUTH TLS, or implicit TLS. */
export const ftpUrl = (server: FtpServer, flavour: FtpFlavour, path: string): string =>
  flavour === 'ftps'
    ? `ftps://${server.user}@${server.host}:${server.implicitPort}${path}`
    : `ftp://${server.user}@${server.host}:${server.port}${path}`

export const ftpOptions = (server: FtpServer, flavour: FtpFlavour, extra: FtpOptions = {}): FtpOptions => ({
  caFile: server.caFile,
  ...(flavour === 'ftp+tls' ? { tls: 'explicit' } : {}),
  ...extra,
})

/** Opens a side on the test server through `openSide`, as the CLI does. */
export const openFtpSide = async (
  server: FtpServer,
  flavour: FtpFlavour,
  path: string,
  extra: FtpOptions = {},
): Promise<Storage> => {
  const opened = await openSide(ftpUrl(server, flavour, path), {
    cwd: '/',
    env: { SYNCENGINE_FTP_PASSWORD: server.password },
    ftp: ftpOptions(server, flavour, extra),
  })()
  if (E.isLeft(opened)) throw new Error(`cannot open the FTP side: ${JSON.stringify(opened.left)}`)
  return opened.right
}

/** A plain FTP connection for a person's edits (the edits are not what is tested). */
export const editor = async (server: FtpServer): Promise<Client> => {
  const client = new Client(20_000)
  await client.access({ host: server.host, port: server.port, user: server.user, password: server.password })
  return client
}

const two = (n: number): string => String(n).padStart(2, '0')
const mfmtTime = (ms: number): string => {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`
}

/**
 * A side on the test server. Edits go through a plain FTP client, as a person's would; the tree is read
 * from the folder the server serves, which is on this machine, so what is checked does not pass through
 * the code under test.
 */
export const ftpSide = (client: Client, storage: Storage, dir: string, now: () => number): TestSide => {
  const abs = (path: string): string => `${dir}/${path}`
  const parents = async (path: string): Promise<void> => {
    const names = path.split('/').slice(0, -1)
    for (let i = 1; i <= names.length; i++)
      await client.sendIgnoringError(`MKD ${abs(names.slice(0, i).join('/'))}`)
  }
  return {
    storage,
    put: async (path, content, opts = {}) => {
      await parents(path)
      await client.uploadFrom(Readable.from([Buffer.from(content)]), abs(path))
      await client.send(`MFMT ${mfmtTime(opts.mtimeMs ?? now())} ${abs(path)}`)
      await client.send(`SITE CHMOD ${opts.exec === true ? '755' : '644'} ${abs(path)}`)
    },
    mkdir: (path) => parents(`${path}/x`),
    symlink: async () => {
      throw new Error('FTP has no command to make a symlink')
    },
    remove: async (path) => {
      const reply = await client.sendIgnoringError(`DELE ${abs(path)}`)
      if (reply.code >= 400) await client.removeDir(abs(path))
    },
    rename: async (from, to) => {
      await parents(to)
      await client.send(`RNFR ${abs(from)}`)
      await client.send(`RNTO ${abs(to)}`)
    },
    tree: () => readTree(dir),
  }
}

let pairs = 0

/** A local source and a destination on the test server, each in a fresh folder. */
export const localFtpPair = async (
  server: FtpServer,
  flavour: FtpFlavour,
  extra: FtpOptions = {},
): Promise<TestPair> => {
  const now = clock()
  const base = await tempDir()
  await Promise.all(['source', 'scratch'].map((d) => mkdir(join(base, d))))
  const dir = join(server.home, `pair-${process.pid}-${++pairs}`)
  await mkdir(dir)
  const storage = await openFtpSide(server, flavour, dir, extra)
  const client = await editor(server)
  return {
    kind: 'local',
    source: localSide(join(base, 'source'), now),
    destination: ftpSide(client, storage, dir, now),
    scratch: join(base, 'scratch'),
    cleanup: async () => {
      await storage.close?.()
      client.close()
      await rm(base, { recursive: true, force: true })
      await rm(dir, { recursive: true, force: true })
    },
  }
}
