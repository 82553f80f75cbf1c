import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { planJson } from '../../src/pair/plan-file-io.ts'
import { syncPair } from '../../src/pair/sync-pair.ts'
import { journalFileOf } from '../../src/state/journal-file.ts'
import { s3Failure } from '../../src/storage/s3/errors.ts'
import { s3Storage } from '../../src/storage/s3/s3-storage.ts'
import { failed, rp } from '../../src/testing/storage-conformance.ts'
import { conditionalWrites, observe } from '../support/s3-observer.ts'
import { localToS3, s3ToS3 } from '../support/s3-pairs.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'
import { keysUnder } from '../support/s3-side.ts'
import { session } from '../support/session.ts'
import type { TestPair } from '../support/sides.ts'

describe.runIf(s3ServerAvailable())('syncing with S3', () => {
  let server: S3TestServer
  let bucket: string
  let other: string
  let pair: TestPair | undefined
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    bucket = await server.bucket()
    other = await server.bucket()
  })
  afterAll(async () => server?.stop())
  afterEach(async () => {
    await pair?.cleanup()
    pair = undefined
  })

  const s3Client = (p: TestPair) => (p.destination.storage as ReturnType<typeof s3Storage>).client
  const prefixOf = (p: TestPair): string => p.destination.storage.root.replace(`s3://${bucket}/`, '')

  it('a second plan of an unchanged local ↔ S3 pair is empty, and only lists and heads: no object is read', async () => {
    pair = await localToS3(server, bucket)
    await pair.source.put('a.txt', 'alpha')
    await pair.source.put('docs/b.md', 'beta', { exec: true })
    await pair.source.put('docs/deep/c.bin', 'gamma')
    await pair.source.mkdir('empty')
    const run = session(pair)
    await run.sync()
    expect(await pair.destination.tree()).toEqual(await pair.source.tree())

    const traffic = observe(s3Client(pair))
    const again = await run.plan()
    expect(again.actions).toEqual([])
    expect(again.conflicts).toEqual([])
    expect(Object.keys(traffic.requests).sort()).toEqual(['HeadObject', 'ListObjectsV2'])
    // The mtime and exec bit came back from the metadata, not the upload time: nothing to warn of.
    expect(again.warnings).toEqual([])
  })

  it('identical content is never a transfer nor a conflict, whoever uploaded the object', async () => {
    pair = await localToS3(server, bucket)
    const prefix = prefixOf(pair)
    // Same bytes on both sides, mtimes far apart, no state: a first sync.
    await pair.source.put('ours.txt', 'same bytes', { mtimeMs: 1_600_000_000_000 })
    await pair.source.put('single.txt', 'uploaded by another tool', { mtimeMs: 1_600_000_000_000 })
    await pair.source.put('multi.bin', 'm'.repeat(6 * 1024 * 1024), { mtimeMs: 1_600_000_000_000 })
    await pair.source.put('differs.txt', 'local version', { mtimeMs: 1_600_000_000_000 })
    // Written by syncengine before (its sha256 in the metadata), another mtime.
    const staged = await pair.destination.storage.stage(
      rp('ours.txt'),
      (async function* () {
        yield Buffer.from('same bytes')
      })(),
      { mtimeMs: 1_700_000_000_000, exec: false },
      'abcdef0123',
    )()
    if (E.isLeft(staged)) throw new Error(staged.left.message)
    await staged.right.commit()()
    // Another tool, no metadata at all: a plain PUT (its ETag is the MD5) and a multipart upload (no MD5).
    const { client } = server
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/single.txt`, Body: 'uploaded by another tool' }),
    )
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/differs.txt`, Body: 'other version' }),
    )
    await new Upload({
      client,
      params: { Bucket: bucket, Key: `${prefix}/multi.bin`, Body: Buffer.from('m'.repeat(6 * 1024 * 1024)) },
      partSize: 5 * 1024 * 1024,
    }).done()

    const run = session(pair, { conflict: 'manual' })
    const plan = await run.plan()
    // The same bytes with other mtimes: only the newer mtime is set on the other side, nothing is sent.
    expect(plan.actions.filter((a) => a.kind !== 'meta')).toEqual([])
    expect(plan.actions.map((a) => (a.kind === 'meta' ? a.path : '')).sort()).toEqual([
      'multi.bin',
      'ours.txt',
      'single.txt',
    ])
    expect(plan.conflicts.map((c) => c.path)).toEqual(['differs.txt'])
    // The objects without our metadata are named in the plan's warnings.
    expect(plan.warnings.map((w) => w.path).sort()).toEqual(['differs.txt', 'multi.bin', 'single.txt'])
    expect(plan.warnings[0]?.message).toMatch(/upload time/)

    // S3 to S3: two objects of one content uploaded by another tool are alike by their ETags alone.
    const both = await s3ToS3(server, [bucket, other])
    try {
      const uploadTimes: number[] = []
      for (const [b, side] of [
        [bucket, both.source],
        [other, both.destination],
      ] as const) {
        const Key = `${side.storage.root.replace(`s3://${b}/`, '')}/x.txt`
        await client.send(new PutObjectCommand({ Bucket: b, Key, Body: 'twin' }))
        const head = await client.send(new HeadObjectCommand({ Bucket: b, Key }))
        uploadTimes.push(head.LastModified?.getTime() ?? Number.NaN)
      }
      const traffic = observe(s3Client(both))
      const twins = await session(both, { conflict: 'manual' }).plan()
      expect(twins.conflicts).toEqual([])
      // The store stamps whole seconds: two uploads either side of a second's edge differ only in that
      // metadata, which the newer side keeps; no byte is sent either way.
      const [sourceTime = 0, destinationTime = 0] = uploadTimes
      expect(twins.actions).toEqual(
        sourceTime === destinationTime
          ? []
          : [
              expect.objectContaining({
                kind: 'meta',
                path: 'x.txt',
                side: sourceTime < destinationTime ? 'source' : 'destination',
              }),
            ],
      )
      expect(traffic.requests.GetObject).toBeUndefined()
    } finally {
      await both.cleanup()
    }
  })

  it('a rename on the local side is a copy and a delete inside the store, no byte through the client', async () => {
    pair = await localToS3(server, bucket)
    await pair.source.put('folder/report.pdf', 'x'.repeat(100_000))
    const run = session(pair)
    await run.sync()
    await pair.source.rename('folder/report.pdf', 'folder/renamed.pdf')
    const traffic = observe(s3Client(pair))
    const { plan } = await run.sync()
    expect(plan.actions.map((a) => a.kind)).toEqual(['move'])
    expect(traffic.requests.CopyObject).toBe(1)
    expect(traffic.requests.DeleteObject).toBe(1)
    expect(traffic.requests.GetObject).toBeUndefined()
    expect(traffic.requests.PutObject ?? 0).toBeLessThanOrEqual(1) // the folder's marker, at most
    expect(traffic.sent + traffic.received).toBeLessThan(10_000)
    expect(await pair.destination.tree()).toEqual(await pair.source.tree())
  })

  describe('drift at apply time, with S3 conditional writes (recorded AWS behaviour)', () => {
    it('a new file someone else uploads between the check and the commit is kept, and the upload is drift', async () => {
      pair = await localToS3(server, bucket)
      const key = `${prefixOf(pair)}/new.txt`
      conditionalWrites(s3Client(pair), server.client, async (operation, target) => {
        if (operation === 'PutObject' && target === key)
          await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'theirs' }))
      })
      await pair.source.put('new.txt', 'ours')
      const { report } = await session(pair).sync()
      expect(report.counts.drifted).toBe(1)
      expect((await pair.destination.tree())['new.txt']).toBe('theirs')
    })

    it('an overwrite and a delete of a version replaced meanwhile are drift, and the new version stays', async () => {
      pair = await localToS3(server, bucket)
      const prefix = prefixOf(pair)
      await pair.source.put('edit.txt', 'v0')
      await pair.source.put('gone.txt', 'g0')
      const run = session(pair)
      await run.sync()
      let racing = true
      conditionalWrites(s3Client(pair), server.client, async (operation, target) => {
        if (!racing) return
        if (operation === 'PutObject' && target === `${prefix}/edit.txt`)
          await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: 'their edit' }))
        if (operation === 'DeleteObject' && target === `${prefix}/gone.txt`)
          await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: 'their keep' }))
      })
      await pair.source.put('edit.txt', 'v1')
      await pair.source.remove('gone.txt')
      const { report } = await run.sync({ mode: 'source-to-destination' })
      expect(report.counts.drifted).toBe(2)
      const tree = await pair.destination.tree()
      expect(tree['edit.txt']).toBe('their edit')
      expect(tree['gone.txt']).toBe('their keep')
      racing = false
    })
  })

  it('no access key, secret key or session token in any plan, state, journal, progress event or error', async () => {
    pair = await localToS3(server, bucket)
    const stateFile = join(pair.scratch, 'state.json')
    await pair.source.put('a.txt', 'a')
    await pair.source.put('big/b.bin', 'b'.repeat(7 * 1024 * 1024))
    const seen: string[] = []
    const sides = { source: pair.source.storage, destination: pair.destination.storage }
    const synced = await syncPair({
      sides,
      stateFile,
      onProgress: (event) => seen.push(JSON.stringify(event)),
      onEvent: (event) => {
        seen.push(JSON.stringify(event))
        try {
          seen.push(readFileSync(journalFileOf(stateFile), 'utf8'))
        } catch {
          // No journal at that moment.
        }
      },
    })()
    if (E.isLeft(synced)) throw new Error(JSON.stringify(synced.left))
    seen.push(planJson(synced.right.plan), await readFile(stateFile, 'utf8'))

    // Errors: a missing object, a refused key, and a store's message that echoes a credential.
    seen.push((await failed(pair.destination.storage.read(rp('missing.txt')))).message)
    const refused = s3Storage(
      { bucket, prefix: 'x' },
      { endpoint: server.endpoint, maxAttempts: 1 },
      undefined,
    )
    process.env.AWS_ACCESS_KEY_ID = 'AKIAWRONGWRONGWRONG1'
    try {
      const error = await failed(refused.stat(rp('a.txt')))
      expect(error.code).toBe('EACCES')
      seen.push(error.message)
    } finally {
      credentialsInEnvironment(server.credentials)
      await refused.close?.()
    }
    const echo = s3Failure('stat', 'a.txt', 's3://b/a.txt', {
      known: () => Object.values(server.credentials),
    })(
      Object.assign(
        new Error(`denied for ${server.credentials.accessKeyId} / ${server.credentials.secretAccessKey}`),
        {
          name: 'AccessDenied',
        },
      ),
    )
    seen.push(echo.message)
    expect(echo.message).toContain('[redacted]')

    const everything = seen.join('\n')
    expect(everything.length).toBeGreaterThan(1000)
    for (const secret of [...Object.values(server.credentials), 'AKIAWRONGWRONGWRONG1'])
      expect(everything).not.toContain(secret)
  })

  it('removes only the staged writes of its own token, and unfinished uploads of it', async () => {
    pair = await localToS3(server, bucket)
    const prefix = prefixOf(pair)
    const names = [
      '.syncengine-0123abcd.tmp',
      '.syncengine-feedface00-1.tmp',
      '.syncengine-abcdef0123-9f.tmp',
    ]
    for (const name of names)
      await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${name}`, Body: 'x' }))
    const removed = await pair.destination.storage.removeStaged('', 'abcdef0123')()
    expect(removed).toEqual(E.right(1))
    const left = (await keysUnder(server.client, bucket, `${prefix}/`)).map((k) => k.slice(prefix.length + 1))
    expect(left.sort()).toEqual(['', '.syncengine-0123abcd.tmp', '.syncengine-feedface00-1.tmp'])
  })

  it('keeps a folder whose last file is deleted, though it had no marker', async () => {
    pair = await localToS3(server, bucket)
    const prefix = prefixOf(pair)
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/only/f.txt`, Body: 'x' }))
    const removed = await pair.destination.storage.remove(rp('only/f.txt'))()
    expect(E.isRight(removed)).toBe(true)
    expect(await pair.destination.tree()).toEqual({ 'only/': '' })
  })
})
