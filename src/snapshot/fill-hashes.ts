import * as E from 'fp-ts/lib/Either.js'
import type { Entry, FileEntry } from '../core/entry.ts'
import { comparePaths, type RelPath } from '../core/rel-path.ts'
import type { Side } from '../core/side.ts'
import type { Snapshot } from '../core/snapshot.ts'
import type { SyncState } from '../core/sync-state.ts'
import type { Storage, StorageError } from '../storage/storage.ts'
import { hashFile } from './hash.ts'

/**
 * The hash cache: a file whose size, mtime and backend id are what the state recorded still has the
 * recorded hash, so it is never read again to know it.
 */
export const withCachedHashes = (snapshot: Snapshot, state: SyncState | null, side: Side): Snapshot => {
  if (state === null) return snapshot
  const at = side === 'source' ? 0 : 1
  let entries: Map<RelPath, Entry> | undefined
  for (const [path, entry] of snapshot.entries) {
    if (entry.kind !== 'file' || entry.hash !== undefined) continue
    const recorded = state.entries.get(path)?.[at]
    if (
      recorded?.kind === 'file' &&
      recorded.hash !== undefined &&
      recorded.size === entry.size &&
      recorded.mtimeMs === entry.mtimeMs &&
      recorded.id === entry.id
    ) {
      entries ??= new Map(snapshot.entries)
      entries.set(path, { ...entry, hash: recorded.hash })
    }
  }
  return entries === undefined ? snapshot : { ...snapshot, entries }
}

export type HashError = { readonly _tag: 'HashFailed'; readonly root: string; readonly cause: StorageError }

/**
 * Hashes the given files (all files when `paths` is 'all') that have no hash yet. A backend that hashes
 * where the files are (`Storage.hashes`) is asked first; the files it could not hash are read, a few at a
 * time, and the snapshot says so in a warning, since that costs a download.
 */
export const withHashes = async (
  snapshot: Snapshot,
  storage: Storage,
  paths: ReadonlyArray<RelPath> | 'all',
  concurrency = 4,
): Promise<E.Either<HashError, Snapshot>> => {
  const wanted = (paths === 'all' ? [...snapshot.entries.keys()] : paths).filter((path) => {
    const entry = snapshot.entries.get(path)
    return entry?.kind === 'file' && entry.hash === undefined
  })
  if (wanted.length === 0) return E.right(snapshot)
  const entries = new Map(snapshot.entries)
  const withHash = (path: RelPath, hash: string): void => {
    entries.set(path, { ...(entries.get(path) as FileEntry), hash })
  }
  let toRead = wanted
  let warnings = snapshot.warnings
  if (storage.hashes !== undefined) {
    const computed = await storage.hashes(wanted)()
    if (E.isRight(computed)) for (const [path, hash] of computed.right) withHash(path, hash)
    toRead = E.isRight(computed) ? wanted.filter((path) => !computed.right.has(path)) : wanted
    const first = [...toRead].sort(comparePaths)[0]
    if (first !== undefined) {
      const why = E.isLeft(computed) ? computed.left.message : 'it could not hash them'
      const count = toRead.length === 1 ? 'this file was' : `this file and ${toRead.length - 1} more were`
      warnings = [
        ...warnings,
        {
          path: first,
          message: `not hashed on the server (${why}): ${count} downloaded to compare contents`,
        },
      ]
    }
  }
  let failure: StorageError | undefined
  let next = 0
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < toRead.length) {
      const path = toRead[next++] as RelPath
      const hashed = await hashFile(storage, path)
      if (E.isLeft(hashed)) failure ??= hashed.left
      else withHash(path, hashed.right)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, toRead.length) }, worker))
  if (failure !== undefined) return E.left({ _tag: 'HashFailed', root: storage.root, cause: failure })
  return E.right({ ...snapshot, entries, warnings })
}
