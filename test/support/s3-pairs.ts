import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Options } from '../../src/storage/s3/options.ts'
import type { S3TestServer } from './s3-server.ts'
import { s3Side } from './s3-side.ts'
import { clock, localSide, type TestPair, tempDir } from './sides.ts'

let prefixes = 0
const fresh = (): string => `pair-${++prefixes}`

/** A local folder as source and an S3 prefix as destination. */
export const localToS3 = async (
  server: S3TestServer,
  bucket: string,
  options: S3Options = {},
): Promise<TestPair> => {
  const now = clock()
  const base = await tempDir()
  await Promise.all(['source', 'scratch'].map((d) => mkdir(join(base, d))))
  const destination = await s3Side(server, bucket, fresh(), now, options)
  return {
    kind: 's3',
    source: localSide(join(base, 'source'), now),
    destination,
    scratch: join(base, 'scratch'),
    cleanup: async () => {
      await destination.storage.close?.()
      await rm(base, { recursive: true, force: true })
    },
  }
}

/** Two S3 sides: prefixes in two buckets. */
export const s3ToS3 = async (server: S3TestServer, buckets: readonly [string, string]): Promise<TestPair> => {
  const now = clock()
  const base = await tempDir()
  const prefix = fresh()
  const source = await s3Side(server, buckets[0], prefix, now)
  const destination = await s3Side(server, buckets[1], prefix, now)
  return {
    kind: 's3',
    source,
    destination,
    scratch: base,
    cleanup: async () => {
      await source.storage.close?.()
      await destination.storage.close?.()
      await rm(base, { recursive: true, force: true })
    },
  }
}
