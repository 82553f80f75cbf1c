import { afterAll, beforeAll, describe } from 'vitest'
import { describeConflictTable } from '../support/conflict-table.ts'
import { describeModeTable } from '../support/mode-table.ts'
import { localToS3 } from '../support/s3-pairs.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'

describe.runIf(s3ServerAvailable())('local ↔ S3', () => {
  let server: S3TestServer
  let bucket: string
  beforeAll(async () => {
    server = await startS3Server()
    credentialsInEnvironment(server.credentials)
    bucket = await server.bucket()
  })
  afterAll(async () => server?.stop())

  describeModeTable('local → S3', () => localToS3(server, bucket))
  describeConflictTable('local → S3', () => localToS3(server, bucket))
})
