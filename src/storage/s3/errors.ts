import { describeFailure } from '../local.ts'
import { CHANGED_SINCE_PLAN, type StorageError, storageError } from '../storage.ts'
import type { Secrets } from './client.ts'

interface ServiceError {
  readonly name?: unknown
  readonly code?: unknown
  readonly Code?: unknown
  readonly message?: unknown
  readonly $metadata?: { readonly httpStatusCode?: unknown }
}

/** By the store's error code: what it means in the POSIX terms every backend speaks. */
const byName: Readonly<Record<string, string>> = {
  NoSuchKey: 'ENOENT',
  NotFound: 'ENOENT',
  NoSuchBucket: 'ENOENT',
  NoSuchUpload: 'ENOENT',
  AccessDenied: 'EACCES',
  AllAccessDisabled: 'EACCES',
  InvalidAccessKeyId: 'EACCES',
  SignatureDoesNotMatch: 'EACCES',
  ExpiredToken: 'EACCES',
  InvalidToken: 'EACCES',
  TokenRefreshRequired: 'EACCES',
  AccountProblem: 'EACCES',
  CredentialsProviderError: 'EACCES',
  PreconditionFailed: CHANGED_SINCE_PLAN,
  // Another write to the same key raced ours; trying again settles it (412 if it really changed).
  ConditionalRequestConflict: 'EAGAIN',
  OperationAborted: 'EAGAIN',
  SlowDown: 'EBUSY',
  Throttling: 'EBUSY',
  ThrottlingException: 'EBUSY',
  RequestLimitExceeded: 'EBUSY',
  TooManyRequests: 'EBUSY',
  ServiceUnavailable: 'EBUSY',
  InternalError: 'EIO',
  RequestTimeout: 'ETIMEDOUT',
  RequestTimeoutException: 'ETIMEDOUT',
  TimeoutError: 'ETIMEDOUT',
  EntityTooLarge: 'EFBIG',
  KeyTooLongError: 'ENAMETOOLONG',
  NotImplemented: 'ENOTSUP',
  MethodNotAllowed: 'ENOTSUP',
  InvalidObjectState: 'EACCES',
  BadDigest: 'EIO',
  InvalidDigest: 'EIO',
  IncompleteBody: 'ECONNRESET',
}

/** Network failures keep Node's own code, which the applier's retry knows. */
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPROTO',
])

const byStatus = (status: number): string | undefined => {
  if (status === 404) return 'ENOENT'
  if (status === 403 || status === 401) return 'EACCES'
  if (status === 412) return CHANGED_SINCE_PLAN
  if (status === 409) return 'EAGAIN'
  if (status === 429 || status === 503) return 'EBUSY'
  if (status === 501) return 'ENOTSUP'
  if (status >= 500) return 'EIO'
  if (status === 400) return 'EINVAL'
  return undefined
}

/** The POSIX-like code of a failure from the SDK, the network or our own checks. */
export const codeOf = (error: unknown): string => {
  const e = (error ?? {}) as ServiceError
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || /^E[A-Z]+$/.test(e.code))) return e.code
  for (const name of [e.Code, e.name])
    if (typeof name === 'string' && byName[name] !== undefined) return byName[name]
  const status = e.$metadata?.httpStatusCode
  if (typeof status === 'number') return byStatus(status) ?? 'EIO'
  // An aborted socket shows up as a plain Error with a message only.
  const message = typeof e.message === 'string' ? e.message : ''
  if (/socket hang up|aborted|premature close|ECONNRESET/i.test(message)) return 'ECONNRESET'
  if (/timed? ?out/i.test(message)) return 'ETIMEDOUT'
  if (/region is missing/i.test(message)) return 'EINVAL'
  return 'EIO'
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA|ANPA|ANVA|AGPA)[A-Z0-9]{12,}\b/g

/** Strikes every credential the client used, and anything shaped like an AWS access key id. */
export const redact = (text: string, secrets: Secrets): string => {
  let out = text
  for (const secret of secrets.known()) out = out.split(secret).join('[redacted]')
  return out.replace(ACCESS_KEY_ID, '[redacted]')
}

/** One readable line: the store's code and message, never a credential, never a stack. */
const detailOf = (error: unknown): string => {
  const e = (error ?? {}) as ServiceError
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : undefined
  const raw = typeof e.message === 'string' && e.message !== '' ? e.message : String(error)
  // Some stores answer a HEAD with no body: the SDK then says only "UnknownError".
  const message = raw === 'UnknownError' ? 'the store gave no reason' : raw.split('\n')[0]
  return name === undefined || name === 'Error' || message?.startsWith(name) === true
    ? (message ?? name ?? 'failed')
    : `${name}: ${message}`
}

export const s3Failure =
  (op: string, path: string, where: string, secrets: Secrets) =>
  (error: unknown): StorageError => {
    const code = codeOf(error)
    const detail = code === 'ENOENT' && detailOf(error).includes('no reason') ? 'not found' : detailOf(error)
    return storageError(op, path, code, redact(describeFailure(op, where, detail, code), secrets))
  }

/** Our own refusals (EEXIST, ENOTEMPTY, …), raised inside an operation like the SDK's errors. */
export const refuse = (code: string, message: string): never => {
  throw Object.assign(new Error(message), { code })
}
