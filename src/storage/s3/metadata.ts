import type { FileEntry } from '../../core/entry.ts'
import type { WriteMeta } from '../storage.ts'

/**
 * What a file keeps in its object's user metadata (`x-amz-meta-*`), in the form rclone uses, so either
 * tool reads the other's: `mtime` in seconds since the epoch with a fraction, `mode` as octal st_mode. Ours
 * adds `sha256`, the hex digest of the bytes, so content is compared without reading it.
 */
export const MTIME = 'mtime'
export const MODE = 'mode'
export const SHA256 = 'sha256'
/** rclone's base64 MD5 of a multipart upload, whose ETag is no MD5. */
const RCLONE_MD5 = 'md5chksum'

export const metadataFor = (meta: WriteMeta, sha256: string | undefined): Record<string, string> => ({
  [MTIME]: (Math.round(meta.mtimeMs) / 1000).toFixed(3),
  [MODE]: meta.exec ? '100755' : '100644',
  ...(sha256 === undefined ? {} : { [SHA256]: sha256 }),
})

/** Seconds with a fraction (rclone, ours); a bare integer past year 5138 can only be milliseconds. */
export const mtimeOf = (metadata: Readonly<Record<string, string>>): number | undefined => {
  const text = metadata[MTIME]
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text.trim())) return undefined
  const value = Number(text)
  if (!Number.isFinite(value)) return undefined
  return value > 1e11 ? Math.round(value) : Math.round(value * 1000)
}

const execOf = (metadata: Readonly<Record<string, string>>): boolean => {
  const mode = metadata[MODE]
  if (mode === undefined || !/^[0-7]{1,7}$/.test(mode)) return false
  return (Number.parseInt(mode, 8) & 0o100) !== 0
}

const HEX64 = /^[0-9a-f]{64}$/
const HEX32 = /^[0-9a-f]{32}$/

const hexOfBase64 = (text: string, bytes: number): string | undefined => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  const buffer = Buffer.from(text, 'base64')
  return buffer.length === bytes ? buffer.toString('hex') : undefined
}

/** What a HeadObject or GetObject answered, as far as an entry needs it. */
export interface ObjectHead {
  readonly size: number
  readonly etag: string | undefined
  readonly lastModified: Date | undefined
  readonly metadata: Readonly<Record<string, string>>
  /** `x-amz-checksum-sha256` of the whole object (not a composite `…-N`), base64. */
  readonly checksumSha256: string | undefined
  readonly checksumType: string | undefined
  readonly serverSideEncryption: string | undefined
  readonly customerKey: boolean
}

export interface HashTrust {
  readonly etagIsMd5: boolean
}

/**
 * The content hash an object offers for free: a full-object SHA-256 checksum, our `sha256` metadata, the
 * MD5 rclone keeps, or the ETag where it is the MD5 of the bytes (a single-part upload not encrypted with
 * KMS or a customer key). Another tool's multipart upload offers none: it is read when a hash is needed.
 */
export const hashOf = (head: ObjectHead, trust: HashTrust): string | undefined => {
  if (head.checksumSha256 !== undefined && head.checksumType !== 'COMPOSITE') {
    const hex = hexOfBase64(head.checksumSha256, 32)
    if (hex !== undefined) return `sha256:${hex}`
  }
  const ours = head.metadata[SHA256]?.toLowerCase()
  if (ours !== undefined && HEX64.test(ours)) return `sha256:${ours}`
  const rclone = head.metadata[RCLONE_MD5]
  const md5 = rclone === undefined ? undefined : hexOfBase64(rclone, 16)
  if (md5 !== undefined) return `md5:${md5}`
  const etag = unquote(head.etag)?.toLowerCase()
  const encrypted = head.customerKey || (head.serverSideEncryption ?? '').startsWith('aws:kms')
  if (trust.etagIsMd5 && etag !== undefined && HEX32.test(etag) && !encrypted) return `md5:${etag}`
  return undefined
}

export const unquote = (etag: string | undefined): string | undefined =>
  etag === undefined ? undefined : etag.replace(/^(W\/)?"/, '').replace(/"$/, '')

/**
 * The file an object is. Without our mtime (an object another tool uploaded) the upload time stands in,
 * and `guessed` says so. The ETag is the backend id: it names this version of the object.
 */
export const fileEntryOf = (
  head: ObjectHead,
  trust: HashTrust,
): { readonly entry: FileEntry; readonly guessed: boolean } => {
  const mtime = mtimeOf(head.metadata)
  const hash = hashOf(head, trust)
  const etag = unquote(head.etag)
  return {
    entry: {
      kind: 'file',
      size: head.size,
      mtimeMs: mtime ?? head.lastModified?.getTime() ?? 0,
      exec: execOf(head.metadata),
      ...(hash === undefined ? {} : { hash }),
      ...(etag === undefined || etag === '' ? {} : { id: etag }),
    },
    guessed: mtime === undefined,
  }
}

/** Lower-case keys: stores differ in how they case metadata names, and HTTP headers have no case. */
export const lowerKeys = (metadata: Readonly<Record<string, string>> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
