/**
 * How an `ftp://` or `ftps://` side is reached. Everything is optional; the defaults suit a server on the
 * internet. A password never comes from here, nor from the URL: it is read from the environment
 * (`passwordVariable`) or asked for (`askPassword`), and kept only in memory.
 */
export interface FtpOptions {
  /**
   * For `ftp://`: `'explicit'` upgrades the connection with AUTH TLS before logging in (and fails if the
   * server cannot); `'none'` (the default) speaks plain FTP, password included. `ftps://` is always
   * implicit TLS (port 990 by default), whatever this says.
   */
  readonly tls?: 'none' | 'explicit'
  /** A PEM file of certificate authorities to trust besides the system's: for a server with its own CA or a self-signed certificate. */
  readonly caFile?: string
  /**
   * Accepts any certificate, so anyone between here and the server can read the password and the files.
   * For a test server only; the name is long so that nobody sets it by accident.
   */
  readonly insecureAcceptAnyCertificate?: boolean
  /** How many connections (so how many transfers at once); metadata commands share them. Default 2. */
  readonly transfers?: number
  /** How long to wait for a connection, a reply or the next bytes of a transfer. Default 30 s. */
  readonly timeoutMs?: number
  /** An unused connection is closed after this long. Default 60 s. */
  readonly idleTimeoutMs?: number
  /** An unused connection sends NOOP this often, so the server keeps it. Default 20 s. */
  readonly keepAliveMs?: number
  /** How many more times a dropped connection or a 4xx reply is tried, for commands safe to repeat. Default 3. */
  readonly retries?: number
  /** The wait before the first retry; it doubles after each. Default 250 ms. */
  readonly retryDelayMs?: number
  /** `'list'` reads LIST output even where the server has MLSD (for servers whose MLSD is broken). Default `'auto'`. */
  readonly listing?: 'auto' | 'list'
  /** `false` never sets mtimes even where the server has MFMT; the side then declares that it cannot keep them. Default true. */
  readonly setMtime?: boolean
  /** The environment variable holding the password. Default `SYNCENGINE_FTP_PASSWORD`. */
  readonly passwordVariable?: string
  /** Asks a person for the password (the CLI does it on a TTY) when the environment has none. */
  readonly askPassword?: (about: {
    readonly host: string
    readonly port: number
    readonly user: string
  }) => Promise<string>
}

export const PASSWORD_VARIABLE = 'SYNCENGINE_FTP_PASSWORD'

export interface Settings {
  readonly tls: 'none' | 'explicit' | 'implicit'
  readonly caFile: string | undefined
  readonly insecure: boolean
  readonly transfers: number
  readonly timeoutMs: number
  readonly idleTimeoutMs: number
  readonly keepAliveMs: number
  readonly retries: number
  readonly retryDelayMs: number
  readonly listing: 'auto' | 'list'
  readonly setMtime: boolean
}

const positive = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback

export const settingsOf = (scheme: 'ftp' | 'ftps', options: FtpOptions): Settings => ({
  tls: scheme === 'ftps' ? 'implicit' : (options.tls ?? 'none'),
  caFile: options.caFile,
  insecure: options.insecureAcceptAnyCertificate === true,
  transfers: positive(options.transfers, 2),
  timeoutMs: positive(options.timeoutMs, 30_000),
  idleTimeoutMs: positive(options.idleTimeoutMs, 60_000),
  keepAliveMs: positive(options.keepAliveMs, 20_000),
  retries: options.retries !== undefined && options.retries >= 0 ? Math.floor(options.retries) : 3,
  retryDelayMs: options.retryDelayMs !== undefined && options.retryDelayMs >= 0 ? options.retryDelayMs : 250,
  listing: options.listing ?? 'auto',
  setMtime: options.setMtime ?? true,
})
