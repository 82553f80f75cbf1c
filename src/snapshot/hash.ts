import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { FileEntry } from '../core/entry.ts'
import type { RelPath } from '../core/rel-path.ts'
import { type Storage, type StorageError, storageError } from '../storage/storage.ts'

/** The hash algorithm of content hashes: SHA-256, by OpenSSL through node:crypto (see the hashing benchmark). */
export const HASH_ALGORITHM = 'sha256'

/**
 * The algorithms a file can be hashed with: SHA-256, ours, and MD5, what S3 offers as the ETag of an
 * object another tool uploaded in one part, so that such an object is compared without reading it.
 */
export const HASH_ALGORITHMS: ReadonlySet<string> = new Set([HASH_ALGORITHM, 'md5'])

/** A file's content hash, with the version of the file it is the hash of (as the read saw it). */
export interface Hashed {
  readonly hash: string
  readonly entry: FileEntry
}

/**
 * Streams a file through a hash (SHA-256 unless asked otherwise); never holds the whole file in memory. A
 * file that changes while it is read fails with ECHANGED: its hash would be of no version at all.
 */
export const hashVersion = async (
  storage: Storage,
  path: RelPath,
  algorithm: string = HASH_ALGORITHM,
): Promise<E.Either<StorageError, Hashed>> => {
  const opened = await storage.read(path)()
  if (E.isLeft(opened)) return opened
  const used = HASH_ALGORITHMS.has(algorithm) ? algorithm : HASH_ALGORITHM
  const hash = createHash(used)
  try {
    for await (const chunk of opened.right.data) hash.update(chunk)
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
  return E.right({ hash: `${used}:${hash.digest('hex')}`, entry: opened.right.entry })
}

/** Just the hash (see `hashVersion`). */
export const hashFile = async (
  storage: Storage,
  path: RelPath,
  algorithm: string = HASH_ALGORITHM,
): Promise<E.Either<StorageError, string>> =>
  E.map((hashed: Hashed) => hashed.hash)(await hashVersion(storage, path, algorithm))
