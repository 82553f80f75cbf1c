import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { syncPair } from '../../src/pair/sync-pair.ts'
import type { S3Storage } from '../../src/storage/s3/s3-storage.ts'
import { ok, rp } from '../../src/testing/storage-conformance.ts'
import { observe } from '../support/s3-observer.ts'
import { localToS3 } from '../support/s3-pairs.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'
import { keysUnder } from '../support/s3-side.ts'
import { session } from '../support/session.ts'
import type { TestPair } from '../support/sides.ts'

const MiB = 1024 * 1024

const sha256Of = async (data: AsyncIterable<Uint8Array>): Promise<string> => {
  const hash = createHash('sha256')
  for await (const chunk of data) hash.update(chunk)
  return hash.digest('hex')
}

/** A file of random bytes (random per MiB block, so no part looks like another), and its SHA-256. */
const bigFile = async (path: string, size: number): Promise<string> => {
  const block = randomBytes(MiB)
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  for (let at = 0; at < size; at += MiB) {
    const chunk = Buffer.from(block)
    chunk.writeUInt32BE(at / MiB, 0)
    chunks.push(chunk.subarray(0, Math.min(MiB, size - at)))
  }
  for (const chunk of chunks) hash.update(chunk)
  await writeFile(path, Buffer.concat(chunks))
  return hash.digest('hex')
}

describe.runIf(s3ServerAvailable())('large transfers and dropped connections with S3', () => {
  let server: S3TestServer
  let bucket: string
  let pair: TestPair | undefined
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    bucket = await server.bucket()
  })
  afterAll(async () => server?.stop())
  afterEach(async () => {
    await pair?.cleanup()
    pair = undefined
  })

  const storageOf = (p: TestPair): S3Storage => p.destination.storage as S3Storage

  it('a 200 MiB file goes up in parts and comes back intact; its rename moves no byte through the client', {
    timeout: 300_000,
  }, async () => {
    pair = await localToS3(server, bucket, { partSize: 16 * MiB, partConcurrency: 4 })
    const root = pair.source.storage.root
    await mkdir(join(root, 'media'))
    const digest = await bigFile(join(root, 'media', 'film.bin'), 200 * MiB)
    const traffic = observe(storageOf(pair).client)
    const uploaded: number[] = []
    const run = session(pair)
    const plan = await run.plan()
    const report = await run.apply(plan)
    expect(report.counts.failed + report.counts.drifted).toBe(0)
    expect(traffic.requests.UploadPart).toBe(13)
    expect(traffic.requests.CompleteMultipartUpload).toBe(1)
    // Everything went up once, in parts: nothing was buffered whole and sent again.
    expect(traffic.sent).toBeGreaterThanOrEqual(200 * MiB)
    expect(traffic.sent).toBeLessThan(201 * MiB)
    uploaded.push(traffic.sent)

    const opened = await ok(storageOf(pair).read(rp('media/film.bin')))
    expect(opened.entry).toMatchObject({ size: 200 * MiB, hash: `sha256:${digest}` })
    expect(await sha256Of(opened.data)).toBe(digest)

    await rename(join(root, 'media', 'film.bin'), join(root, 'media', 'renamed.bin'))
    traffic.reset()
    const moved = await run.sync()
    expect(moved.plan.actions.map((a) => a.kind)).toEqual(['move'])
    expect(traffic.requests.GetObject).toBeUndefined()
    expect(traffic.requests.PutObject ?? 0).toBeLessThanOrEqual(1)
    expect(traffic.sent + traffic.received).toBeLessThan(64 * 1024)
    const after = await ok(storageOf(pair).read(rp('media/renamed.bin')))
    expect(await sha256Of(after.data)).toBe(digest)
    expect(await sha256Of(createReadStream(join(root, 'media', 'renamed.bin')))).toBe(digest)
  })

  it('a store that goes down in the middle of an upload: the next sync, once it is back, completes with nothing lost', async () => {
    pair = await localToS3(server, bucket, { partSize: 5 * MiB, partConcurrency: 1, maxAttempts: 2 })
    const root = pair.source.storage.root
    const digest = await bigFile(join(root, 'big.bin'), 24 * MiB)
    for (let i = 0; i < 5; i++) await writeFile(join(root, `small-${i}.txt`), `small ${i}`)
    const stateFile = join(pair.scratch, 'state.json')
    const sides = { source: pair.source.storage, destination: pair.destination.storage }
    let killed: Promise<void> | undefined
    const first = await syncPair({
      sides,
      stateFile,
      retry: { retries: 0, delayMs: 0 },
      onProgress: (event) => {
        // Halfway through the big file's parts, the store dies: connections drop, new ones are refused.
        if (event.type === 'upload-file-progress' && event.path === 'big.bin' && event.bytesDone >= 12 * MiB)
          killed ??= server.kill()
      },
    })()
    await killed
    expect(killed).toBeDefined()
    if (E.isRight(first)) expect(first.right.report.counts.failed).toBeGreaterThan(0)

    await server.restart()
    // Nothing half written under a real name while it was down.
    const prefix = pair.destination.storage.root.replace(`s3://${bucket}/`, '')
    const keys = await keysUnder(server.client, bucket, `${prefix}/`)
    expect(keys.filter((k) => k.endsWith('big.bin'))).toEqual([])

    const second = await syncPair({ sides, stateFile })()
    if (E.isLeft(second)) throw new Error(JSON.stringify(second.left))
    expect(second.right.report.counts.failed + second.right.report.counts.drifted).toBe(0)
    const tree = await pair.destination.tree()
    expect(Object.keys(tree).sort()).toEqual(['big.bin', ...[0, 1, 2, 3, 4].map((i) => `small-${i}.txt`)])
    for (let i = 0; i < 5; i++) expect(tree[`small-${i}.txt`]).toBe(`small ${i}`)
    const opened = await ok(storageOf(pair).read(rp('big.bin')))
    expect(await sha256Of(opened.data)).toBe(digest)
    // No temporary key is left, and a new plan has nothing to do.
    const left = await keysUnder(server.client, bucket, `${prefix}/`)
    expect(left.filter((k) => k.includes('.syncengine-'))).toEqual([])
    const third = await syncPair({ sides, stateFile })()
    if (E.isLeft(third)) throw new Error(JSON.stringify(third.left))
    expect(third.right.plan.actions).toEqual([])
  })
})
