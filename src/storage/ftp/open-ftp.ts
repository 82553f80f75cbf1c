import * as TE from 'fp-ts/lib/TaskEither.js'
import type { OpenError } from '../open.ts'
import { type SideUrl, showSideUrl } from '../side-url.ts'
import type { Storage } from '../storage.ts'
import { connectOne, defaultPort, type Login, tlsOptionsOf, traitsOf } from './connect.ts'
import { ftpStorage } from './ftp-storage.ts'
import { type FtpOptions, PASSWORD_VARIABLE, settingsOf } from './options.ts'
import { connectionPool } from './pool.ts'
import { failureOf } from './replies.ts'

export type FtpSideUrl = Extract<SideUrl, { readonly host: string }> & { readonly scheme: 'ftp' | 'ftps' }

/**
 * Connects to an FTP side and logs in, so a wrong host, a refused password or an untrusted certificate is
 * an error before anything is planned. The password comes from the environment or a prompt, never from
 * the URL, and no message carries it.
 */
export const openFtp = (
  given: SideUrl,
  options: FtpOptions,
  env: Readonly<Record<string, string | undefined>>,
): TE.TaskEither<OpenError, Storage> => {
  if (given.scheme !== 'ftp' && given.scheme !== 'ftps')
    throw new Error(`openFtp given a ${given.scheme} side`)
  const side: FtpSideUrl = { ...given, scheme: given.scheme }
  const settings = settingsOf(side.scheme, options)
  const url = showSideUrl(side)
  const port = side.port ?? defaultPort(settings.tls)
  const unavailable = (message: string): OpenError => ({ _tag: 'StorageUnavailable', url, message })
  return TE.tryCatch(
    async () => {
      const login = await loginOf(side, port, options, env)
      if (typeof login === 'string') throw new Unavailable(login)
      const tls = await tlsOptionsOf(side.host, settings)
      const first = await connectOne(login, settings, tls)
      const traits = await traitsOf(first, settings).catch((error: unknown) => {
        first.close()
        throw error
      })
      const pool = connectionPool({
        size: settings.transfers,
        connect: () => connectOne(login, settings, tls),
        keepAliveMs: settings.keepAliveMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        retries: settings.retries,
        retryDelayMs: settings.retryDelayMs,
        first,
      })
      return ftpStorage({
        root: url,
        path: side.path,
        traits,
        setsMtime: traits.mfmt && settings.setMtime,
        pool,
        now: Date.now,
      })
    },
    (error) =>
      unavailable(
        error instanceof Unavailable
          ? error.message
          : `cannot connect to ${side.host}:${port}: ${failureOf(error).detail}`,
      ),
  )
}

class Unavailable extends Error {}

const loginOf = async (
  side: FtpSideUrl,
  port: number,
  options: FtpOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Login | string> => {
  // No user: anonymous FTP, with the customary e-mail-like password.
  if (side.user === undefined) return { host: side.host, port, user: 'anonymous', password: 'anonymous@' }
  const variable = options.passwordVariable ?? PASSWORD_VARIABLE
  const given = env[variable]
  if (given !== undefined) return { host: side.host, port, user: side.user, password: given }
  if (options.askPassword !== undefined) {
    const asked = await options.askPassword({ host: side.host, port, user: side.user })
    return { host: side.host, port, user: side.user, password: asked }
  }
  return `no password for ${side.user}@${side.host}: set ${variable} in the environment`
}
