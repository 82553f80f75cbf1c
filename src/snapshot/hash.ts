import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { RelPath } from '../core/rel-path.ts'
import { type Storage, type StorageError, storageError } from '../storage/storage.ts'

/** The hash algorithm of content hashes: SHA-256, by OpenSSL through node:crypto (see the hashing benchmark). */
export const HASH_ALGORITHM = 'sha256'

/**
 * The algorithms a file can be hashed with: SHA-256, ours, and MD5, what S3 offers as the ETag of an
 * object another tool uploaded in one part, so that such an object is compared without reading it.
 */
export const HASH_ALGORITHMS: ReadonlySet<string> = new Set([HASH_ALGORITHM, 'md5'])

/** Streams a file through a hash (SHA-256 unless asked otherwise); never holds the whole file in memory. */
export const hashFile = async (
  storage: Storage,
  path: RelPath,
  algorithm: string = HASH_ALGORITHM,
): Promise<E.Either<StorageError, string>> => {
  const data = await storage.read(path)()
  if (E.isLeft(data)) return data
  const hash = createHash(HASH_ALGORITHMS.has(algorithm) ? algorithm : HASH_ALGORITHM)
  try {
    for await (const chunk of data.right.data) hash.update(chunk)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return E.left(
      storageError(
        'read',
        path,
        typeof code === 'string' ? code : 'EIO',
        `cannot read ${path}: ${String(error)}`,
      ),
    )
  }
  return E.right(`${HASH_ALGORITHMS.has(algorithm) ? algorithm : HASH_ALGORITHM}:${hash.digest('hex')}`)
}
