import type { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { FileEntry } from '../../core/entry.ts'
import { isWithin, parentOf, type RelPath } from '../../core/rel-path.ts'
import {
  CHANGED_SINCE_PLAN,
  CHANGED_WHILE_READ,
  isTempOf,
  type Listed,
  type Opened,
  type Storage,
  type StorageError,
  TEMP_PREFIX,
  type WriteMeta,
} from '../storage.ts'
import { type Connection, connect } from './client.ts'
import { conditionHeaders, copyObject } from './copy.ts'
import { codeOf, refuse, s3Failure } from './errors.ts'
import { keysOf } from './keys.ts'
import { limiter } from './limit.ts'
import { fileEntryOf, MODE, MTIME, metadataFor, unquote } from './metadata.ts'
import {
  anyUnder,
  bucketExists,
  headObject,
  headOf,
  keepFolder,
  mustBeFolder,
  putMarker,
  type S3Context,
  statPath,
} from './objects.ts'
import { type S3Options, settingsOf } from './options.ts'
import { commitPending, conditionFor, discardPending, type InFlight, stageBytes } from './stage.ts'

export interface S3Side {
  readonly bucket: string
  /** Without leading or trailing slashes; '' for the whole bucket. */
  readonly prefix: string
}

export interface S3Storage extends Storage {
  /** The client, for programs that need the store directly (and tests that count requests). */
  readonly client: S3Client
}

/** A name S3 can hold that no path can be: '' (a key with `//`), `.` and `..`. They are left out. */
const isName = (name: string): boolean => name !== '' && name !== '.' && name !== '..'

/**
 * One side of a sync in an S3 bucket (AWS or any S3-compatible store), under `s3://bucket/prefix`.
 * S3 has no folders, renames, symlinks or file modes: folders are key prefixes (an empty one a zero-byte
 * `name/` marker), a move is a copy inside the store then a delete, mtime and exec bit live in the
 * object's metadata, and symlinks are not kept.
 */
export const s3Storage = (side: S3Side, options: S3Options = {}, connection?: Connection): S3Storage => {
  const settings = settingsOf(options)
  const { client, secrets } = connection ?? connect(settings)
  const keys = keysOf(side.bucket, side.prefix)
  const context: S3Context = {
    client,
    settings,
    keys,
    secrets,
    metadataLimit: limiter(settings.metadataConcurrency),
    markers: new Set(),
  }
  const root = `s3://${side.bucket}/${side.prefix}`
  const where = (path: string): string => (path === '' ? root : `s3://${side.bucket}/${keys.base}${path}`)
  const inFlight: InFlight = new Set()

  const attempt = <A>(
    op: string,
    path: RelPath | '',
    run: () => Promise<A>,
  ): TE.TaskEither<StorageError, A> => TE.tryCatch(run, s3Failure(op, path, where(path), secrets))

  const listFolder = async (dir: RelPath | ''): Promise<ReadonlyArray<Listed>> => {
    const prefix = keys.folder(dir)
    const folders = new Set<string>()
    const files: Array<{ readonly name: string; readonly key: string }> = []
    let marker = false
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: side.bucket,
          Prefix: prefix,
          Delimiter: '/',
          MaxKeys: settings.listPageSize,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(prefix.length, -1)
        if (name !== undefined && isName(name)) folders.add(name)
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key
        if (key === undefined) continue
        if (key === prefix) {
          marker = true
          context.markers.add(key)
        } else if (!inFlight.has(key) && isName(key.slice(prefix.length)))
          files.push({ name: key.slice(prefix.length), key })
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)

    if (!marker && folders.size === 0 && files.length === 0) {
      if (dir === '') {
        if (keys.base !== '' || !(await bucketExists(context))) refuse('ENOENT', 'no such file or directory')
      } else if ((await headObject(context, keys.file(dir))) !== null) refuse('ENOTDIR', 'not a directory')
      else refuse('ENOENT', 'no such file or directory')
    }
    // ListObjectsV2 gives no user metadata: each file costs a HeadObject, a bounded number at once.
    const listedFiles = await Promise.all(
      // A file and a folder of one name (keys `a` and `a/x`): the folder is what a path can name.
      files
        .filter(({ name }) => !folders.has(name))
        .map(({ name, key }) =>
          context.metadataLimit(async (): Promise<Listed | undefined> => {
            const head = await headObject(context, key)
            // Deleted since the listing: simply not there any more.
            if (head === null) return undefined
            const { entry, guessed } = fileEntryOf(head, settings)
            return guessed
              ? {
                  name,
                  entry,
                  warning: 'no mtime in its metadata (uploaded by another tool): its upload time stands in',
                }
              : { name, entry }
          }),
        ),
    )
    return [
      ...[...folders].map((name): Listed => ({ name, entry: { kind: 'dir' } })),
      ...listedFiles.filter((l): l is Listed => l !== undefined),
    ]
  }

  const openObject = async (path: RelPath): Promise<Opened> => {
    let answer: GetObjectCommandOutput
    try {
      answer = await client.send(new GetObjectCommand({ Bucket: side.bucket, Key: keys.file(path) }))
    } catch (error) {
      if (codeOf(error) === 'ENOENT' && (await anyUnder(context, keys.folder(path))))
        refuse('EISDIR', 'illegal operation on a directory')
      throw error
    }
    const { entry } = fileEntryOf(headOf(answer), settings)
    const body = answer.Body as Readable | undefined
    return {
      entry,
      data: bytesOf(body, entry, (error) => s3Failure('read', path, where(path), secrets)(error)),
    }
  }

  /** A new mtime or exec bit: the object copied onto itself with its metadata replaced. */
  const updateMeta = async (path: RelPath, change: (meta: WriteMeta) => WriteMeta): Promise<void> => {
    const key = keys.file(path)
    const head = await headObject(context, key)
    if (head === null) {
      if (await anyUnder(context, keys.folder(path))) refuse('EISDIR', 'illegal operation on a directory')
      refuse('ENOENT', 'no such file or directory')
    }
    if (head === null) return
    const { entry } = fileEntryOf(head, settings)
    const next = change({ mtimeMs: entry.mtimeMs, exec: entry.exec })
    const written = metadataFor(next, undefined)
    const etag = unquote(head.etag) ?? ''
    await copyObject(
      client,
      {
        bucket: side.bucket,
        from: key,
        etag,
        size: head.size,
        to: key,
        metadata: { ...head.metadata, [MTIME]: written[MTIME] ?? '', [MODE]: written[MODE] ?? '' },
        sourceMetadata: head.metadata,
        contentType: head.contentType,
        condition: { etag },
      },
      settings,
    )
  }

  const deleteKey = async (key: string, etag: string | undefined): Promise<void> => {
    await client.send(
      new DeleteObjectCommand({
        Bucket: side.bucket,
        Key: key,
        ...(etag === undefined ? {} : conditionHeaders({ etag }, settings)),
      }),
    )
  }

  const moveFile = async (
    from: RelPath,
    to: RelPath,
    head: NonNullable<Awaited<ReturnType<typeof headObject>>>,
  ) => {
    const etag = unquote(head.etag) ?? ''
    await copyObject(
      client,
      {
        bucket: side.bucket,
        from: keys.file(from),
        etag,
        size: head.size,
        to: keys.file(to),
        metadata: undefined,
        sourceMetadata: head.metadata,
        contentType: head.contentType,
        condition: { absent: true },
      },
      settings,
    )
    await keepFolder(context, from)
    await deleteKey(keys.file(from), etag)
  }

  /** Every key under a folder, marker included, across pages. */
  const keysUnder = async (prefix: string): Promise<ReadonlyArray<string>> => {
    const found: string[] = []
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: side.bucket,
          Prefix: prefix,
          MaxKeys: settings.listPageSize,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
      for (const object of page.Contents ?? []) if (object.Key !== undefined) found.push(object.Key)
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return found
  }

  /** A folder moves key by key (S3 has no folders to rename): copies first, then deletes. */
  const moveFolder = async (from: RelPath, to: RelPath): Promise<void> => {
    const fromPrefix = keys.folder(from)
    const toPrefix = keys.folder(to)
    const moving = await keysUnder(fromPrefix)
    const limit = limiter(settings.partConcurrency)
    const heads = await Promise.all(
      moving.map((key) =>
        limit(async () => {
          const head = await headObject(context, key)
          if (head === null) return undefined
          await copyObject(
            client,
            {
              bucket: side.bucket,
              from: key,
              etag: unquote(head.etag) ?? '',
              size: head.size,
              to: toPrefix + key.slice(fromPrefix.length),
              metadata: undefined,
              sourceMetadata: head.metadata,
              contentType: head.contentType,
              condition: { absent: true },
            },
            settings,
          )
          return { key, etag: unquote(head.etag) }
        }),
      ),
    )
    // The new folder keeps existing even if it held only folders, which have no keys of their own.
    if (!moving.includes(fromPrefix)) await putMarker(context, toPrefix)
    await keepFolder(context, from)
    for (const moved of heads)
      if (moved !== undefined) {
        context.markers.delete(moved.key)
        await deleteKey(moved.key, moved.etag)
      }
  }

  return {
    root,
    client,
    capabilities: {
      caseSensitive: true,
      normalizesUnicode: false,
      mtimePrecisionMs: 1,
      symlinks: false,
      execBit: true,
    },
    stat: (path) => attempt('stat', path, () => statPath(context, path)),
    list: (dir) => attempt('list', dir, () => listFolder(dir)),
    read: (path) => attempt('read', path, () => openObject(path)),
    stage: (path, data, meta, token) =>
      attempt('stage', path, async () => {
        const pending = await stageBytes(context, path, data, token, inFlight)
        return {
          commit: (replaces) =>
            attempt('commit', path, () => commitPending(context, path, pending, meta, replaces, inFlight)),
          discard: () => attempt('discard', path, () => discardPending(context, pending, inFlight)),
        }
      }),
    stageSymlink: (path) =>
      attempt('stageSymlink', path, async () =>
        refuse('ENOTSUP', 'S3 has no symlinks; leave them out with an ignore rule'),
      ),
    rename: (from, to) =>
      attempt('rename', from, async () => {
        const fromNow = await statPath(context, from)
        if (fromNow === null) refuse('ENOENT', 'no such file or directory')
        if ((await statPath(context, to)) !== null) refuse('EEXIST', 'file already exists')
        await mustBeFolder(context, parentOf(to))
        if (fromNow?.kind === 'dir') {
          if (isWithin(to, from)) refuse('EINVAL', 'a folder cannot move into itself')
          await moveFolder(from, to)
          return
        }
        const head = await headObject(context, keys.file(from))
        if (head === null) refuse('ENOENT', 'no such file or directory')
        else await moveFile(from, to, head)
      }),
    remove: (path, expected) =>
      attempt('remove', path, async () => {
        const key = keys.file(path)
        const head = await headObject(context, key)
        if (head !== null) {
          const condition = conditionFor(expected)
          const etag = condition !== undefined && 'etag' in condition ? condition.etag : undefined
          if (etag !== undefined && !settings.conditionalWrites && unquote(head.etag) !== etag)
            refuse(CHANGED_SINCE_PLAN, 'the file changed since it was checked')
          await keepFolder(context, path)
          await deleteKey(key, etag)
          return
        }
        const prefix = keys.folder(path)
        const inside = await client.send(
          new ListObjectsV2Command({ Bucket: side.bucket, Prefix: prefix, MaxKeys: 2 }),
        )
        const children = (inside.Contents ?? []).filter((o) => o.Key !== prefix)
        if (children.length > 0 || (inside.CommonPrefixes?.length ?? 0) > 0)
          refuse('ENOTEMPTY', 'directory not empty')
        if ((inside.Contents ?? []).length === 0) refuse('ENOENT', 'no such file or directory')
        await keepFolder(context, path)
        context.markers.delete(prefix)
        await deleteKey(prefix, undefined)
      }),
    mkdir: (path) =>
      attempt('mkdir', path, async () => {
        await mustBeFolder(context, parentOf(path))
        if ((await statPath(context, path)) !== null) refuse('EEXIST', 'file already exists')
        await putMarker(context, keys.folder(path))
      }),
    createRoot: () =>
      attempt('createRoot', '', async () => {
        if (keys.base === '') {
          if (!(await bucketExists(context)))
            refuse('ENOENT', `bucket ${side.bucket} does not exist; create it first`)
          return
        }
        if ((await headObject(context, keys.base)) === null) await putMarker(context, keys.base)
      }),
    removeStaged: (dir, token) =>
      attempt('removeStaged', dir, async () => {
        const prefix = `${keys.folder(dir)}${TEMP_PREFIX}${token}-`
        const ours = (name: string): boolean => !name.includes('/') && isTempOf(name, token)
        const folder = keys.folder(dir)
        const temps = (await keysUnder(prefix)).filter((key) => ours(key.slice(folder.length)))
        for (const key of temps) await deleteKey(key, undefined)
        const uploads = await unfinishedUploads(client, side.bucket, prefix)
        const abandoned = uploads.filter((u) => ours(u.key.slice(folder.length)))
        for (const { key, uploadId } of abandoned)
          await client
            .send(new AbortMultipartUploadCommand({ Bucket: side.bucket, Key: key, UploadId: uploadId }))
            .catch((error) => {
              if (codeOf(error) !== 'ENOENT') throw error
            })
        return temps.length + abandoned.length
      }),
    setMtime: (path, mtimeMs) =>
      attempt('setMtime', path, () => updateMeta(path, (m) => ({ ...m, mtimeMs }))),
    setExec: (path, exec) => attempt('setExec', path, () => updateMeta(path, (m) => ({ ...m, exec }))),
    close: async () => {
      if (connection === undefined) client.destroy()
    },
  }
}

/** Multipart uploads begun and never completed under a prefix; none where the store cannot list them. */
const unfinishedUploads = async (
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<ReadonlyArray<{ readonly key: string; readonly uploadId: string }>> => {
  const found: Array<{ key: string; uploadId: string }> = []
  let keyMarker: string | undefined
  let uploadIdMarker: string | undefined
  try {
    for (;;) {
      const page = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: prefix,
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
        }),
      )
      for (const upload of page.Uploads ?? [])
        if (upload.Key !== undefined && upload.UploadId !== undefined)
          found.push({ key: upload.Key, uploadId: upload.UploadId })
      if (page.IsTruncated !== true) break
      keyMarker = page.NextKeyMarker
      uploadIdMarker = page.NextUploadIdMarker
    }
  } catch (error) {
    if (codeOf(error) === 'ENOTSUP') return found
    throw error
  }
  return found
}

/**
 * The body of a GetObject as it arrives, so a progress meter sees bytes as they come. Fewer or more
 * bytes than the object's size means the read was torn. Ending the iteration early (or never starting
 * it) closes the connection.
 */
const bytesOf = (
  body: Readable | undefined,
  entry: FileEntry,
  failure: (error: unknown) => StorageError,
): AsyncIterable<Uint8Array> => {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (body === undefined) {
      if (entry.size === 0) return
      throw Object.assign(new Error(failure(new Error('the store sent no body')).message), { code: 'EIO' })
    }
    let total = 0
    try {
      for await (const chunk of body) {
        total += (chunk as Uint8Array).length
        yield chunk as Uint8Array
      }
    } catch (error) {
      throw Object.assign(new Error(failure(error).message), { code: codeOf(error) })
    } finally {
      body.destroy()
    }
    if (total !== entry.size)
      throw Object.assign(new Error('the object changed while it was read'), { code: CHANGED_WHILE_READ })
  }
  const generator = chunks()
  const end = generator.return.bind(generator)
  generator.return = (value) => {
    body?.destroy()
    return end(value)
  }
  return generator
}
