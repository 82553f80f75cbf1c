import { FTPError } from 'basic-ftp'

/**
 * FTP answers with a reply code and a line of text; syncengine speaks POSIX codes. The code says how bad
 * (4xx: try again later, 5xx: do not), the text says what: servers that wrap a system call (proftpd,
 * vsftpd, pure-ftpd) pass on its strerror ("No such file or directory"), so the text is read first.
 */
const BY_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/no such file|not found|does not exist|doesn't exist|cannot find|can't find/i, 'ENOENT'],
  [/not a directory/i, 'ENOTDIR'],
  [/is a directory/i, 'EISDIR'],
  [/not empty/i, 'ENOTEMPTY'],
  [/file exists|already exists/i, 'EEXIST'],
  [/permission denied|access denied|not allowed|forbidden|operation not permitted/i, 'EACCES'],
  [/no space|quota|disk full|storage allocation/i, 'ENOSPC'],
  [/invalid argument/i, 'EINVAL'],
  [/too many levels of symbolic links/i, 'ELOOP'],
]

/** The POSIX-like code for an FTP reply; 4xx codes land on codes the applier retries. */
export const codeOfReply = (reply: number, text: string): string => {
  // 421: the server is closing the control connection (shutting down, idle, too many users).
  if (reply === 421) return 'ECONNRESET'
  // 425/426: the data connection could not be opened or was closed mid-transfer.
  if (reply === 425 || reply === 426) return 'ECONNRESET'
  if (reply === 530 || reply === 532) return 'EACCES'
  if (reply === 452 || reply === 552) return 'ENOSPC'
  // 553: a name the server refuses (its text often says "not allowed", which is no permission problem).
  if (reply === 553) return /permission denied/i.test(text) ? 'EACCES' : 'EINVAL'
  for (const [pattern, code] of BY_TEXT) if (pattern.test(text)) return code
  // 450: file busy or locked; 451: the server's own local error. Both may pass.
  if (reply === 450) return 'EBUSY'
  if (reply >= 400 && reply < 500) return 'EAGAIN'
  // 500-504: the command or its argument is not understood or not implemented.
  if (reply >= 500 && reply <= 504) return 'ENOTSUP'
  return 'EPERM'
}

/** basic-ftp's own messages when the control connection ends or stalls. */
const DROPPED = /closed|FIN packet|socket hang up|not connected|connection ended/i
const STALLED = /timeout/i

export interface Failure {
  readonly code: string
  readonly detail: string
  /** The connection is gone or in an unknown state: it is dropped, never reused. */
  readonly broken: boolean
}

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
])

interface Coded {
  readonly code?: unknown
  readonly message?: unknown
}

/** Reads any error basic-ftp, Node's sockets, TLS or our own code raised. */
export const failureOf = (error: unknown): Failure => {
  const { code, message } = (error ?? {}) as Coded
  const text = typeof message === 'string' ? message : String(error)
  if (error instanceof FTPError) {
    // basic-ftp's message is the whole reply, code first: keep the text a person reads.
    const detail = text.replace(/^\d{3}[ -]/, '').trim()
    const mapped = codeOfReply(error.code, detail)
    return { code: mapped, detail: `${detail} (${error.code})`, broken: error.code === 421 }
  }
  const closed = /^Client is closed/.test(text)
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) {
    if (NETWORK.has(code)) return { code, detail: text, broken: true }
    if (/CERT|SIGNATURE|ISSUER|SELF_SIGNED|^ERR_TLS|^ERR_SSL/.test(code))
      return { code: 'EPROTO', detail: `TLS: ${text}`, broken: true }
    // Our own codes (ECHANGED from a read that fed an upload), carried through basic-ftp's close.
    return { code, detail: text.replace(/^Client is closed because /, ''), broken: closed }
  }
  if (STALLED.test(text)) return { code: 'ETIMEDOUT', detail: text, broken: true }
  if (DROPPED.test(text)) return { code: 'ECONNRESET', detail: text, broken: true }
  return { code: 'EIO', detail: text, broken: true }
}

/** An error carrying a POSIX-like code, raised inside an operation and turned into a StorageError at its edge. */
export const coded = (code: string, message: string): Error & { readonly code: string } =>
  Object.assign(new Error(message), { code })

/** Transient: worth another try on a fresh connection (the applier's retry treats the same codes so). */
export const isTransientCode = (code: string): boolean =>
  [
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAGAIN',
    'EBUSY',
    'ENOTCONN',
  ].includes(code)
