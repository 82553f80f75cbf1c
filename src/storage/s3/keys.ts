import type { RelPath } from '../../core/rel-path.ts'
import { refuse } from './errors.ts'

/** S3's longest key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024

/**
 * Where the paths of one side live in its bucket. A file is the object `prefix/path`; a folder is the key
 * prefix `prefix/path/`, and an empty folder the zero-byte marker object of that very name, as the AWS
 * console and most tools make them. `prefix` is '' for a whole bucket.
 */
export interface Keys {
  readonly bucket: string
  /** Every key of the side starts with it: `photos/` for `s3://bucket/photos`, '' for the whole bucket. */
  readonly base: string
  /** The object holding the file at `path`. */
  readonly file: (path: RelPath) => string
  /** The prefix of a folder's children, and the name of its marker ('' for a bucket's root). */
  readonly folder: (path: RelPath | '') => string
  /** The path of a key under the side, or undefined for a key outside it. */
  readonly pathOf: (key: string) => string | undefined
}

export const keysOf = (bucket: string, prefix: string): Keys => {
  const base = prefix === '' ? '' : `${prefix}/`
  const checked = (key: string): string => {
    // A lone surrogate has no UTF-8 form: the SDK would send U+FFFD and name another object.
    if (Buffer.from(key, 'utf8').toString('utf8') !== key)
      refuse('EILSEQ', 'the name is not valid Unicode, which S3 keys must be')
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) refuse('ENAMETOOLONG', 'S3 keys are 1024 bytes at most')
    return key
  }
  return {
    bucket,
    base,
    file: (path) => checked(base + path),
    folder: (path) => (path === '' ? base : checked(`${base + path}/`)),
    pathOf: (key) => (key.startsWith(base) ? key.slice(base.length) : undefined),
  }
}

/**
 * `x-amz-copy-source`: the bucket and key, percent-encoded as AWS requires (a raw `?` would start a
 * version id, a raw `%` an escape), `/` kept.
 */
export const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
