/** Requests about one path on the server, on a leased channel; `abs` is the path there. */
import type { Stats } from 'ssh2'
import type { Entry, FileEntry } from '../../core/entry.ts'
import type { Found } from '../storage.ts'
import type { Lease } from './connection.ts'
import { codeOf, fail } from './sftp-errors.ts'

const S_IFMT = 0o170000

export const kindOf = (mode: number): 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'device' => {
  switch (mode & S_IFMT) {
    case 0o100000:
      return 'file'
    case 0o040000:
      return 'dir'
    case 0o120000:
      return 'symlink'
    case 0o010000:
      return 'fifo'
    case 0o140000:
      return 'socket'
    default:
      return 'device'
  }
}

/** SFTP version 3 keeps whole seconds, as an unsigned 32-bit number. */
export const toSeconds = (ms: number): number => Math.min(0xffffffff, Math.max(0, Math.floor(ms / 1000)))

export const fileEntryOf = (st: Stats): FileEntry => ({
  kind: 'file',
  size: st.size,
  mtimeMs: st.mtime * 1000,
  exec: (st.mode & 0o100) !== 0,
})

export const lstatAt = (lease: Lease, abs: string): Promise<Stats | null> =>
  lease
    .call<Stats>((done) => lease.sftp.lstat(abs, done))
    .catch((error: unknown) => {
      if (codeOf(error) === 'ENOENT') return null
      throw error
    })

export const statAt = (lease: Lease, abs: string): Promise<Stats | null> =>
  lease
    .call<Stats>((done) => lease.sftp.stat(abs, done))
    .catch((error: unknown) => {
      if (codeOf(error) === 'ENOENT') return null
      throw error
    })

export const readlinkAt = (lease: Lease, abs: string): Promise<string> =>
  lease.call<string>((done) => lease.sftp.readlink(abs, done))

export const unlinkAt = (lease: Lease, abs: string): Promise<void> =>
  lease.call<void>((done) => lease.sftp.unlink(abs, done))

export const foundOf = async (lease: Lease, abs: string, st: Stats): Promise<Found | null> => {
  const kind = kindOf(st.mode)
  switch (kind) {
    case 'file':
      return fileEntryOf(st)
    case 'dir':
      return { kind: 'dir' }
    case 'symlink':
      try {
        return { kind: 'symlink', target: await readlinkAt(lease, abs) }
      } catch (error) {
        // Removed between the listing and readlink: as absent as if removed before.
        if (codeOf(error) === 'ENOENT') return null
        throw error
      }
    default:
      return { kind: 'special', what: kind }
  }
}

export const foundAt = async (lease: Lease, abs: string): Promise<Found | null> => {
  const st = await lstatAt(lease, abs)
  return st === null ? null : foundOf(lease, abs, st)
}

/** The entry a write left, as `commit` returns it. */
export const entryAt = async (lease: Lease, abs: string): Promise<Entry> => {
  const found = await foundAt(lease, abs)
  if (found === null) return fail('ENOENT', 'no such file or directory')
  if (found.kind === 'special') return fail('EIO', `${abs} became a ${found.what}`)
  return found
}

export const realpathAt = (lease: Lease, abs: string): Promise<string> =>
  lease.call<string>((done) => lease.sftp.realpath(abs, done))

/** A regular file's attributes; a folder, a link or a fifo is refused as local storage refuses it. */
export const fileAt = async (lease: Lease, abs: string): Promise<Stats> => {
  const st = await lstatAt(lease, abs)
  if (st === null) return fail('ENOENT', 'no such file or directory')
  const kind = kindOf(st.mode)
  if (kind === 'dir') fail('EISDIR', 'illegal operation on a directory')
  if (kind === 'symlink') fail('ELOOP', 'is a symbolic link')
  if (kind !== 'file') fail('EINVAL', 'not a regular file')
  return st
}
