import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { Client } from 'basic-ftp'
import type { Settings } from './options.ts'

export interface Login {
  readonly host: string
  readonly port: number
  readonly user: string
  /** Only in memory, only here. */
  readonly password: string
}

/** What the server said it can do (FEAT), which decides how we list, stat, and set metadata. */
export interface Traits {
  /** MLSD and MLST: exact machine listings with UTC times. */
  readonly mlsd: boolean
  /** MLSD/MLST report `UNIX.mode`, so the exec bit can be read. */
  readonly unixMode: boolean
  readonly mfmt: boolean
  readonly mdtm: boolean
  /** `SITE CHMOD` is among the SITE commands, so the exec bit can be set. */
  readonly chmod: boolean
}

export const defaultPort = (tls: Settings['tls']): number => (tls === 'implicit' ? 990 : 21)

/** TLS for both the control and the data connections: the system's CAs plus `caFile`, checked unless told otherwise. */
export const tlsOptionsOf = async (host: string, settings: Settings): Promise<ConnectionOptions> => {
  const extra = settings.caFile === undefined ? undefined : await readFile(settings.caFile, 'utf8')
  const { rootCertificates } = await import('node:tls')
  return {
    rejectUnauthorized: !settings.insecure,
    ...(extra === undefined ? {} : { ca: [...rootCertificates, extra] }),
    ...(isIP(host) === 0 ? { servername: host } : {}),
    minVersion: 'TLSv1.2',
  }
}

/** Opens and logs in one control connection. */
export const connectOne = async (
  login: Login,
  settings: Settings,
  tls: ConnectionOptions,
): Promise<Client> => {
  const client = new Client(settings.timeoutMs)
  try {
    await client.access({
      host: login.host,
      port: login.port,
      user: login.user,
      password: login.password,
      secure: settings.tls === 'implicit' ? 'implicit' : settings.tls === 'explicit',
      secureOptions: tls,
    })
    return client
  } catch (error) {
    client.close()
    throw error
  }
}

export const traitsOf = async (client: Client, settings: Settings): Promise<Traits> => {
  const features = await client.features()
  const mlst = features.get('MLST')
  const mlsd = mlst !== undefined && settings.listing === 'auto'
  const help = await client.sendIgnoringError('SITE HELP')
  return {
    mlsd,
    unixMode: mlsd && /unix\.mode/i.test(mlst ?? ''),
    mfmt: features.has('MFMT'),
    mdtm: features.has('MDTM'),
    chmod: help.code < 400 && /\bCHMOD\b/i.test(help.message),
  }
}
