import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { comparableHashes, sameAcross, sameOnSide } from '../../src/core/compare.ts'
import type { FileEntry } from '../../src/core/entry.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import type { Snapshot } from '../../src/core/snapshot.ts'
import { pairAlgorithms, withHashes } from '../../src/snapshot/fill-hashes.ts'
import { memoryStorage } from '../../src/storage/memory.ts'
import { codeOf, redact } from '../../src/storage/s3/errors.ts'
import { fileEntryOf, hashOf, metadataFor, mtimeOf, type ObjectHead } from '../../src/storage/s3/metadata.ts'

const head = (over: Partial<ObjectHead>): ObjectHead => ({
  size: 5,
  etag: '"5d41402abc4b2a76b9719d911017c592"',
  lastModified: new Date(1_700_000_000_000),
  metadata: {},
  checksumSha256: undefined,
  checksumType: undefined,
  serverSideEncryption: undefined,
  customerKey: false,
  ...over,
})
const trust = { etagIsMd5: true }
const sha256 = createHash('sha256').update('hello').digest('hex')

describe('what an S3 object offers', () => {
  it('keeps mtime as rclone does (seconds with a fraction) and reads it back to the millisecond', () => {
    const written = metadataFor({ mtimeMs: 1_600_000_000_123, exec: true }, sha256)
    expect(written).toEqual({ mtime: '1600000000.123', mode: '100755', sha256 })
    expect(fileEntryOf(head({ metadata: written }), trust)).toEqual({
      entry: {
        kind: 'file',
        size: 5,
        mtimeMs: 1_600_000_000_123,
        exec: true,
        hash: `sha256:${sha256}`,
        id: '5d41402abc4b2a76b9719d911017c592',
      },
      guessed: false,
    })
    // rclone writes nanoseconds; a bare integer past the year 5000 can only be milliseconds.
    expect(mtimeOf({ mtime: '1600000000.123456789' })).toBe(1_600_000_000_123)
    expect(mtimeOf({ mtime: '1600000000123' })).toBe(1_600_000_000_123)
    expect(mtimeOf({ mtime: 'yesterday' })).toBeUndefined()
  })

  it('offers a full-object SHA-256 checksum, our sha256, rclone md5chksum, or a plain ETag as MD5, in that order', () => {
    const base64 = Buffer.from(sha256, 'hex').toString('base64')
    expect(hashOf(head({ checksumSha256: base64, checksumType: 'FULL_OBJECT' }), trust)).toBe(
      `sha256:${sha256}`,
    )
    // A composite checksum (of the parts) is no checksum of the bytes.
    expect(hashOf(head({ checksumSha256: `${base64}-3`, checksumType: 'COMPOSITE' }), trust)).toBe(
      'md5:5d41402abc4b2a76b9719d911017c592',
    )
    const md5 = createHash('md5').update('hello').digest()
    expect(hashOf(head({ etag: '"abc-2"', metadata: { md5chksum: md5.toString('base64') } }), trust)).toBe(
      `md5:${md5.toString('hex')}`,
    )
    expect(hashOf(head({ etag: '"0123456789abcdef0123456789abcdef-4"' }), trust)).toBeUndefined()
    expect(hashOf(head({ serverSideEncryption: 'aws:kms' }), trust)).toBeUndefined()
    expect(hashOf(head({ customerKey: true }), trust)).toBeUndefined()
    expect(hashOf(head({}), { etagIsMd5: false })).toBeUndefined()
    expect(fileEntryOf(head({}), trust).guessed).toBe(true)
  })

  it('maps the store’s errors to the codes the applier acts on', () => {
    const service = (name: string, status: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })
    expect(codeOf(service('SlowDown', 503))).toBe('EBUSY')
    expect(codeOf(service('PreconditionFailed', 412))).toBe('ESTALE')
    expect(codeOf(service('NoSuchKey', 404))).toBe('ENOENT')
    expect(codeOf(service('InvalidAccessKeyId', 403))).toBe('EACCES')
    expect(codeOf(service('Whatever', 502))).toBe('EIO')
    expect(codeOf(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('ECONNRESET')
    expect(codeOf(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe('ETIMEDOUT')
    expect(redact('key AKIAABCDEFGHIJKLMNOP and s3cr3t-value', { known: () => ['s3cr3t-value'] })).toBe(
      'key [redacted] and [redacted]',
    )
  })
})

describe('hashes of two algorithms', () => {
  const file = (hash: string | undefined, mtimeMs = 1_000): FileEntry => ({
    kind: 'file',
    size: 5,
    mtimeMs,
    exec: false,
    ...(hash === undefined ? {} : { hash }),
  })
  const how = { mtimeToleranceMs: 0, execBit: true }

  it('are never compared with each other: size and mtime decide, as if neither were known', () => {
    expect(comparableHashes('md5:aa', 'sha256:aa')).toBe(false)
    expect(sameAcross(file('md5:aa', 1_000), file('sha256:bb', 1_000), how)).toBe(true)
    expect(sameAcross(file('md5:aa', 1_000), file('sha256:bb', 2_000), how)).toBe(false)
    expect(sameAcross(file('md5:aa', 1_000), file('md5:bb', 1_000), how)).toBe(false)
    expect(sameOnSide(file('sha256:aa', 1_000), file('md5:bb', 1_000))).toBe(true)
  })

  it('are made in the algorithm the other side offers, so the offering side is never read', async () => {
    const storage = memoryStorage()
    storage.put('f', 'hello')
    const entry = storage.entryAt('f') as FileEntry
    const snapshot = (entries: ReadonlyArray<readonly [string, FileEntry]>): Snapshot => ({
      root: 'memory:/',
      exists: true,
      capabilities: {
        caseSensitive: true,
        normalizesUnicode: false,
        mtimePrecisionMs: 1,
        symlinks: true,
        execBit: true,
      },
      entries: new Map(entries.map(([p, e]) => [p as RelPath, e])),
      excluded: [],
      ignoreFiles: {},
      warnings: [],
      fingerprint: '',
    })
    const local = snapshot([['f', { ...entry, hash: `sha256:${sha256}` }]])
    const s3 = snapshot([['f', file('md5:5d41402abc4b2a76b9719d911017c592')]])
    const algorithms = pairAlgorithms(snapshot([['f', entry]]), s3)
    expect(algorithms('f' as RelPath)).toBe('md5')
    const hashed = await withHashes(local, storage, ['f' as RelPath], 1, algorithms)
    if (E.isLeft(hashed)) throw new Error('hashing failed')
    expect(hashed.right.entries.get('f' as RelPath)).toMatchObject({
      hash: 'md5:5d41402abc4b2a76b9719d911017c592',
    })
    expect(storage.counters.read).toBe(1)
  })
})
