import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { copySource } from './keys.ts'
import { limiter } from './limit.ts'
import { MAX_PARTS, MAX_SINGLE_COPY, type S3Settings } from './options.ts'

/** What the destination key must hold for a write to go ahead: nothing, or one version (by ETag). */
export type Condition = { readonly absent: true } | { readonly etag: string } | undefined

export const conditionHeaders = (
  condition: Condition,
  settings: S3Settings,
): { IfNoneMatch?: string; IfMatch?: string } => {
  if (condition === undefined || !settings.conditionalWrites) return {}
  return 'absent' in condition ? { IfNoneMatch: '*' } : { IfMatch: `"${condition.etag}"` }
}

export interface CopyRequest {
  readonly bucket: string
  readonly from: string
  /** The version copied: the copy fails with 412 if `from` changed (S3 checks it, even for each part). */
  readonly etag: string
  readonly size: number
  readonly to: string
  /** New user metadata, or undefined to keep the source's (which a multipart copy must be given). */
  readonly metadata: Record<string, string> | undefined
  readonly sourceMetadata: Record<string, string>
  readonly contentType: string | undefined
  readonly condition: Condition
}

/**
 * Copies an object inside the store: no byte goes through this process. Up to 5 GiB one CopyObject does
 * it; above, a multipart upload whose parts are copied ranges (UploadPartCopy), invisible until completed
 * and aborted on failure. Returns the new object's ETag.
 */
/** S3's limits on copies; smaller ones only to see the multipart copy work on small objects. */
export interface CopyLimits {
  /** The largest object one CopyObject may copy. */
  readonly single: number
  /** The smallest part of a multipart copy: large parts keep the request count down. */
  readonly part: number
}

const S3_COPY_LIMITS: CopyLimits = { single: MAX_SINGLE_COPY, part: 512 * 1024 * 1024 }

export const copyObject = async (
  client: S3Client,
  request: CopyRequest,
  settings: S3Settings,
  limits: CopyLimits = S3_COPY_LIMITS,
): Promise<string | undefined> => {
  const source = copySource(request.bucket, request.from)
  const checksum = settings.checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}
  if (request.size <= limits.single) {
    const copied = await client.send(
      new CopyObjectCommand({
        Bucket: request.bucket,
        Key: request.to,
        CopySource: source,
        CopySourceIfMatch: `"${request.etag}"`,
        ...(request.metadata === undefined
          ? { MetadataDirective: 'COPY' }
          : {
              MetadataDirective: 'REPLACE',
              Metadata: request.metadata,
              ...(request.contentType === undefined ? {} : { ContentType: request.contentType }),
            }),
        ...conditionHeaders(request.condition, settings),
        ...checksum,
      }),
    )
    return copied.CopyObjectResult?.ETag
  }
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: request.bucket,
      Key: request.to,
      Metadata: request.metadata ?? request.sourceMetadata,
      ...(request.contentType === undefined ? {} : { ContentType: request.contentType }),
    }),
  )
  const uploadId = created.UploadId
  if (uploadId === undefined) throw Object.assign(new Error('the store gave no upload id'), { code: 'EIO' })
  const partSize = Math.max(limits.part, Math.ceil(request.size / MAX_PARTS))
  const count = Math.ceil(request.size / partSize)
  const limit = limiter(settings.partConcurrency)
  try {
    const parts = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limit(async () => {
          const start = i * partSize
          const end = Math.min(request.size, start + partSize) - 1
          const part = await client.send(
            new UploadPartCopyCommand({
              Bucket: request.bucket,
              Key: request.to,
              UploadId: uploadId,
              PartNumber: i + 1,
              CopySource: source,
              CopySourceIfMatch: `"${request.etag}"`,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          )
          return { PartNumber: i + 1, ETag: part.CopyPartResult?.ETag }
        }),
      ),
    )
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: request.bucket,
        Key: request.to,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...conditionHeaders(request.condition, settings),
      }),
    )
    return completed.ETag
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: request.bucket, Key: request.to, UploadId: uploadId }))
      .catch(() => undefined)
    throw error
  }
}
