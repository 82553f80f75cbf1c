import { randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import {
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  unlinkSync,
} from 'node:fs'
import * as fs from 'node:fs/promises'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Entry, FileEntry } from '../core/entry.ts'
import { bytesOfName, hasEscapedBytes, nameFromBytes } from '../core/name-bytes.ts'
import { parentOf, type RelPath } from '../core/rel-path.ts'
import {
  CHANGED_WHILE_READ,
  type Found,
  isTempOf,
  type Listed,
  type Opened,
  type Staged,
  type Storage,
  type StorageError,
  storageError,
  TEMP_PREFIX,
  TEMP_SUFFIX,
  tempName,
  type WriteMeta,
} from './storage.ts'

const verbs: Readonly<Record<string, string>> = {
  stage: 'write',
  stageSymlink: 'create symlink',
  mkdir: 'create folder',
  createRoot: 'create root folder',
  setMtime: 'set mtime of',
  setExec: 'set exec bit of',
}

/** One readable line for a failed operation, shared by every backend so messages read alike. */
export const describeFailure = (op: string, where: string, detail: string, code: string): string =>
  `cannot ${verbs[op] ?? op} ${where}: ${detail} (${code})`

interface NodeError {
  readonly code?: unknown
  readonly message?: unknown
}

const codeOf = (err: unknown): string | undefined => {
  const code = (err as NodeError | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Node's messages read `EACCES: permission denied, scandir '/x'`; keep the middle, we name the path ourselves. */
const detailOf = (err: unknown): string => {
  const message = (err as NodeError | null)?.message
  if (typeof message !== 'string') return String(err)
  return /^[A-Z0-9_]+: ([^,]+)/.exec(message)?.[1] ?? message
}

const failure =
  (op: string, path: string, where: string) =>
  (err: unknown): StorageError => {
    const code = codeOf(err) ?? 'EIO'
    return storageError(op, path, code, describeFailure(op, where, detailOf(err), code))
  }

/** The POSIX answer when a path does not name what an operation needs, raised like Node raises its own. */
const reject = (code: string, message: string): never => {
  throw Object.assign(new Error(`${code}: ${message}`), { code })
}

const isAbsent = (err: unknown): boolean => {
  const code = codeOf(err)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Like git: exec adds an x bit wherever there is an r bit; clearing removes them all. */
export const withExec = (mode: number, exec: boolean): number =>
  (exec ? mode | ((mode & 0o444) >> 2) : mode & ~0o111) & 0o7777

/**
 * A path as the kernel takes it. Names are bytes: one that is not UTF-8 is held escaped in a RelPath
 * (see name-bytes.ts) and goes to the kernel as its own bytes, so Node never mangles it.
 */
type FsPath = string | Buffer

const fsJoin = (folder: FsPath, name: string): FsPath => {
  if (typeof folder === 'string' && !hasEscapedBytes(name))
    return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`
  const base = typeof folder === 'string' ? Buffer.from(folder) : folder
  const slash = base[base.length - 1] === 0x2f ? [] : [Buffer.from('/')]
  return Buffer.concat([base, ...slash, Buffer.from(bytesOfName(name))])
}

/** A name or link target as the kernel gave it, in the escaped form when it is not UTF-8. */
const textOf = (bytes: Buffer): string => {
  const text = bytes.toString('utf8')
  return text.includes('\ufffd') || hasEscapedBytes(text) ? nameFromBytes(bytes) : text
}

const fileEntryOf = (st: Stats): FileEntry => ({
  kind: 'file',
  size: st.size,
  // utimes takes seconds as a double, so a written mtime reads back a few hundred ns off: round, not floor.
  mtimeMs: Math.round(st.mtimeMs),
  exec: (st.mode & 0o100) !== 0,
  // The birth time tells a renamed file (same inode, same birth) from a new file that got the inode
  // of one just deleted, which file systems hand out again at once.
  id: `${st.dev}:${st.ino}:${st.birthtimeMs}`,
  // Any write or metadata change moves the ctime, and nobody can set it back: the hash cache keys on it.
  change: String(st.ctimeMs),
})

/**
 * What an lstat says is there. Metadata calls are synchronous throughout this file: on metadata the
 * kernel has cached they take a microsecond or two, where a call through the thread pool costs ten times
 * that, and a walk or an apply makes several per file.
 */
const foundOf = (abs: FsPath, st: Stats): Found => {
  if (st.isFile()) return fileEntryOf(st)
  if (st.isDirectory()) return { kind: 'dir' }
  if (st.isSymbolicLink())
    return { kind: 'symlink', target: textOf(readlinkSync(abs, { encoding: 'buffer' })) }
  if (st.isFIFO()) return { kind: 'special', what: 'fifo' }
  if (st.isSocket()) return { kind: 'special', what: 'socket' }
  return { kind: 'special', what: 'device' }
}

const lstatOrNull = (abs: FsPath): Stats | null => lstatSync(abs, { throwIfNoEntry: false }) ?? null

const statAt = (abs: FsPath): Found | null => {
  try {
    const st = lstatOrNull(abs)
    return st === null ? null : foundOf(abs, st)
  } catch (err) {
    // A symlink removed between lstat and readlink is as absent as one removed before.
    if (isAbsent(err)) return null
    throw err
  }
}

/** A folder's children with their metadata. */
const listAt = async (abs: FsPath, hidden: ReadonlySet<string>): Promise<ReadonlyArray<Listed>> => {
  // Synchronous, like the lstat of each child below: a folder of cached entries reads in microseconds,
  // where a trip through the thread pool costs a hundred.
  let names: ReadonlyArray<string> = readdirSync(abs)
  // Node decodes names as UTF-8 and replaces what is not: read such a folder again as bytes.
  if (names.some((name) => name.includes('\ufffd') || hasEscapedBytes(name)))
    names = readdirSync(abs, { encoding: 'buffer' }).map(textOf)
  const found: Listed[] = []
  for (const name of names) {
    const child = fsJoin(abs, name)
    if (hidden.has(child.toString())) continue
    const st = lstatSync(child, { throwIfNoEntry: false })
    // A child deleted since readdir is simply not there any more.
    if (st !== undefined) found.push({ name, entry: foundOf(child, st) })
  }
  return found
}

const asEntry = (where: string, found: Found | null): Entry => {
  if (found === null) return reject('ENOENT', 'no such file or directory')
  if (found.kind === 'special') return reject('EIO', `${where} became a ${found.what}`)
  return found
}

const CHUNK = 1 << 20
/** Files up to this size are copied by the kernel without leaving the event loop. */
const INLINE_COPY = 1 << 18
/** Writes skip whole blocks of zeros, leaving holes, so a sparse file stays sparse (like `cp --sparse`). */
const BLOCK = 4096
const ZEROS = Buffer.alloc(BLOCK)

/** Same size, mtime and change time: the file was not written to in between (ctime cannot be set back). */
const sameVersion = (a: Stats, b: Stats): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs

const changedWhileRead = (): never => reject(CHANGED_WHILE_READ, 'the file changed while it was read')

/**
 * The file's bytes in chunks, read straight from the handle (a stream costs more than small files take).
 * The handle is looked at again at the end: bytes read from a file that was being written may be torn.
 */
async function* chunksOf(handle: fs.FileHandle, before: Stats): AsyncIterable<Uint8Array> {
  try {
    // Sized to the file (plus one byte, to see the end in one read when it did not grow).
    const size = Math.min(CHUNK, before.size + 1)
    let total = 0
    for (;;) {
      const buffer = Buffer.allocUnsafe(size)
      const { bytesRead } = await handle.read(buffer, 0, size, null)
      total += bytesRead
      if (total > before.size) changedWhileRead()
      if (bytesRead > 0) yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead)
      if (bytesRead < size) break
    }
    if (total !== before.size || !sameVersion(before, await handle.stat())) changedWhileRead()
  } finally {
    await handle.close()
  }
}

/** Opens without following a link, and without blocking on a fifo, so only a regular file is ever streamed. */
const openFile = async (abs: FsPath): Promise<{ readonly handle: fs.FileHandle; readonly st: Stats }> => {
  const handle = await fs.open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const st = await handle.stat()
    if (st.isDirectory()) reject('EISDIR', 'illegal operation on a directory')
    if (!st.isFile()) reject('EINVAL', 'not a regular file')
    return { handle, st }
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

const openForRead = async (abs: FsPath): Promise<Opened> => {
  const { handle, st } = await openFile(abs)
  return { entry: fileEntryOf(st), data: chunksOf(handle, st) }
}

const writeAt = async (handle: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> => {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset)
    offset += bytesWritten
  }
}

/** Writes the bytes, leaving a hole for each whole block of zeros; returns the size written. */
const writeSparse = async (handle: fs.FileHandle, data: AsyncIterable<Uint8Array>): Promise<number> => {
  let position = 0
  for await (const chunk of data) {
    if (chunk.length < BLOCK) {
      await writeAt(handle, chunk, position)
      position += chunk.length
      continue
    }
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let run = 0
    for (let at = 0; at < bytes.length; at += BLOCK) {
      const end = Math.min(at + BLOCK, bytes.length)
      const zero = end - at === BLOCK && bytes.subarray(at, end).equals(ZEROS)
      if (!zero) continue
      if (at > run) await writeAt(handle, bytes.subarray(run, at), position + run)
      run = end
    }
    if (run < bytes.length) await writeAt(handle, bytes.subarray(run), position + run)
    position += bytes.length
  }
  return position
}

/** New files get the usual mode (0666, or 0777 when executable) less the umask, like cp and git. */
const modeFor = (exec: boolean): number => (exec ? 0o777 : 0o666)

/**
 * The process's umask, read once by setting it and putting it back (reading it alone is deprecated); a
 * worker thread may not set it, and takes the usual 022.
 */
const umask = ((): number => {
  try {
    const mask = process.umask(0o022)
    process.umask(mask)
    return mask
  } catch {
    return 0o022
  }
})()

/** How a local storage reaches its files, for a copy from it into another local storage. */
interface LocalRoot {
  readonly absolute: (path: RelPath | '') => FsPath
  readonly throughFolders: (path: RelPath | '') => void
}

const localRoots = new WeakMap<Storage, LocalRoot>()

const writeTemp = async (temp: FsPath, data: AsyncIterable<Uint8Array>, meta: WriteMeta): Promise<void> => {
  const handle = await fs.open(temp, 'wx', modeFor(meta.exec))
  try {
    const size = await writeSparse(handle, data)
    // Holes at the end are not written: the size says where the file ends.
    if ((await handle.stat()).size !== size) await handle.truncate(size)
    // A Date, not a number: Node takes a negative number of seconds for "now", and mtimes before 1970 exist.
    await handle.utimes(new Date(), new Date(meta.mtimeMs))
  } catch (err) {
    await handle.close().catch(() => undefined)
    await fs.unlink(temp).catch(() => undefined)
    throw err
  }
  await handle.close()
}

const discardTemp = async (temp: FsPath): Promise<void> => {
  try {
    await fs.unlink(temp)
  } catch (err) {
    if (codeOf(err) !== 'ENOENT') throw err
  }
}

/** setMtime and setExec are for files only; a link is never followed to reach one. */
const lstatFile = (abs: FsPath): Stats => {
  const st = lstatSync(abs)
  if (st.isDirectory()) reject('EISDIR', 'illegal operation on a directory')
  if (st.isSymbolicLink()) reject('ELOOP', 'is a symbolic link')
  if (!st.isFile()) reject('EINVAL', 'not a regular file')
  return st
}

/**
 * Asks the file system itself, as Mutagen does: a probe file is made in the root under one spelling and
 * looked up under another (other case; the other Unicode form). Nothing is left behind; a root that cannot
 * be written to answers with the platform's usual behaviour. The probe's name carries the caller's token,
 * which the caller records first, so a probe left by a crash is removed by its maker and nobody else.
 */
const probeNames = async (
  root: string,
  token: string,
): Promise<{ caseSensitive: boolean; normalizesUnicode: boolean }> => {
  const name = tempName(token, 'Probe-\u00e9')
  const created = fsJoin(root, name)
  const fallback = {
    caseSensitive: process.platform !== 'darwin' && process.platform !== 'win32',
    normalizesUnicode: process.platform === 'darwin',
  }
  try {
    await fs.writeFile(created, '', { flag: 'wx' })
  } catch {
    return fallback
  }
  try {
    const found = async (variant: string): Promise<boolean> => lstatOrNull(fsJoin(root, variant)) !== null
    return {
      caseSensitive: !(await found(name.toLowerCase())),
      normalizesUnicode: await found(name.normalize('NFD')),
    }
  } finally {
    await fs.unlink(created).catch(() => undefined)
  }
}

export const localStorage = (root: string): Storage => {
  const absolute = (path: RelPath | ''): FsPath => (path === '' ? root : fsJoin(root, path))
  /** For messages: the path as text, escaped bytes and all. */
  const where = (path: RelPath | ''): string => (path === '' ? root : `${root.replace(/\/$/, '')}/${path}`)

  // Every operation reaches its path through real folders only: a parent that is a symlink (say, a
  // folder swapped for a link to /etc after the plan was made) would take it outside the root. Checked
  // on every call, right before it acts; an lstat of cached metadata costs a microsecond or two.
  const throughFolders = (path: RelPath | ''): void => {
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      const folder = path.slice(0, i) as RelPath
      const st = lstatSync(absolute(folder), { throwIfNoEntry: false })
      if (st?.isSymbolicLink() === true)
        reject('ELOOP', `${folder} is a symbolic link, which is never followed`)
      // Missing, or a file: the operation itself reports that as it would without this check.
      if (st === undefined || !st.isDirectory()) return
    }
  }

  const attempt = <A>(op: string, path: RelPath | '', run: (abs: FsPath) => Promise<A>) =>
    TE.tryCatch(
      async () => {
        throughFolders(path)
        return run(absolute(path))
      },
      failure(op, path, where(path)),
    )

  // Writes staged and not yet committed or discarded: not part of the tree until they are. Only these are
  // hidden; a file a user named like them is listed like any other.
  const inFlight = new Set<string>()
  const staged = (path: RelPath, temp: FsPath): Staged => ({
    commit: () =>
      attempt('commit', path, async (abs) => {
        renameSync(temp, abs)
        inFlight.delete(temp.toString())
        return asEntry(where(path), statAt(abs))
      }),
    discard: () =>
      attempt('discard', path, async () => {
        await discardTemp(temp)
        inFlight.delete(temp.toString())
      }),
  })
  // Unique within this storage (a counter) and across storages of one root (a random part made once).
  const instance = randomBytes(3).toString('hex')
  let staging = 0
  const reserve = (path: RelPath, token: string): FsPath => {
    const temp = fsJoin(absolute(parentOf(path)), tempName(token, `${instance}${(++staging).toString(36)}`))
    inFlight.add(temp.toString())
    return temp
  }

  /**
   * The kernel's copy (copy_file_range, or a reflink where the file system has them) from another local
   * folder, one call in the thread pool instead of a read and a write per chunk. The source is looked at
   * before and after: unchanged size, mtime, ctime and inode mean the bytes copied are that version's (a
   * write or a rename in between moves the ctime). A sparse file is streamed instead, to keep its holes.
   */
  const copyFrom = async (
    path: RelPath,
    source: LocalRoot,
    fromPath: RelPath,
    token: string,
  ): Promise<{ readonly staged: Staged; readonly read: FileEntry } | null> => {
    source.throughFolders(fromPath)
    const from = source.absolute(fromPath)
    const before = lstatSync(from)
    if (before.isDirectory()) reject('EISDIR', 'illegal operation on a directory')
    if (!before.isFile()) reject('EINVAL', 'not a regular file')
    if (before.blocks * 512 < before.size) return null
    const temp = reserve(path, token)
    try {
      // A small file's copy takes less time than a trip through the thread pool costs.
      if (before.size <= INLINE_COPY) copyFileSync(from, temp, constants.COPYFILE_EXCL)
      else await fs.copyFile(from, temp, constants.COPYFILE_EXCL)
      const after = lstatSync(from, { throwIfNoEntry: false })
      if (after === undefined || !sameVersion(before, after) || before.ino !== after.ino) changedWhileRead()
      const read = fileEntryOf(before)
      // The copy has the source's mode: set it only where that is not what a new file gets here.
      const mode = modeFor(read.exec) & ~umask
      if ((before.mode & 0o7777) !== mode) chmodSync(temp, mode)
      lutimesSync(temp, new Date(), new Date(read.mtimeMs))
      return { staged: staged(path, temp), read }
    } catch (error) {
      inFlight.delete(temp.toString())
      try {
        unlinkSync(temp)
      } catch {}
      throw error
    }
  }

  const storage: Storage = {
    root,
    capabilities: {
      caseSensitive: process.platform !== 'darwin' && process.platform !== 'win32',
      normalizesUnicode: process.platform === 'darwin',
      mtimePrecisionMs: 1,
      symlinks: true,
      execBit: process.platform !== 'win32',
    },
    probeNames: (token) => probeNames(root, token),
    stageCopy: (path, from, fromPath, token) => {
      const source = localRoots.get(from)
      return source === undefined
        ? TE.right(null)
        : attempt('stage', path, () => copyFrom(path, source, fromPath, token))
    },
    stat: (path) =>
      // The root itself may be a symlink to a folder (a synced folder kept on another disk): it is
      // followed; nothing below it ever is.
      path === '' ? attempt('stat', path, statRoot) : attempt('stat', path, async (abs) => statAt(abs)),
    list: (dir) =>
      attempt('list', dir, async (abs) => {
        // readdir follows a link; only the root itself may be one.
        if (dir !== '' && !lstatSync(abs).isDirectory()) reject('ENOTDIR', 'not a directory')
        return listAt(abs, inFlight)
      }),
    read: (path) => attempt('read', path, openForRead),
    stage: (path, data, meta, token) =>
      attempt('stage', path, async () => {
        const temp = reserve(path, token)
        try {
          await writeTemp(temp, data, meta)
        } catch (error) {
          inFlight.delete(temp.toString())
          throw error
        }
        return staged(path, temp)
      }),
    stageSymlink: (path, target, token) =>
      attempt('stageSymlink', path, async () => {
        const temp = reserve(path, token)
        const bytes = hasEscapedBytes(target) ? Buffer.from(bytesOfName(target)) : target
        await fs.symlink(bytes, temp).catch((error) => {
          inFlight.delete(temp.toString())
          throw error
        })
        return staged(path, temp)
      }),
    // Moves, deletes, folders and metadata are single system calls on cached metadata, made here rather
    // than through the thread pool: the trip there and back costs more than the call, and an apply of a
    // thousand deletes spent a quarter of a second waiting on it.
    rename: (from, to) =>
      TE.tryCatch(
        async () => {
          throughFolders(from)
          throughFolders(to)
          // rename(2) silently replaces a file; a move must never destroy what it lands on. The same entry
          // under another spelling (a case-insensitive disk) is a change of spelling: it goes through a
          // temporary name, or the old spelling would stay.
          const there = lstatOrNull(absolute(to))
          if (there === null) renameSync(absolute(from), absolute(to))
          else {
            const moving = lstatSync(absolute(from))
            if (there.dev !== moving.dev || there.ino !== moving.ino) reject('EEXIST', 'file already exists')
            // Not a staged write: cleanup never removes it, so a crash here leaves the file under this name.
            const temp = fsJoin(
              absolute(parentOf(to)),
              `${TEMP_PREFIX}respell-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
            )
            renameSync(absolute(from), temp)
            renameSync(temp, absolute(to))
          }
        },
        failure('rename', from, `${where(from)} to ${where(to)}`),
      ),
    remove: (path) =>
      attempt('remove', path, async (abs) => {
        if (lstatSync(abs).isDirectory()) rmdirSync(abs)
        else unlinkSync(abs)
      }),
    mkdir: (path) =>
      attempt('mkdir', path, async (abs) => {
        mkdirSync(abs)
      }),
    createRoot: () =>
      attempt('createRoot', '', (abs) => fs.mkdir(abs, { recursive: true }).then(() => undefined)),
    removeStaged: (dir, token) =>
      attempt('removeStaged', dir, async (abs) => {
        const names = (await fs.readdir(abs)).filter((name) => isTempOf(name, token))
        await Promise.all(names.map((name) => fs.unlink(fsJoin(abs, name)).catch(() => undefined)))
        return names.length
      }),
    setMtime: (path, mtimeMs) =>
      attempt('setMtime', path, async (abs) => {
        lstatFile(abs)
        lutimesSync(abs, new Date(), new Date(mtimeMs))
      }),
    setExec: (path, exec) =>
      attempt('setExec', path, async (abs) => chmodSync(abs, withExec(lstatFile(abs).mode, exec))),
  }
  localRoots.set(storage, { absolute, throughFolders })
  return storage
}

/** The root as a folder, through a symlink if it is one; a link to something else is what it points to. */
const statRoot = async (abs: FsPath): Promise<Found | null> => {
  try {
    const st = await fs.stat(abs)
    return foundOf(abs, st)
  } catch (err) {
    if (!isAbsent(err)) throw err
    // A dangling link is not a missing root: it is a link, and says where it points.
    return statAt(abs)
  }
}
