/** What a person or a program may say about SFTP sides, beyond the URL and `~/.ssh`. */
export interface SftpOptions {
  /** The home folder whose `.ssh` is read (config, keys, known_hosts). The user's own by default. */
  readonly home?: string
  /**
   * Accept a host key that no known_hosts file records, and record it in `~/.ssh/known_hosts`, like
   * `StrictHostKeyChecking=accept-new`. A key that differs from a recorded one is refused all the same.
   */
  readonly acceptNewHostKey?: boolean
  /** SFTP channels opened on the one SSH connection, so that this many transfers run side by side. */
  readonly transfers?: number
  /**
   * Asks a person for a password or a key's passphrase (the CLI asks on a TTY). Without it, passwords and
   * passphrases come only from the environment: SYNCENGINE_SFTP_PASSWORD, SYNCENGINE_SFTP_PASSPHRASE.
   */
  readonly prompt?: (question: string, kind: 'password' | 'passphrase') => Promise<string | undefined>
  /** How long to wait for the TCP connection and the SSH handshake. */
  readonly connectTimeoutMs?: number
  /** How long a request may go unanswered before the connection is taken for dead. */
  readonly idleTimeoutMs?: number
  /** How often to check that the server is still there (like ServerAliveInterval), and how many misses end it. */
  readonly keepaliveIntervalMs?: number
  readonly keepaliveCountMax?: number
  /** Connection attempts after a failed one (refused, reset, timed out), waiting longer each time. */
  readonly retries?: number
  readonly retryDelayMs?: number
  /** Hash files on the server (`sha256sum`, over an exec channel) instead of downloading them. */
  readonly remoteHashes?: boolean
}

export const sftpDefaults = {
  transfers: 4,
  connectTimeoutMs: 20_000,
  idleTimeoutMs: 60_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  retries: 3,
  retryDelayMs: 500,
  remoteHashes: true,
} as const

/** The environment variables read for secrets; their values never leave the connection. */
export const PASSWORD_VARIABLE = 'SYNCENGINE_SFTP_PASSWORD'
export const PASSPHRASE_VARIABLE = 'SYNCENGINE_SFTP_PASSPHRASE'
