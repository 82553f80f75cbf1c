/**
 * SFTP version 3 answers with a handful of status codes; OpenSSH's sftp-server folds most errno values
 * into `FAILURE`. These are the POSIX codes the rest of syncengine speaks; where a status says too little
 * (FAILURE on mkdir, rmdir, rename), the storage looks at the paths to tell EEXIST from ENOTEMPTY.
 */
const STATUS: Readonly<Record<number, string>> = {
  1: 'EOF',
  2: 'ENOENT',
  3: 'EACCES',
  4: 'EIO',
  5: 'EINVAL',
  6: 'ECONNRESET',
  7: 'ECONNRESET',
  8: 'ENOTSUP',
}

/** An error with a POSIX code and a message that holds nothing secret. */
export class SftpFailure extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

export const fail = (code: string, message: string): never => {
  throw new SftpFailure(code, message)
}

/** Errors that the next attempt, on a new connection, may not meet again. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])

interface ErrorLike {
  readonly code?: unknown
  readonly message?: unknown
  readonly level?: unknown
}

/** The POSIX code for whatever ssh2, the socket or the server reported. */
export const codeOf = (error: unknown): string => {
  const { code, message, level } = (error ?? {}) as ErrorLike
  if (typeof code === 'number') return STATUS[code] ?? 'EIO'
  if (typeof code === 'string' && code !== '') return code
  if (level === 'client-timeout') return 'ETIMEDOUT'
  if (level === 'client-socket') return 'ECONNRESET'
  if (typeof message === 'string') {
    // ssh2's words when a channel or the connection went away under a request.
    if (/no response from server|not connected|channel.*(closed|not open)|connection lost/i.test(message))
      return 'ECONNRESET'
    if (/timed out/i.test(message)) return 'ETIMEDOUT'
  }
  return 'EIO'
}

/** ssh2's messages are short English sentences; keep them, without anything after a newline. */
export const detailOf = (error: unknown): string => {
  const message = (error as ErrorLike | null)?.message
  return typeof message === 'string' ? (message.split('\n')[0] ?? message) : String(error)
}
