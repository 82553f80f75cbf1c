import type { Entry, FileEntry } from './entry.ts'
import type { SyncedPair } from './sync-state.ts'

/**
 * Unison's vocabulary, per side, against the last synced state: a path is `absent` (not there and not
 * recorded), `created` (there, not recorded), `unchanged`, `changed` (its content may differ), `touched`
 * (the same content, shown by hashes or by size and mtime, with another mtime or exec bit), or `deleted`
 * (recorded, gone).
 */
export type Status = 'absent' | 'created' | 'unchanged' | 'changed' | 'touched' | 'deleted'

export const isChanged = (status: Status): boolean => status !== 'unchanged' && status !== 'absent'

/** Only the metadata moved: the content is known to be what was recorded. */
export const isContentChange = (status: Status): boolean => isChanged(status) && status !== 'touched'

/** The algorithm a content hash was made with: `sha256` for `sha256:…`. */
export const hashAlgorithm = (hash: string): string => {
  const colon = hash.indexOf(':')
  return colon < 0 ? '' : hash.slice(0, colon)
}

/**
 * Whether two hashes can tell two contents apart: both known and made with one algorithm. An S3 object
 * may offer an MD5 (its ETag) where a local file was hashed with SHA-256: those say nothing of each other.
 */
export const comparableHashes = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && hashAlgorithm(a) === hashAlgorithm(b)

/**
 * What the hashes of two files say about their bytes: `true` or `false` when both are known and of the
 * same algorithm, `undefined` when they cannot tell (one unknown, or an MD5 against a SHA-256).
 */
export const sameHash = (a: FileEntry, b: FileEntry): boolean | undefined => {
  return comparableHashes(a.hash, b.hash) ? a.hash === b.hash : undefined
}

/**
 * The file was written or had its metadata changed since `before`, as the backend's change stamp (the
 * ctime) shows: an edit that kept the size and put the mtime back is still seen. Unknown when either
 * stamp is missing.
 */
export const stampMoved = (before: FileEntry, now: FileEntry): boolean =>
  before.change !== undefined && now.change !== undefined && before.change !== now.change

/**
 * The same path on the same side at two moments: the same kind, size, exec bit and mtime (one clock, so
 * exactly), and the same content where both hashes are known. The backend id is left out, because
 * restoring a file gives it a new one without changing it.
 */
export const sameOnSide = (before: Entry, now: Entry): boolean => {
  switch (before.kind) {
    case 'file':
      return (
        now.kind === 'file' &&
        before.size === now.size &&
        before.exec === now.exec &&
        before.mtimeMs === now.mtimeMs &&
        sameHash(before, now) !== false
      )
    case 'dir':
      return now.kind === 'dir'
    case 'symlink':
      return now.kind === 'symlink' && before.target === now.target
  }
}

/**
 * A file whose bytes are known to be what was recorded, and whose mtime or exec bit moved: a touch, a
 * chmod. Known by equal hashes, or, without them, by an mtime that did not move (only the exec bit did).
 */
const onlyMetadataMoved = (before: Entry, now: Entry): boolean => {
  if (before.kind !== 'file' || now.kind !== 'file' || before.size !== now.size) return false
  const hashes = sameHash(before, now)
  return hashes === undefined ? before.mtimeMs === now.mtimeMs : hashes
}

/**
 * Size and mtime as recorded, the change stamp not: a write that put the mtime back may have changed the
 * bytes. Such a file still counts as unchanged (a chmod or a new hard link moves the stamp too, and a
 * deletion on the other side must not be undone for that); where both sides hold a file, both are hashed,
 * and bytes that differ are taken from the side whose stamp moved.
 */
export const stampMovedOnly = (recorded: Entry | undefined, now: Entry | null): boolean =>
  recorded?.kind === 'file' &&
  now?.kind === 'file' &&
  recorded.size === now.size &&
  recorded.mtimeMs === now.mtimeMs &&
  stampMoved(recorded, now) &&
  sameHash(recorded, now) === undefined

export const statusOf = (recorded: Entry | undefined, now: Entry | null): Status => {
  if (recorded === undefined) return now === null ? 'absent' : 'created'
  if (now === null) return 'deleted'
  if (sameOnSide(recorded, now)) return 'unchanged'
  return onlyMetadataMoved(recorded, now) ? 'touched' : 'changed'
}

export interface Comparison {
  readonly mtimeToleranceMs: number
  /** Both sides keep the exec bit; otherwise a difference in it is not a difference. */
  readonly execBit: boolean
}

const closeInTime = (a: FileEntry, b: FileEntry, how: Comparison): boolean =>
  Math.abs(a.mtimeMs - b.mtimeMs) <= how.mtimeToleranceMs

/**
 * The same bytes on the two sides, as far as can be told: the same kind and size, then equal hashes when
 * both are known, else mtimes within the tolerance (a copy keeps the mtime, so synced files compare equal;
 * two different files with the same size and mtime look equal this way, which is why the planner hashes
 * both when both sides changed since the last sync).
 */
export const sameContent = (a: Entry | null, b: Entry | null, how: Comparison): boolean => {
  if (a === null || b === null) return a === b
  switch (a.kind) {
    case 'file':
      if (b.kind !== 'file' || a.size !== b.size) return false
      return sameHash(a, b) ?? closeInTime(a, b, how)
    case 'dir':
      return b.kind === 'dir'
    case 'symlink':
      return b.kind === 'symlink' && a.target === b.target
  }
}

/** Provably different bytes: another kind, another size, or hashes of one algorithm that differ. */
export const contentDiffers = (a: Entry, b: Entry): boolean => {
  if (a.kind !== b.kind) return true
  if (a.kind === 'file' && b.kind === 'file') return a.size !== b.size || sameHash(a, b) === false
  return a.kind === 'symlink' && b.kind === 'symlink' && a.target !== b.target
}

/** The metadata a sync keeps besides the bytes: the mtime (within the tolerance) and the exec bit. */
export const sameMetadata = (a: Entry, b: Entry, how: Comparison): boolean =>
  a.kind !== 'file' || b.kind !== 'file' || (closeInTime(a, b, how) && (!how.execBit || a.exec === b.exec))

/**
 * The same path on the two sides holds the same thing: the same bytes, and for files the same mtime and
 * exec bit (as far as both backends keep them). Nothing is to be done at such a path.
 */
export const sameAcross = (a: Entry | null, b: Entry | null, how: Comparison): boolean =>
  sameContent(a, b, how) && (a === null || b === null || sameMetadata(a, b, how))

/** The recorded pair is exactly what the sides hold now, so the state needs no update. */
export const recordedAs = (pair: SyncedPair | undefined, source: Entry, destination: Entry): boolean =>
  pair !== undefined && sameRecord(pair[0], source) && sameRecord(pair[1], destination)

const sameRecord = (a: Entry, b: Entry): boolean =>
  sameOnSide(a, b) &&
  (a.kind !== 'file' || b.kind !== 'file' || (a.id === b.id && a.hash === b.hash && a.change === b.change))
