import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { Entry, FileEntry } from '../core/entry.ts'
import type { RelPath } from '../core/rel-path.ts'

/**
 * What a backend reports when an operation fails. `code` follows POSIX names (ENOENT, EACCES, ENOTEMPTY,
 * EEXIST, ENOTDIR, EISDIR, EIO, ENOSPC, …) whatever the backend, so callers can tell a vanished file from a
 * full disk without knowing which storage they talk to.
 */
export interface StorageError {
  readonly _tag: 'StorageError'
  readonly op: string
  /** The path the operation was about, relative to the root ('' is the root itself). */
  readonly path: string
  readonly code: string
  readonly message: string
}

export const storageError = (op: string, path: string, code: string, message: string): StorageError => ({
  _tag: 'StorageError',
  op,
  path,
  code,
  message,
})

/** A fifo, socket or device: reported, never synced. */
export interface SpecialEntry {
  readonly kind: 'special'
  readonly what: string
}

export type Found = Entry | SpecialEntry

export interface Listed {
  readonly name: string
  readonly entry: Found
  /** Something the snapshot should tell about this entry (e.g. an mtime the backend had to guess). */
  readonly warning?: string
}

/** What a backend can do; the applier asks instead of assuming a local disk. */
export interface Capabilities {
  /** `A` and `a` are two names. */
  readonly caseSensitive: boolean
  /** The composed and decomposed forms of a name (`é` as one code point or as e + accent) are one name. */
  readonly normalizesUnicode: boolean
  /** Smallest mtime step the backend keeps, in ms (1 for local disks, 2000 for FAT, 1000 for many servers). */
  readonly mtimePrecisionMs: number
  readonly symlinks: boolean
  readonly execBit: boolean
  /**
   * Whether a written file keeps the mtime it is given (absent: it does). A server that cannot set mtimes
   * gives every upload the time it arrived: the planner then knows that a copy's mtime says nothing, and
   * compares such a side by size and by what the last sync recorded.
   */
  readonly keepsMtime?: boolean
}

export interface WriteMeta {
  readonly mtimeMs: number
  readonly exec: boolean
}

/**
 * A file opened for reading: `entry` is the file as the open handle saw it when the read began, so the
 * bytes, the mtime given to a copy and the entry recorded all describe one version. `data` fails with
 * ECHANGED when the file changed while it was read (its size, mtime or change time moved, or the bytes
 * read are not `entry.size`): a copy of it would be torn.
 */
export interface Opened {
  readonly entry: FileEntry
  readonly data: AsyncIterable<Uint8Array>
}

/** A copy staged from another storage's file, and the version of that file it copied. */
export interface Copied {
  readonly staged: Staged
  readonly read: FileEntry
}

/**
 * A write that is complete but not yet visible under its real name. `commit` makes it appear whole (rename
 * over the target on a disk, completing an upload on an object store) and returns the entry as the backend
 * now reports it; `discard` removes it. Between the two the applier re-checks its preconditions.
 *
 * `replaces` is what the applier has just checked the target to hold: `null` for nothing, else the entry
 * it may replace. A backend with conditional writes makes the check and the write one request (S3's
 * `If-None-Match: *`, `If-Match: <etag>`) and fails with CHANGED_SINCE_PLAN when the target moved on in
 * between; others may ignore it, the applier's check right before being all they can do.
 */
export interface Staged {
  readonly commit: (replaces?: Entry | null) => TaskEither<StorageError, Entry>
  readonly discard: () => TaskEither<StorageError, void>
}

/**
 * A storage's calls may settle without waiting on anything (a local disk's cached metadata, memory): a
 * loop over many of them awaits this now and then, or timers, signals and progress wait for it to end.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * One side of a sync. Every path is relative to the backend's root and already validated. No operation
 * follows a symlink: `stat` and `list` describe links as links, and `remove` removes the link itself.
 */
export interface Storage {
  /** How people know this root: an absolute path, or a URL without credentials. */
  readonly root: string
  readonly capabilities: Capabilities
  /**
   * Finds out how the backend treats names when it cannot just say: whether case and Unicode forms tell
   * names apart (a local folder may be on any file system). Falls back to `capabilities`.
   */
  readonly probeNames?: (token: string) => Promise<Pick<Capabilities, 'caseSensitive' | 'normalizesUnicode'>>
  /** The entry at `path` ('' is the root), or null when nothing is there. */
  readonly stat: (path: RelPath | '') => TaskEither<StorageError, Found | null>
  /** The children of a folder, in no particular order. */
  readonly list: (dir: RelPath | '') => TaskEither<StorageError, ReadonlyArray<Listed>>
  /** The bytes of a file, streamed, with the entry they belong to. Errors while streaming reject the iteration. */
  readonly read: (path: RelPath) => TaskEither<StorageError, Opened>
  /**
   * Writes a file so that it is not yet visible under `path` (a temporary name beside it, on a disk), with
   * its mtime and exec bit already set. `token` is the apply's own tag: any temporary name carries it, so
   * that cleaning up after a crash removes only what that apply made (see `tempName`).
   */
  readonly stage: (
    path: RelPath,
    data: AsyncIterable<Uint8Array>,
    meta: WriteMeta,
    token: string,
  ) => TaskEither<StorageError, Staged>
  /**
   * Stages a copy of a file that another storage holds, without its bytes passing through the applier
   * (the kernel's copy between two local folders), where this backend can copy from `from`; null where it
   * cannot, and the applier streams `read` into `stage` instead. Like that pair: the copy is of the
   * version the source held when it began (returned as `read`), with that version's mtime and exec bit,
   * and ECHANGED when the source changed while it was copied.
   */
  readonly stageCopy?: (
    path: RelPath,
    from: Storage,
    fromPath: RelPath,
    token: string,
  ) => TaskEither<StorageError, Copied | null>
  /** Creates a symlink under a temporary name beside `path`. */
  readonly stageSymlink: (path: RelPath, target: string, token: string) => TaskEither<StorageError, Staged>
  /** Moves an entry; fails with EEXIST when `to` exists, so a move never overwrites. */
  readonly rename: (from: RelPath, to: RelPath) => TaskEither<StorageError, void>
  /**
   * Removes a file, a symlink, or an empty folder (ENOTEMPTY otherwise). Never recursive. With `expected`,
   * a backend that can delete conditionally removes only that version (CHANGED_SINCE_PLAN otherwise).
   */
  readonly remove: (path: RelPath, expected?: Entry) => TaskEither<StorageError, void>
  /** Creates one folder; its parent must exist (ENOENT otherwise); EEXIST when something is there. */
  readonly mkdir: (path: RelPath) => TaskEither<StorageError, void>
  /** Creates the root folder and its missing parents. */
  readonly createRoot: () => TaskEither<StorageError, void>
  /** Removes the staged writes tagged `token` that a crash left in a folder (never anything else); returns how many. */
  readonly removeStaged: (dir: RelPath | '', token: string) => TaskEither<StorageError, number>
  readonly setMtime: (path: RelPath, mtimeMs: number) => TaskEither<StorageError, void>
  readonly setExec: (path: RelPath, exec: boolean) => TaskEither<StorageError, void>
  /**
   * Content hashes (`sha256:hex`, as `hashFile` makes them) computed where the files are, so that comparing
   * contents moves no bytes: an SFTP server running `sha256sum`. Paths it could not hash are left out, and
   * the caller reads those; ENOTSUP when it can hash none. Absent on backends that would read the file anyway.
   */
  readonly hashes?: (paths: ReadonlyArray<RelPath>) => TaskEither<StorageError, ReadonlyMap<RelPath, string>>
  /** Ends the backend's connections, where it has any; the storage is not used after. */
  readonly close?: () => Promise<void>
}

/**
 * Temporary names: `.syncengine-<token>-<unique>.tmp`. The token is random and written to the journal
 * before the first such name exists, so cleanup can tell the names an apply made from a user's files,
 * whatever those are called.
 */
export const TEMP_PREFIX = '.syncengine-'
export const TEMP_SUFFIX = '.tmp'

/** A token is lower-case hex, so a name built from it needs no escaping on any backend. */
export const isToken = (token: string): boolean => /^[0-9a-f]{8,64}$/.test(token)

export const tempName = (token: string, unique: string): string =>
  `${TEMP_PREFIX}${token}-${unique}${TEMP_SUFFIX}`

/** Whether `name` is a temporary name made under `token`. */
export const isTempOf = (name: string, token: string): boolean =>
  name.startsWith(`${TEMP_PREFIX}${token}-`) && name.endsWith(TEMP_SUFFIX)

/** The error a read reports when its file changed while it was read. */
export const CHANGED_WHILE_READ = 'ECHANGED'

/**
 * The error a conditional write or delete reports when the target is no longer the version the applier
 * checked (HTTP 412): someone changed it since the plan, which is drift, never something to force.
 */
export const CHANGED_SINCE_PLAN = 'ESTALE'
