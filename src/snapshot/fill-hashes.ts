import * as E from 'fp-ts/lib/Either.js'
import { hashAlgorithm } from '../core/compare.ts'
import { type Entry, type FileEntry, withHashOf } from '../core/entry.ts'
import { comparePaths, type RelPath } from '../core/rel-path.ts'
import type { Side } from '../core/side.ts'
import type { Snapshot } from '../core/snapshot.ts'
import type { SyncState } from '../core/sync-state.ts'
import { CHANGED_WHILE_READ, type Storage, type StorageError } from '../storage/storage.ts'
import { HASH_ALGORITHM, HASH_ALGORITHMS, hashVersion } from './hash.ts'

/**
 * The hash cache: a file whose size, mtime, backend id and change stamp (a disk's ctime, which no one can
 * set back) are what the state recorded still has the recorded hash, so it is never read again to know
 * it. An edit that restores size and mtime still moves the change stamp, and is read.
 */
export const withCachedHashes = (snapshot: Snapshot, state: SyncState | null, side: Side): Snapshot => {
  if (state === null) return snapshot
  const at = side === 'source' ? 0 : 1
  // One pass that builds the new map as it goes: most files of a synced tree hit the cache.
  const entries = new Map<RelPath, Entry>()
  let hits = 0
  for (const [path, entry] of snapshot.entries) {
    if (entry.kind === 'file' && entry.hash === undefined) {
      const recorded = state.entries.get(path)?.[at]
      if (
        recorded?.kind === 'file' &&
        recorded.hash !== undefined &&
        recorded.size === entry.size &&
        recorded.mtimeMs === entry.mtimeMs &&
        recorded.id === entry.id &&
        recorded.change === entry.change
      ) {
        entries.set(path, withHashOf(entry, recorded.hash))
        hits++
        continue
      }
    }
    entries.set(path, entry)
  }
  return hits === 0 ? snapshot : { ...snapshot, entries }
}

export type HashError = { readonly _tag: 'HashFailed'; readonly root: string; readonly cause: StorageError }

/** The file read is the one the snapshot listed: same size, mtime and change stamp. */
const sameVersion = (listed: FileEntry, read: FileEntry): boolean =>
  listed.size === read.size && listed.mtimeMs === read.mtimeMs && listed.change === read.change

/** Which algorithm the file at a path is to be hashed with. */
export type AlgorithmFor = (path: RelPath) => string

const offered = (snapshot: Snapshot, path: RelPath): string | undefined => {
  const entry = snapshot.entries.get(path)
  return entry?.kind === 'file' && entry.hash !== undefined ? hashAlgorithm(entry.hash) : undefined
}

/**
 * For each path, the algorithm that lets the two sides compare contents while reading as little as
 * possible: the one a storage offers for free (an S3 object's SHA-256 or MD5, as listed) — the source's
 * when both offer one — else SHA-256. `source` and `destination` are the snapshots as listed, before
 * any hash was filled in.
 */
export const pairAlgorithms =
  (source: Snapshot, destination: Snapshot): AlgorithmFor =>
  (path) => {
    const candidate = offered(source, path) ?? offered(destination, path)
    return candidate !== undefined && HASH_ALGORITHMS.has(candidate) ? candidate : HASH_ALGORITHM
  }

/**
 * Hashes the given files (all files when `paths` is 'all') that have no hash yet, or one of another
 * algorithm than `algorithmFor` asks. A backend that hashes where the files are (`Storage.hashes`, SHA-256)
 * is asked first; the files it could not hash are read, a few at a time, and the snapshot says so in a
 * warning, since that costs a download. A file that is being written (it changed since it was listed, or
 * while it was read) cannot be given a hash that belongs to what was listed: it is left out of this run,
 * on both sides (see `excluded`), with a warning, and the next run looks at it again. Any other failure
 * to read stops the plan.
 */
export const withHashes = async (
  snapshot: Snapshot,
  storage: Storage,
  paths: ReadonlyArray<RelPath> | 'all',
  concurrency = 4,
  algorithmFor: AlgorithmFor = () => HASH_ALGORITHM,
): Promise<E.Either<HashError, Snapshot>> => {
  const wanted = (paths === 'all' ? [...snapshot.entries.keys()] : paths).filter((path) => {
    const entry = snapshot.entries.get(path)
    return (
      entry?.kind === 'file' && (entry.hash === undefined || hashAlgorithm(entry.hash) !== algorithmFor(path))
    )
  })
  if (wanted.length === 0) return E.right(snapshot)
  const entries = new Map(snapshot.entries)
  const warnings = [...snapshot.warnings]
  let toRead = wanted
  const onServer = wanted.filter((path) => algorithmFor(path) === HASH_ALGORITHM)
  if (storage.hashes !== undefined && onServer.length > 0) {
    const computed = await storage.hashes(onServer)()
    if (E.isRight(computed))
      for (const [path, hash] of computed.right)
        entries.set(path, { ...(entries.get(path) as FileEntry), hash })
    toRead = E.isRight(computed) ? wanted.filter((path) => !computed.right.has(path)) : wanted
    const first = [...toRead].sort(comparePaths)[0]
    if (first !== undefined) {
      const why = E.isLeft(computed) ? computed.left.message : 'it could not hash them'
      const count = toRead.length === 1 ? 'this file was' : `this file and ${toRead.length - 1} more were`
      warnings.push({
        path: first,
        message: `not hashed on the server (${why}): ${count} downloaded to compare contents`,
      })
    }
  }
  const changing: RelPath[] = []
  let failure: StorageError | undefined
  let next = 0
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < toRead.length) {
      const path = toRead[next++] as RelPath
      const listed = entries.get(path) as FileEntry
      const hashed = await hashVersion(storage, path, algorithmFor(path))
      if (E.isRight(hashed) && sameVersion(listed, hashed.right.entry))
        entries.set(path, { ...listed, hash: hashed.right.hash })
      else if (E.isRight(hashed) || hashed.left.code === CHANGED_WHILE_READ) changing.push(path)
      else failure ??= hashed.left
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, toRead.length) }, worker))
  if (failure !== undefined) return E.left({ _tag: 'HashFailed', root: storage.root, cause: failure })
  for (const path of changing) entries.delete(path)
  return E.right({
    ...snapshot,
    entries,
    excluded:
      changing.length === 0 ? snapshot.excluded : [...snapshot.excluded, ...changing].sort(comparePaths),
    warnings: [
      ...warnings,
      ...changing.map((path) => ({
        path,
        message: 'changed while it was read: left as it is in this run; the next run looks at it again',
      })),
    ].sort((a, b) => comparePaths(a.path, b.path)),
  })
}
