import { createHash } from 'node:crypto'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSide } from '../../src/storage/open.ts'
import { copyObject } from '../../src/storage/s3/copy.ts'
import { settingsOf } from '../../src/storage/s3/options.ts'
import { s3Storage } from '../../src/storage/s3/s3-storage.ts'
import { describeStorageConformance, ok, rp } from '../../src/testing/storage-conformance.ts'
import { observe } from '../support/s3-observer.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'
import { keysUnder } from '../support/s3-side.ts'

const MiB = 1024 * 1024

describe.runIf(s3ServerAvailable())('s3 storage on a real S3 API server', () => {
  let server: S3TestServer
  let bucket: string
  let roots = 0
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    bucket = await server.bucket()
  })
  afterAll(async () => server?.stop())

  describeStorageConformance('s3', async ({ rootExists }) => {
    const prefix = rootExists ? `root-${++roots}` : `missing-${++roots}/root`
    if (rootExists)
      await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/`, Body: '' }))
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint, partSize: 5 * MiB })
    return { storage, cleanup: async () => storage.close?.() }
  })

  const put = (key: string, body: string | Buffer, metadata?: Record<string, string>) =>
    server.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    )

  it('lists a folder over many pages, folders and files alike', async () => {
    const prefix = `paged-${++roots}`
    for (let i = 0; i < 7; i++) await put(`${prefix}/f${i}.txt`, `${i}`, { mtime: '1600000000.5' })
    for (const folder of ['a', 'b', 'c']) await put(`${prefix}/${folder}/inside`, 'x')
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint, listPageSize: 2 })
    const traffic = observe(storage.client)
    const listed = await ok(storage.list(''))
    expect(listed.map((l) => l.name).sort()).toEqual([
      'a',
      'b',
      'c',
      ...[0, 1, 2, 3, 4, 5, 6].map((i) => `f${i}.txt`),
    ])
    expect(listed.find((l) => l.name === 'f3.txt')?.entry).toMatchObject({
      kind: 'file',
      size: 1,
      mtimeMs: 1_600_000_000_500,
    })
    expect(traffic.requests.ListObjectsV2).toBeGreaterThanOrEqual(4)
    expect(traffic.requests.HeadObject).toBe(7)
    await storage.close?.()
  })

  it('takes the upload time of an object another tool wrote, says so, and offers its ETag as MD5', async () => {
    const prefix = `foreign-${++roots}`
    await put(`${prefix}/plain.txt`, 'hello')
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint })
    const [listed] = await ok(storage.list(''))
    const head = await server.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/plain.txt` }),
    )
    expect(listed?.entry).toMatchObject({
      kind: 'file',
      mtimeMs: head.LastModified?.getTime(),
      hash: `md5:${createHash('md5').update('hello').digest('hex')}`,
    })
    expect(listed?.warning).toMatch(/upload time/)
    await storage.close?.()
  })

  it('copies above the single-copy limit in parts (UploadPartCopy), metadata and bytes intact', async () => {
    const prefix = `copies-${++roots}`
    const bytes = Buffer.alloc(12 * MiB)
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i)
    await put(`${prefix}/big`, bytes, {
      mtime: '1500000000.000',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint })
    const traffic = observe(storage.client)
    const head = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/big` }))
    await copyObject(
      storage.client,
      {
        bucket,
        from: `${prefix}/big`,
        etag: head.ETag?.replace(/"/g, '') ?? '',
        size: bytes.length,
        to: `${prefix}/copy`,
        metadata: undefined,
        sourceMetadata: head.Metadata ?? {},
        contentType: undefined,
        condition: { absent: true },
      },
      settingsOf({ endpoint: server.endpoint }),
      { single: 5 * MiB, part: 5 * MiB },
    )
    expect(traffic.requests.UploadPartCopy).toBe(3)
    expect(traffic.sent + traffic.received).toBeLessThan(64 * 1024)
    const copied = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/copy` }))
    expect(Buffer.from((await copied.Body?.transformToByteArray()) ?? []).equals(bytes)).toBe(true)
    expect(await ok(storage.stat(rp('copy')))).toMatchObject({ size: 12 * MiB, mtimeMs: 1_500_000_000_000 })
    await storage.close?.()
  })

  it('streams a large staged write into a temporary key, hidden from list, gone after discard', async () => {
    const prefix = `staged-${++roots}`
    await put(`${prefix}/`, '')
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint, partSize: 5 * MiB })
    async function* data(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 12; i++) yield Buffer.alloc(MiB, i)
    }
    const staged = await ok(storage.stage(rp('f.bin'), data(), { mtimeMs: 1_000, exec: false }, 'abcdef0123'))
    const keys = await keysUnder(server.client, bucket, `${prefix}/`)
    expect(keys.filter((k) => k.includes('.syncengine-abcdef0123-'))).toHaveLength(1)
    expect(await ok(storage.list(''))).toEqual([])
    await ok(staged.discard())
    expect(await keysUnder(server.client, bucket, `${prefix}/`)).toEqual([`${prefix}/`])
    await storage.close?.()
  })

  it('opens s3:// sides by URL, and refuses a bucket that is not there before anything is planned', async () => {
    const options = { cwd: '/', env: {}, s3: { endpoint: server.endpoint } }
    const opened = await openSide(`s3://${bucket}/by-url`, options)()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    expect(opened.right.root).toBe(`s3://${bucket}/by-url`)
    expect(opened.right.capabilities).toMatchObject({ symlinks: false, execBit: true, mtimePrecisionMs: 1 })
    await opened.right.close?.()
    const missing = await openSide('s3://no-such-bucket/x', options)()
    expect(missing).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'StorageUnavailable', url: 's3://no-such-bucket/x' },
    })
    if (E.isLeft(missing) && missing.left._tag === 'StorageUnavailable') {
      expect(missing.left.message).toMatch(/bucket does not exist/)
      expect(missing.left.message).not.toContain(server.credentials.accessKeyId)
    }
  })
})
