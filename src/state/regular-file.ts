import { constants, type Stats } from 'node:fs'
import { type FileHandle, lstat, open, readlink, realpath, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The files syncengine keeps for itself (state, journal, lock, plan, config) must be regular files. A
 * FIFO there would hang a read forever, a folder or a device would fail oddly, so each is looked at
 * before it is read or written. A symlink is followed: its target must be a regular file (or, for a
 * file about to be written, nothing yet), and it is the target that is read and replaced.
 */

export type OwnFileRole = 'state file' | 'journal' | 'lock file' | 'plan file' | 'config file'

export type OwnFileError =
  | {
      readonly _tag: 'NotARegularFile'
      readonly role: OwnFileRole
      readonly file: string
      /** What is there instead: `a FIFO (named pipe)`, `a folder`, `a symlink to a folder`, … */
      readonly what: string
      /** For a symlink that leads nowhere: where it points. */
      readonly target?: string
    }
  | { readonly _tag: 'OwnFileNameTooLong'; readonly role: OwnFileRole; readonly file: string }
  | {
      readonly _tag: 'FolderNotAFolder'
      readonly role: OwnFileRole
      readonly file: string
      /** The first folder on the way to the file that is something else. */
      readonly folder: string
      readonly what: string
    }

/** Any other failure to read or write, with its errno code (`EACCES`, `ENAMETOOLONG`, `ENOSPC`, …). */
export interface IoFailure {
  readonly _tag: 'IoFailure'
  readonly code: string
  readonly message: string
}

export const kindOf = (info: Stats): string => {
  if (info.isFile()) return 'a regular file'
  if (info.isDirectory()) return 'a folder'
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isSymbolicLink()) return 'a symlink'
  return 'not a file'
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'EIO'

const ioFailure = (error: unknown): IoFailure => ({
  _tag: 'IoFailure',
  code: codeOf(error),
  message: (error as Error).message,
})

/** The first ancestor of `file` that exists and is not a folder (what ENOTDIR was about). */
const blockingFolder = async (
  file: string,
): Promise<{ readonly folder: string; readonly what: string } | undefined> => {
  const chain: string[] = []
  for (let at = dirname(file); ; at = dirname(at)) {
    chain.unshift(at)
    if (dirname(at) === at) break
  }
  for (const folder of chain) {
    const info = await stat(folder).catch(() => null)
    if (info === null) return undefined
    if (!info.isDirectory()) return { folder, what: kindOf(info) }
  }
  return undefined
}

/** What a missing file really is: nothing, or a symlink that leads nowhere. */
const missing = async (file: string, role: OwnFileRole): Promise<OwnFileError | null> => {
  const link = await lstat(file).catch(() => null)
  if (link === null || !link.isSymbolicLink()) return null
  const target = await readlink(file).catch(() => '?')
  return {
    _tag: 'NotARegularFile',
    role,
    file,
    what: 'a symlink to nothing',
    target: resolve(dirname(file), target),
  }
}

const problemOf = async (
  error: unknown,
  file: string,
  role: OwnFileRole,
): Promise<OwnFileError | IoFailure> => {
  if (codeOf(error) === 'ENOTDIR') {
    const blocking = await blockingFolder(file)
    if (blocking !== undefined) return { _tag: 'FolderNotAFolder', role, file, ...blocking }
  }
  // A socket cannot be opened at all (ENXIO), a folder cannot be read (EISDIR): say what is there.
  const info = await stat(file).catch(() => null)
  if (info !== null && !info.isFile()) return { _tag: 'NotARegularFile', role, file, what: kindOf(info) }
  return ioFailure(error)
}

/**
 * The text of one of syncengine's own files, or null when there is none. Opened without blocking, and
 * checked to be a regular file before a byte is read: a FIFO is refused at once.
 */
export const readOwnFile = async <T>(
  file: string,
  role: OwnFileRole,
  /** The caller's error for any other failure to read (`EACCES`, `ENAMETOOLONG`, …). */
  failed: (failure: IoFailure) => T,
): Promise<E.Either<OwnFileError | T, string | null>> => {
  const read = await readRegular(file, role)
  if (E.isRight(read)) return read
  return E.left(read.left._tag === 'IoFailure' ? failed(read.left) : read.left)
}

const readRegular = async (
  file: string,
  role: OwnFileRole,
): Promise<E.Either<OwnFileError | IoFailure, string | null>> => {
  let handle: FileHandle
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    if (codeOf(error) === 'ENOENT') {
      const link = await missing(file, role)
      if (link !== null) return E.left(link)
      // A path through a file (`file/x`) is ENOTDIR, but one through a missing folder is just missing.
      return E.right(null)
    }
    return E.left(await problemOf(error, file, role))
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) return E.left({ _tag: 'NotARegularFile', role, file, what: kindOf(info) })
    return E.right(await handle.readFile('utf8'))
  } catch (error) {
    return E.left(await problemOf(error, file, role))
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/**
 * Where one of syncengine's own files is written: the path itself, or the file a symlink there points
 * to. Refused when something other than a regular file is there, or a folder on the way is a file.
 */
export const ownFileTarget = async <T>(
  file: string,
  role: OwnFileRole,
  failed: (failure: IoFailure) => T,
): Promise<E.Either<OwnFileError | T, string>> => {
  const target = await writeTarget(file, role)
  if (E.isRight(target)) return target
  return E.left(target.left._tag === 'IoFailure' ? failed(target.left) : target.left)
}

const writeTarget = async (
  file: string,
  role: OwnFileRole,
): Promise<E.Either<OwnFileError | IoFailure, string>> => {
  let info: Stats
  try {
    info = await lstat(file)
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return E.right(file)
    return E.left(await problemOf(error, file, role))
  }
  if (info.isFile()) return E.right(file)
  if (!info.isSymbolicLink()) return E.left({ _tag: 'NotARegularFile', role, file, what: kindOf(info) })
  const target = await stat(file).catch(() => null)
  if (target === null) {
    const link = await missing(file, role)
    return E.left(link ?? { _tag: 'NotARegularFile', role, file, what: 'a symlink that cannot be followed' })
  }
  if (!target.isFile())
    return E.left({ _tag: 'NotARegularFile', role, file, what: `a symlink to ${kindOf(target)}` })
  try {
    return E.right(await realpath(file))
  } catch (error) {
    return E.left(ioFailure(error))
  }
}

/**
 * The state file's path, checked before anything is read or written beside it: when a folder on the way
 * is a file (`--state notes.txt/state.json`), or the path is longer than the file system takes, that is
 * the one error worth showing (not the journal's or the lock's, which come first otherwise).
 */
export const checkOwnFolder = async (file: string, role: OwnFileRole): Promise<OwnFileError | undefined> => {
  const tooLong = await lstat(file).then(
    () => false,
    (error) => codeOf(error) === 'ENAMETOOLONG',
  )
  // The journal's and the lock's names are longer still: a state path at the limit is too long too.
  const siblingTooLong = await lstat(`${file}.journal`).then(
    () => false,
    (error) => codeOf(error) === 'ENAMETOOLONG',
  )
  if (tooLong || siblingTooLong) return { _tag: 'OwnFileNameTooLong', role, file }
  const blocking = await blockingFolder(file)
  return blocking === undefined ? undefined : { _tag: 'FolderNotAFolder', role, file, ...blocking }
}
