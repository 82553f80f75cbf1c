import { readFile } from 'node:fs/promises'
import { homedir, userInfo } from 'node:os'
import { isAbsolute, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Storage } from '../storage.ts'
import { authenticator } from './auth.ts'
import { type Connection, connection } from './connection.ts'
import { hostKeyChecker } from './host-keys.ts'
import { remoteHasher } from './remote-hashes.ts'
import { detailOf } from './sftp-errors.ts'
import { PASSPHRASE_VARIABLE, PASSWORD_VARIABLE, type SftpOptions, sftpDefaults } from './sftp-options.ts'
import { sftpStorage } from './sftp-storage.ts'
import { expandPath, hostConfigOf, parseSshConfig } from './ssh-config.ts'

export interface SftpSide {
  readonly user?: string
  readonly host: string
  readonly port?: number
  /** Absolute on the server; `/~` and `/~/…` start at the user's home there. */
  readonly path: string
}

export interface SftpOpenOptions {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly sftp?: SftpOptions
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/** One connection to a server, on which storages for several roots can be made (tests share one). */
export interface SftpSession {
  readonly connection: Connection
  /** A storage for a root on the server (`/~` and `/~/…` start at the user's home there). */
  readonly storageAt: (url: string, path: string) => TE.TaskEither<string, Storage>
}

/**
 * Connects to an `sftp://` side the way `ssh` would: user, port, host name and keys from the URL or
 * `~/.ssh/config`, the agent, the default identity files, `known_hosts`. A wrong host, a refused key or
 * an unknown host key is an error here, before anything is planned.
 */
export const openSftp =
  (side: SftpSide, url: string, options: SftpOpenOptions): TE.TaskEither<string, Storage> =>
  async () => {
    const session = await connectSftp(side, options)()
    if (E.isLeft(session)) return session
    const storage = await session.right.storageAt(url, side.path)()
    if (E.isLeft(storage)) await session.right.connection.close()
    return storage
  }

/** Connects (the side's path is not looked at); each storage made on the session closes it on `close`. */
export const connectSftp =
  (side: Omit<SftpSide, 'path'>, options: SftpOpenOptions): TE.TaskEither<string, SftpSession> =>
  async () => {
    const given = options.sftp ?? {}
    const home = given.home ?? homedir()
    const sshDir = join(home, '.ssh')
    const configText = await readFile(join(sshDir, 'config'), 'utf8').catch(() => '')
    const config = hostConfigOf(parseSshConfig(configText), side.host)
    const host = config.hostName ?? side.host
    const localUser = userInfo().username
    const user = side.user ?? config.user ?? localUser
    const port = side.port ?? config.port ?? 22
    const expand = (path: string): string => {
      const expanded = expandPath(path, { home, localUser, host, user })
      return isAbsolute(expanded) ? expanded : join(home, expanded)
    }
    const identityFiles =
      config.identityFiles.length > 0
        ? config.identityFiles.map(expand)
        : DEFAULT_IDENTITIES.map((name) => join(sshDir, name))
    const agentSetting = config.identityAgent
    const agent =
      config.identitiesOnly === true || agentSetting === 'none'
        ? undefined
        : agentSetting === undefined || agentSetting === 'SSH_AUTH_SOCK'
          ? options.env.SSH_AUTH_SOCK || undefined
          : expand(agentSetting.replace(/^\$\{?SSH_AUTH_SOCK\}?$/, options.env.SSH_AUTH_SOCK ?? ''))
    const label = `${user}@${host}${port === 22 ? '' : `:${port}`}`
    const knownHosts = (config.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map(
      expand,
    )
    const prompt = given.prompt
    const conn = connection({
      host,
      port,
      user,
      label,
      authenticator: () =>
        authenticator({
          user,
          agent,
          identityFiles,
          password: async () =>
            options.env[PASSWORD_VARIABLE] ?? (await prompt?.(`Password for ${label}: `, 'password')),
          passphrase: async (file) =>
            options.env[PASSPHRASE_VARIABLE] ?? (await prompt?.(`Passphrase for ${file}: `, 'passphrase')),
        }),
      hostKeys: hostKeyChecker({
        host,
        port,
        files: [...knownHosts, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
        acceptNew: given.acceptNewHostKey === true,
        hashNew: config.hashKnownHosts === true,
      }),
      transfers: Math.max(1, given.transfers ?? sftpDefaults.transfers),
      connectTimeoutMs:
        given.connectTimeoutMs ??
        (config.connectTimeoutSeconds === undefined
          ? sftpDefaults.connectTimeoutMs
          : config.connectTimeoutSeconds * 1000),
      idleTimeoutMs: given.idleTimeoutMs ?? sftpDefaults.idleTimeoutMs,
      keepaliveIntervalMs:
        given.keepaliveIntervalMs ??
        (config.serverAliveIntervalSeconds === undefined
          ? sftpDefaults.keepaliveIntervalMs
          : config.serverAliveIntervalSeconds * 1000),
      keepaliveCountMax:
        given.keepaliveCountMax ?? config.serverAliveCountMax ?? sftpDefaults.keepaliveCountMax,
      retries: given.retries ?? sftpDefaults.retries,
      retryDelayMs: given.retryDelayMs ?? sftpDefaults.retryDelayMs,
    })
    try {
      const lease = await conn.lease()
      lease.release()
    } catch (error) {
      await conn.close()
      return E.left(detailOf(error))
    }
    const hasher = given.remoteHashes === false ? undefined : remoteHasher(conn)
    return E.right({
      connection: conn,
      storageAt: (url, path) => async () => {
        if (path.includes('\0')) return E.left('the path holds a NUL byte')
        try {
          const lease = await conn.lease()
          try {
            if (path === '/~' || path.startsWith('/~/')) {
              const homeThere = await lease.call<string>((done) => lease.sftp.realpath('.', done))
              path = `${homeThere.replace(/\/$/, '')}${path.slice(2)}` || '/'
            }
          } finally {
            lease.release()
          }
        } catch (error) {
          return E.left(detailOf(error))
        }
        return E.right(
          sftpStorage({ root: url, path, connection: conn, ...(hasher === undefined ? {} : { hasher }) }),
        )
      },
    })
  }
