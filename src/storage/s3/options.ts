import * as t from 'io-ts'

import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from './limits.ts'

export { DEFAULT_PART_SIZE, MAX_PARTS, MAX_SINGLE_COPY, MIN_PART_SIZE } from './limits.ts'

/**
 * How an `s3://bucket/prefix` side reaches its store. Every field is optional: with none, it talks to AWS
 * in the region the AWS configuration names. Credentials are never an option: the AWS SDK's default chain
 * finds them (environment, shared config and credentials files with `profile`, SSO, web identity,
 * container and instance roles), so they are never in our files, plans or messages.
 */
export const S3Options = t.partial({
  /**
   * Any S3-compatible store: `http://127.0.0.1:9000` (MinIO), `https://<account>.r2.cloudflarestorage.com`.
   */
  endpoint: t.string,
  /**
   * Signing region; R2 wants `auto`. Default: the AWS configuration's (AWS_REGION, ~/.aws/config);
   * `us-east-1` with an endpoint.
   */
  region: t.string,
  /**
   * `https://host/bucket/key` instead of `https://bucket.host/key`; most self-hosted stores want it. Default:
   * true with an endpoint, false for AWS.
   */
  forcePathStyle: t.boolean,
  /** A profile of the shared AWS config and credentials files (like AWS_PROFILE). */
  profile: t.string,
  /**
   * Part size of multipart uploads, in bytes (at least 5 MiB, the S3 minimum). Files above it go multipart.
   * Default 16 MiB.
   */
  partSize: t.number,
  /** Parts of one file uploaded at once. Default 4. */
  partConcurrency: t.number,
  /** Connections kept open to the store at most; `--transfers` raises it. Default 32. */
  maxSockets: t.number,
  /**
   * HeadObject requests at once while listing (S3 lists no user metadata, so each file costs one). Default
   * 32.
   */
  metadataConcurrency: t.number,
  /** Give up connecting after this long, in ms. Default 10 000. */
  connectTimeoutMs: t.number,
  /** Give up on a connection that stays silent this long, in ms. Default 120 000. */
  idleTimeoutMs: t.number,
  /**
   * Tries of one request, counting the first, on 5xx, throttling and dropped connections (backoff with
   * jitter). Default 6.
   */
  maxAttempts: t.number,
  /**
   * Whether the store honours `If-None-Match: *` and `If-Match` on writes and deletes (AWS, MinIO, R2,
   * Ceph do). Without them a HeadObject right before the write does the check. Default true.
   */
  conditionalWrites: t.boolean,
  /**
   * Whether the store keeps SHA-256 checksums (`x-amz-checksum-sha256`): AWS does. Default true for AWS,
   * false with an endpoint.
   */
  checksums: t.boolean,
  /**
   * Whether a plain ETag (no `-N` suffix, no KMS or customer key) is the MD5 of the bytes, as on AWS and
   * MinIO. Default true.
   */
  etagIsMd5: t.boolean,
  /**
   * Keys asked for per listing request (S3 gives at most 1000); a folder takes as many requests as it needs.
   */
  listPageSize: t.number,
})
export type S3Options = t.TypeOf<typeof S3Options>

export interface S3Settings {
  readonly endpoint: string | undefined
  readonly region: string | undefined
  readonly forcePathStyle: boolean
  readonly profile: string | undefined
  readonly partSize: number
  readonly partConcurrency: number
  readonly maxSockets: number
  readonly metadataConcurrency: number
  readonly connectTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly maxAttempts: number
  readonly conditionalWrites: boolean
  readonly checksums: boolean
  readonly etagIsMd5: boolean
  readonly listPageSize: number
}

export const settingsOf = (options: S3Options = {}): S3Settings => ({
  endpoint: options.endpoint,
  region: options.region,
  forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
  profile: options.profile,
  partSize: Math.max(MIN_PART_SIZE, Math.floor(options.partSize ?? DEFAULT_PART_SIZE)),
  partConcurrency: Math.max(1, Math.floor(options.partConcurrency ?? 4)),
  maxSockets: Math.max(1, Math.floor(options.maxSockets ?? 32)),
  metadataConcurrency: Math.max(1, Math.floor(options.metadataConcurrency ?? 32)),
  connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
  maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 6)),
  conditionalWrites: options.conditionalWrites ?? true,
  checksums: options.checksums ?? options.endpoint === undefined,
  etagIsMd5: options.etagIsMd5 ?? true,
  listPageSize: Math.min(1000, Math.max(1, Math.floor(options.listPageSize ?? 1000))),
})
