import {
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { FileEntry } from '../../core/entry.ts'
import { parentOf, type RelPath } from '../../core/rel-path.ts'
import { CHANGED_SINCE_PLAN, type Found } from '../storage.ts'
import type { Secrets } from './client.ts'
import { codeOf, refuse } from './errors.ts'
import type { Keys } from './keys.ts'
import { fileEntryOf, lowerKeys, type ObjectHead } from './metadata.ts'
import type { S3Settings } from './options.ts'

/** What every operation of one side shares. */
export interface S3Context {
  readonly client: S3Client
  readonly settings: S3Settings
  readonly keys: Keys
  readonly secrets: Secrets
  /** Bounds the HeadObject requests of listings, across all folders listed at once. */
  readonly metadataLimit: <A>(task: () => Promise<A>) => Promise<A>
  /** Folder markers this storage has seen or made: a folder that has one needs no other. */
  readonly markers: Set<string>
}

type HeadFields = Pick<
  HeadObjectCommandOutput,
  | 'ContentLength'
  | 'ETag'
  | 'LastModified'
  | 'Metadata'
  | 'ChecksumSHA256'
  | 'ChecksumType'
  | 'ServerSideEncryption'
  | 'SSECustomerAlgorithm'
>

/** What a HeadObject or a GetObject says of the object. */
export const headOf = (answer: HeadFields): ObjectHead => ({
  size: answer.ContentLength ?? 0,
  etag: answer.ETag,
  lastModified: answer.LastModified,
  metadata: lowerKeys(answer.Metadata),
  checksumSha256: answer.ChecksumSHA256,
  checksumType: answer.ChecksumType,
  serverSideEncryption: answer.ServerSideEncryption,
  customerKey: answer.SSECustomerAlgorithm !== undefined,
})

/** The object at `key`, or null when there is none. */
export const headObject = async (
  { client, keys, settings }: S3Context,
  key: string,
): Promise<(ObjectHead & { readonly contentType: string | undefined }) | null> => {
  try {
    const answer = await client.send(
      new HeadObjectCommand({
        Bucket: keys.bucket,
        Key: key,
        ...(settings.checksums ? { ChecksumMode: 'ENABLED' } : {}),
      }),
    )
    return { ...headOf(answer), contentType: answer.ContentType }
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null
    throw error
  }
}

export const fileAt = async (context: S3Context, key: string): Promise<FileEntry | null> => {
  const head = await headObject(context, key)
  return head === null ? null : fileEntryOf(head, context.settings).entry
}

/** Whether any key starts with `prefix`: a folder exists as soon as something is in it, or its marker. */
export const anyUnder = async ({ client, keys }: S3Context, prefix: string): Promise<boolean> => {
  const listed = await client.send(
    new ListObjectsV2Command({ Bucket: keys.bucket, Prefix: prefix, MaxKeys: 1 }),
  )
  return (listed.KeyCount ?? listed.Contents?.length ?? 0) > 0 || (listed.CommonPrefixes?.length ?? 0) > 0
}

export const bucketExists = async ({ client, keys }: S3Context): Promise<boolean> => {
  try {
    await client.send(new HeadBucketCommand({ Bucket: keys.bucket }))
    return true
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false
    throw error
  }
}

/**
 * The entry at `path`: the object of that name if there is one, else a folder if any key lies under
 * it. A file is found with one HeadObject, the common case when an apply checks a path.
 */
export const statPath = async (context: S3Context, path: RelPath | ''): Promise<Found | null> => {
  if (path === '') {
    if (context.keys.base === '') return (await bucketExists(context)) ? { kind: 'dir' } : null
    return (await anyUnder(context, context.keys.base)) ? { kind: 'dir' } : null
  }
  const file = await fileAt(context, context.keys.file(path))
  if (file !== null) return file
  return (await anyUnder(context, context.keys.folder(path))) ? { kind: 'dir' } : null
}

/**
 * Fails unless `path` is a folder: ENOENT when nothing is there, ENOTDIR for a file. Asked before every
 * write, where the folder is there nearly always: one listing answers that.
 */
export const mustBeFolder = async (context: S3Context, path: RelPath | ''): Promise<void> => {
  if (path === '' && context.keys.base === '') {
    if (!(await bucketExists(context))) refuse('ENOENT', 'no such file or directory')
    return
  }
  if (await anyUnder(context, context.keys.folder(path))) return
  if (path !== '' && (await headObject(context, context.keys.file(path))) !== null)
    refuse('ENOTDIR', 'not a directory')
  refuse('ENOENT', 'no such file or directory')
}

/** Makes a folder's marker. `If-None-Match: *` keeps a marker made meanwhile by someone else as it is. */
export const putMarker = async ({ client, keys, settings }: S3Context, prefix: string): Promise<void> => {
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: keys.bucket,
        Key: prefix,
        Body: new Uint8Array(0),
        ContentLength: 0,
        ...(settings.conditionalWrites ? { IfNoneMatch: '*' } : {}),
      }),
    )
  } catch (error) {
    if (codeOf(error) !== CHANGED_SINCE_PLAN) throw error
  }
}

/**
 * A folder that exists only because keys lie under it would vanish with its last file, and a vanished
 * folder reads as a deletion on the next sync. Before removing anything from a folder, its marker is
 * made if it has none.
 */
export const keepFolder = async (context: S3Context, path: RelPath): Promise<void> => {
  const prefix = context.keys.folder(parentOf(path))
  if (prefix === '' || context.markers.has(prefix)) return
  if ((await headObject(context, prefix)) === null) await putMarker(context, prefix)
  context.markers.add(prefix)
}
