import type { Entry } from './entry.ts'
import type { SyncedPair } from './sync-state.ts'

/**
 * Unison's vocabulary, per side, against the last synced state: a path is `absent` (not there and not
 * recorded), `created` (there, not recorded), `unchanged`, `changed`, or `deleted` (recorded, gone).
 */
export type Status = 'absent' | 'created' | 'unchanged' | 'changed' | 'deleted'

export const isChanged = (status: Status): boolean =>
  status === 'created' || status === 'changed' || status === 'deleted'

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
 * The same path on the same side at two moments: by content when both hashes are known, else by mtime,
 * which comes from one clock and so must match exactly. The backend id is left out, because restoring a
 * file gives it a new one without changing it.
 */
export const sameOnSide = (before: Entry, now: Entry): boolean => {
  switch (before.kind) {
    case 'file':
      if (now.kind !== 'file' || before.size !== now.size || before.exec !== now.exec) return false
      // With both contents known, a new mtime alone (a touch) is no change, as in Unison.
      if (comparableHashes(before.hash, now.hash)) return before.hash === now.hash
      return before.mtimeMs === now.mtimeMs
    case 'dir':
      return now.kind === 'dir'
    case 'symlink':
      return now.kind === 'symlink' && before.target === now.target
  }
}

export const statusOf = (recorded: Entry | undefined, now: Entry | null): Status => {
  if (recorded === undefined) return now === null ? 'absent' : 'created'
  if (now === null) return 'deleted'
  return sameOnSide(recorded, now) ? 'unchanged' : 'changed'
}

export interface Comparison {
  readonly mtimeToleranceMs: number
  /** Both sides keep the exec bit; otherwise a difference in it is not a difference. */
  readonly execBit: boolean
}

/**
 * The same path on the two sides. Without hashes of one algorithm, same size and mtimes within the
 * tolerance mean the same content: a copy keeps the mtime, so synced files compare equal. Two different
 * files with the same size and mtime look equal this way; that is the price of not reading every file.
 */
export const sameAcross = (a: Entry | null, b: Entry | null, how: Comparison): boolean => {
  if (a === null || b === null) return a === b
  switch (a.kind) {
    case 'file':
      if (b.kind !== 'file' || a.size !== b.size) return false
      if (how.execBit && a.exec !== b.exec) return false
      if (comparableHashes(a.hash, b.hash)) return a.hash === b.hash
      return Math.abs(a.mtimeMs - b.mtimeMs) <= how.mtimeToleranceMs
    case 'dir':
      return b.kind === 'dir'
    case 'symlink':
      return b.kind === 'symlink' && a.target === b.target
  }
}

/** The recorded pair is exactly what the sides hold now, so the state needs no update. */
export const recordedAs = (pair: SyncedPair | undefined, source: Entry, destination: Entry): boolean =>
  pair !== undefined && sameRecord(pair[0], source) && sameRecord(pair[1], destination)

const sameRecord = (a: Entry, b: Entry): boolean =>
  sameOnSide(a, b) &&
  (a.kind !== 'file' || b.kind !== 'file' || (a.id === b.id && a.hash === b.hash && a.mtimeMs === b.mtimeMs))
