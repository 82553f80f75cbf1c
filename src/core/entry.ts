import * as t from 'io-ts'
import { taggedUnion } from './codec.ts'

/**
 * One path on one side, as the storage reported it. Kept small: a state holds one per path per side,
 * and the budget is about 1 KiB per path.
 */
export const FileEntry = t.intersection([
  t.type({
    kind: t.literal('file'),
    size: t.number,
    /** Whole milliseconds since the epoch. */
    mtimeMs: t.number,
    exec: t.boolean,
  }),
  t.partial({
    /** Content hash, `algorithm:hex`, when known. */
    hash: t.string,
    /** Backend identity (inode, object id): stable across renames where the backend has one. */
    id: t.string,
    /**
     * A stamp the backend moves on every change to the file and nobody can set back (the ctime on a
     * disk): a recorded hash is trusted only while it is the same, so an edit that restores size and
     * mtime is still seen.
     */
    change: t.string,
  }),
])
export type FileEntry = t.TypeOf<typeof FileEntry>

export const DirEntry = t.type({ kind: t.literal('dir') })
export type DirEntry = t.TypeOf<typeof DirEntry>

export const SymlinkEntry = t.type({ kind: t.literal('symlink'), target: t.string })
export type SymlinkEntry = t.TypeOf<typeof SymlinkEntry>

export const Entry = taggedUnion('kind', { file: FileEntry, dir: DirEntry, symlink: SymlinkEntry }, 'Entry')
export type Entry = t.TypeOf<typeof Entry>

export const dir: DirEntry = { kind: 'dir' }

export const file = (size: number, mtimeMs: number, exec = false): FileEntry => ({
  kind: 'file',
  size,
  mtimeMs,
  exec,
})

export const symlink = (target: string): SymlinkEntry => ({ kind: 'symlink', target })

/**
 * `file` with `hash` set, built as a literal: a spread copy costs several times more, and a planner that
 * fills the hash cache makes one for each of a hundred thousand files.
 */
export const withHashOf = (file: FileEntry, hash: string): FileEntry => {
  const { size, mtimeMs, exec, id, change } = file
  if (id === undefined)
    return change === undefined
      ? { kind: 'file', size, mtimeMs, exec, hash }
      : { kind: 'file', size, mtimeMs, exec, change, hash }
  return change === undefined
    ? { kind: 'file', size, mtimeMs, exec, id, hash }
    : { kind: 'file', size, mtimeMs, exec, id, change, hash }
}

export const isDir = (e: Entry | null | undefined): e is DirEntry => e?.kind === 'dir'

/** The bytes a transfer of this entry moves. */
export const sizeOf = (e: Entry | null | undefined): number => (e?.kind === 'file' ? e.size : 0)
