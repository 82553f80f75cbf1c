import { Readable, Transform } from 'node:stream'
import { HeadObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3'

/** What went between a client and its store: requests by operation, and body bytes each way. */
export interface Traffic {
  readonly requests: Record<string, number>
  sent: number
  received: number
  readonly reset: () => void
}

const lengthOf = (body: unknown): number => {
  if (body === undefined || body === null) return 0
  if (typeof body === 'string') return Buffer.byteLength(body)
  if (body instanceof Uint8Array) return body.length
  return 0
}

/** Counts every request a client makes and the bytes of the bodies it sends and receives. */
export const observe = (client: S3Client): Traffic => {
  const traffic: Traffic = {
    requests: {},
    sent: 0,
    received: 0,
    reset: () => {
      for (const key of Object.keys(traffic.requests)) delete traffic.requests[key]
      traffic.sent = 0
      traffic.received = 0
    },
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '')
      traffic.requests[name] = (traffic.requests[name] ?? 0) + 1
      return next(args)
    },
    { step: 'initialize', name: 'countRequests' },
  )
  // Innermost: the raw request and response, before the SDK reads the body.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown }
      if (request.body instanceof Readable) {
        const counting = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            traffic.sent += chunk.length
            done(null, chunk)
          },
        })
        request.body = request.body.pipe(counting)
      } else traffic.sent += lengthOf(request.body)
      const result = await next(args)
      const response = result.response as { body?: unknown }
      if (response.body instanceof Readable) {
        const counting = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            traffic.received += chunk.length
            done(null, chunk)
          },
        })
        response.body = response.body.pipe(counting)
      }
      return result
    },
    { step: 'deserialize', priority: 'low', name: 'countBytes' },
  )
  return traffic
}

/**
 * AWS's conditional writes, as recorded from S3's answers, in front of a store that ignores the
 * headers: `If-None-Match: *` fails when the key exists, `If-Match` when its ETag differs (404 when it
 * is gone), `x-amz-copy-source-if-match` when the copy's source changed. The failure is S3's own
 * `412 PreconditionFailed`. `before` runs first, where a test puts the edit that races the write.
 */
export const conditionalWrites = (
  client: S3Client,
  look: S3Client,
  before: (operation: string, key: string) => Promise<void> = async () => undefined,
): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Bucket?: string
        Key?: string
        IfNoneMatch?: string
        IfMatch?: string
        CopySource?: string
        CopySourceIfMatch?: string
      }
      const operation = (context.commandName ?? '').replace(/Command$/, '')
      if (input.Bucket !== undefined && input.Key !== undefined) await before(operation, input.Key)
      const etagOf = async (bucket: string, key: string): Promise<string | null> => {
        try {
          return (await look.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? null
        } catch {
          return null
        }
      }
      const failed = (condition: string): never => {
        throw new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
          message: `At least one of the pre-conditions you specified did not hold (${condition})`,
        })
      }
      if (input.Bucket !== undefined && input.Key !== undefined) {
        const now = await etagOf(input.Bucket, input.Key)
        if (input.IfNoneMatch === '*' && now !== null) failed('If-None-Match')
        if (input.IfMatch !== undefined && now !== input.IfMatch) {
          if (now === null)
            throw new S3ServiceException({
              name: 'NoSuchKey',
              $fault: 'client',
              $metadata: { httpStatusCode: 404 },
              message: 'The specified key does not exist.',
            })
          failed('If-Match')
        }
      }
      if (input.CopySource !== undefined && input.CopySourceIfMatch !== undefined) {
        const [bucket, ...key] = input.CopySource.split('/')
        const source = await etagOf(bucket ?? '', key.map(decodeURIComponent).join('/'))
        if (source !== input.CopySourceIfMatch) failed('x-amz-copy-source-If-Match')
      }
      return next(args)
    },
    { step: 'initialize', name: 'conditionalWrites' },
  )
}
