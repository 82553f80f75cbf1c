import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe } from 'vitest'
import { s3Storage } from '../../src/storage/s3/s3-storage.ts'
import { describeStorageConformance } from '../../src/testing/storage-conformance.ts'
import {
  credentialsInEnvironment,
  type S3TestServer,
  s3ServerAvailable,
  startS3Server,
} from '../support/s3-server.ts'

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
    const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint, partSize: 5 * 1024 * 1024 })
    return { storage, cleanup: async () => storage.close?.() }
  })
})
