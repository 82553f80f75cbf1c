import { afterAll, beforeAll, describe } from 'vitest'
import { describeConflictTable } from '../support/conflict-table.ts'
import { describeModeTable } from '../support/mode-table.ts'
import { s3ToS3 } from '../support/s3-pairs.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'

describe.runIf(s3ServerAvailable())('S3 ↔ S3', () => {
  let server: S3TestServer
  let buckets: readonly [string, string]
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    buckets = [await server.bucket(), await server.bucket()]
  })
  afterAll(async () => server?.stop())

  describeModeTable('S3 → S3 (two buckets)', () => s3ToS3(server, buckets))
  describeConflictTable('S3 → S3 (two buckets)', () => s3ToS3(server, buckets))
})
