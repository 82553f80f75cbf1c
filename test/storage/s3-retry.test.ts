import { S3ServiceException } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { S3Storage } from '../../src/storage/s3/s3-storage.ts'
import { localToS3 } from '../support/s3-pairs.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'
import { session } from '../support/session.ts'

describe.runIf(s3ServerAvailable())('a store that throttles and drops connections', () => {
  let server: S3TestServer
  let bucket: string
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    bucket = await server.bucket()
  })
  afterAll(async () => server?.stop())

  it('is asked again, with backoff, until the sync completes: 503 SlowDown, then a reset connection, then success', async () => {
    const pair = await localToS3(server, bucket)
    try {
      const client = (pair.destination.storage as S3Storage).client
      const attempts = new Map<string, number>()
      // Inside the SDK's retry loop, where the network answers: each upload first meets S3's throttling
      // answer, then a connection reset by the peer.
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'PutObjectCommand') return next(args)
          const key = String((args.input as { Key?: unknown }).Key)
          const attempt = (attempts.get(key) ?? 0) + 1
          attempts.set(key, attempt)
          if (attempt === 1)
            throw new S3ServiceException({
              name: 'SlowDown',
              $fault: 'server',
              $metadata: { httpStatusCode: 503 },
              message: 'Please reduce your request rate.',
            })
          if (attempt === 2) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
          return next(args)
        },
        { step: 'deserialize', priority: 'low', name: 'flakyStore' },
      )
      for (const name of ['a.txt', 'b.txt', 'c.txt']) await pair.source.put(name, name)
      const { report } = await session(pair).sync()
      expect(report.counts.failed + report.counts.drifted).toBe(0)
      expect(await pair.destination.tree()).toEqual(await pair.source.tree())
      const uploads = [...attempts].filter(([key]) => key.endsWith('.txt'))
      expect(uploads.map(([, n]) => n)).toEqual([3, 3, 3])
    } finally {
      await pair.cleanup()
    }
  })
})
