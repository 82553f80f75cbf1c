import { createHash, type Hash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { Entry, FileEntry } from '../../core/entry.ts'
import { parentOf, type RelPath } from '../../core/rel-path.ts'
import { CHANGED_SINCE_PLAN, tempName, type WriteMeta } from '../storage.ts'
import { type Condition, conditionHeaders, copyObject } from './copy.ts'
import { codeOf, refuse } from './errors.ts'
import { metadataFor, unquote } from './metadata.ts'
import { anyUnder, headObject, mustBeFolder, type S3Context } from './objects.ts'

/**
 * A write staged on S3, in one of two ways, so that nothing is ever seen under the real key before commit:
 * - `small` (up to one part): the bytes wait in memory, and commit is one PutObject to the real key, with
 *   its SHA-256 known beforehand (sent as `x-amz-checksum-sha256` where the store keeps checksums, and as
 *   metadata) and the condition on the target in the same request. Nothing exists on the store before it.
 * - `large`: the bytes stream into a multipart upload of a temporary key beside the target, named with
 *   the apply's token (`.syncengine-<token>-<unique>.tmp`); commit copies it inside the store onto the real
 *   key (CopyObject, or UploadPartCopy above 5 GiB) with the metadata and SHA-256 now known, under the
 *   condition, then deletes the temporary key. A crash leaves at worst that temporary key, or an
 *   unfinished upload to it, which `removeStaged` finds by the token and removes.
 */
export type Pending =
  | { readonly kind: 'small'; readonly body: Buffer; readonly sha256: string; readonly md5: string }
  | {
      readonly kind: 'large'
      readonly temp: string
      readonly etag: string
      readonly size: number
      readonly sha256: string
    }

/** The temporary keys this storage has in flight: `list` leaves them out, and nothing else. */
export type InFlight = Set<string>

async function* hashing(
  data: AsyncIterable<Uint8Array>,
  hashes: ReadonlyArray<Hash>,
  failed: { error?: unknown },
): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of data) {
      for (const hash of hashes) hash.update(chunk)
      yield chunk
    }
  } catch (error) {
    // The upload may report its own failure (an abort) instead: this one is the cause.
    failed.error = error
    throw error
  }
}

/**
 * Reads the first part into memory: a file no larger stays there until commit; a larger one goes on,
 * streamed, into a multipart upload of a temporary key (parts uploaded a few at a time, memory bounded
 * by part size times that number).
 */
export const stageBytes = async (
  context: S3Context,
  path: RelPath,
  data: AsyncIterable<Uint8Array>,
  token: string,
  inFlight: InFlight,
): Promise<Pending> => {
  await mustBeFolder(context, parentOf(path))
  const sha256 = createHash('sha256')
  const md5 = createHash('md5')
  const failed: { error?: unknown } = {}
  const iterator = hashing(data, [sha256, md5], failed)[Symbol.asyncIterator]()
  const head: Uint8Array[] = []
  let size = 0
  let done = false
  while (size <= context.settings.partSize) {
    const next = await iterator.next()
    if (next.done === true) {
      done = true
      break
    }
    head.push(next.value)
    size += next.value.length
  }
  if (done)
    return {
      kind: 'small',
      body: Buffer.concat(head),
      sha256: sha256.digest('hex'),
      md5: md5.digest('base64'),
    }

  const temp = context.keys.folder(parentOf(path)) + tempName(token, randomBytes(6).toString('hex'))
  inFlight.add(temp)
  async function* rest(): AsyncIterable<Uint8Array> {
    yield* head
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      size += next.value.length
      yield next.value
    }
  }
  const upload = new Upload({
    client: context.client,
    params: { Bucket: context.keys.bucket, Key: temp, Body: Readable.from(rest()) },
    partSize: context.settings.partSize,
    queueSize: context.settings.partConcurrency,
  })
  try {
    const uploaded = await upload.done()
    const etag = unquote(uploaded.ETag)
    if (etag === undefined) refuse('EIO', 'the store gave no ETag for the upload')
    return { kind: 'large', temp, etag: etag ?? '', size, sha256: sha256.digest('hex') }
  } catch (error) {
    await removeTemp(context, temp).catch(() => undefined)
    inFlight.delete(temp)
    throw failed.error ?? error
  }
}

const removeTemp = async ({ client, keys }: S3Context, temp: string): Promise<void> => {
  await client.send(new DeleteObjectCommand({ Bucket: keys.bucket, Key: temp }))
}

/** The condition a commit puts on the target, from what the applier checked it to hold. */
export const conditionFor = (replaces: Entry | null | undefined): Condition => {
  if (replaces === undefined) return undefined
  if (replaces === null) return { absent: true }
  return replaces.kind === 'file' && replaces.id !== undefined ? { etag: replaces.id } : undefined
}

/** Without conditional writes: one look right before the write, the best a store without them allows. */
const checkByHead = async (context: S3Context, key: string, condition: Condition): Promise<void> => {
  if (condition === undefined || context.settings.conditionalWrites) return
  const now = await headObject(context, key)
  const holds = 'absent' in condition ? now === null : unquote(now?.etag) === condition.etag
  if (!holds) refuse(CHANGED_SINCE_PLAN, 'the target changed since it was checked')
}

/** Makes a staged write visible under `path` and returns the file as it now is. */
export const commitPending = async (
  context: S3Context,
  path: RelPath,
  pending: Pending,
  meta: WriteMeta,
  replaces: Entry | null | undefined,
  inFlight: InFlight,
): Promise<FileEntry> => {
  const { client, keys, settings } = context
  const key = keys.file(path)
  // The applier has just looked at the target (`replaces`): a file or nothing, never a folder.
  if ((replaces === undefined || replaces?.kind === 'dir') && (await anyUnder(context, keys.folder(path))))
    refuse('EISDIR', 'illegal operation on a directory')
  const condition = conditionFor(replaces)
  await checkByHead(context, key, condition)
  const metadata = metadataFor(meta, pending.sha256)
  let etag: string | undefined
  if (pending.kind === 'small') {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: keys.bucket,
        Key: key,
        Body: pending.body,
        ContentLength: pending.body.length,
        ContentMD5: pending.md5,
        Metadata: metadata,
        ...(settings.checksums
          ? { ChecksumSHA256: Buffer.from(pending.sha256, 'hex').toString('base64') }
          : {}),
        ...conditionHeaders(condition, settings),
      }),
    )
    etag = unquote(put.ETag)
  } else {
    etag = unquote(
      await copyObject(
        client,
        {
          bucket: keys.bucket,
          from: pending.temp,
          etag: pending.etag,
          size: pending.size,
          to: key,
          metadata,
          sourceMetadata: metadata,
          contentType: undefined,
          condition,
        },
        settings,
      ),
    )
    // The file is in place whatever happens now; a temporary key that stays is still hidden by this
    // storage, and removed by the cleanup of its token after a crash.
    const removed = await removeTemp(context, pending.temp).then(
      () => true,
      (error) => codeOf(error) === 'ENOENT',
    )
    if (removed) inFlight.delete(pending.temp)
  }
  return {
    kind: 'file',
    size: pending.kind === 'small' ? pending.body.length : pending.size,
    mtimeMs: Math.round(meta.mtimeMs),
    exec: meta.exec,
    hash: `sha256:${pending.sha256}`,
    ...(etag === undefined ? {} : { id: etag }),
  }
}

export const discardPending = async (
  context: S3Context,
  pending: Pending,
  inFlight: InFlight,
): Promise<void> => {
  if (pending.kind === 'large') {
    try {
      await removeTemp(context, pending.temp)
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error
    }
    inFlight.delete(pending.temp)
  }
}
