/**
 * S3 storage built directly, for programs that make their own sides: `import { s3Storage } from
 * 'syncengine/s3'`. Its own entry point, since it loads the AWS SDK (an optional peer dependency).
 */
export { S3Options } from './storage/s3/options.ts'
export { type S3Side, type S3Storage, s3Storage } from './storage/s3/s3-storage.ts'
