import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { S3Options } from '../../src/storage/s3/options.ts'
import { type S3Storage, s3Storage } from '../../src/storage/s3/s3-storage.ts'
import type { S3TestServer } from './s3-server.ts'
import type { TestSide } from './sides.ts'

/** Every key under a prefix, across pages. */
export const keysUnder = async (client: S3Client, bucket: string, prefix: string): Promise<string[]> => {
  const found: string[] = []
  let token: string | undefined
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    )
    for (const object of page.Contents ?? []) if (object.Key !== undefined) found.push(object.Key)
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return found
}

export const textOf = async (client: S3Client, bucket: string, key: string): Promise<string> => {
  const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return (await answer.Body?.transformToString('utf8')) ?? ''
}

const sorted = (tree: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/**
 * A side in `s3://bucket/prefix` whose edits go straight through the raw client, the way a person's own
 * tool would make them: files carry an mtime in rclone's metadata form (no hash of ours), removing and
 * renaming work key by key like `aws s3 rm --recursive` and `aws s3 mv`.
 */
export const s3Side = async (
  server: S3TestServer,
  bucket: string,
  prefix: string,
  now: () => number,
  options: S3Options = {},
): Promise<TestSide & { readonly storage: S3Storage }> => {
  const { client } = server
  const base = prefix === '' ? '' : `${prefix}/`
  if (base !== '') await client.send(new PutObjectCommand({ Bucket: bucket, Key: base, Body: '' }))
  const storage = s3Storage({ bucket, prefix }, { endpoint: server.endpoint, ...options })
  const under = (path: string): Promise<string[]> =>
    keysUnder(client, bucket, `${base}${path}`).then((keys) =>
      keys.filter((key) => key === `${base}${path}` || key.startsWith(`${base}${path}/`)),
    )
  return {
    storage,
    put: async (path, content, opts = {}) => {
      const mtime = ((opts.mtimeMs ?? now()) / 1000).toFixed(3)
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: base + path,
          Body: content,
          Metadata: { mtime, ...(opts.exec === true ? { mode: '100755' } : {}) },
        }),
      )
    },
    mkdir: async (path) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${base}${path}/`, Body: '' }))
    },
    symlink: async () => {
      throw new Error('S3 has no symlinks')
    },
    remove: async (path) => {
      for (const key of await under(path))
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },
    rename: async (from, to) => {
      for (const key of await under(from)) {
        const target = base + to + key.slice(base.length + from.length)
        const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
        await client.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: source }))
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
      }
    },
    tree: async () => {
      const out: Record<string, string> = {}
      for (const key of await keysUnder(client, bucket, base)) {
        const path = key.slice(base.length)
        if (path === '' || path.split('/').some((s) => s.startsWith('.syncengine-'))) continue
        const segments = path.split('/')
        // Every folder on the way shows, as on a disk, whether it has a marker or only keys inside.
        for (let i = 1; i < segments.length; i++) out[`${segments.slice(0, i).join('/')}/`] = ''
        if (!path.endsWith('/')) out[path] = await textOf(client, bucket, key)
      }
      return sorted(out)
    },
  }
}
