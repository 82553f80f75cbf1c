/** Opening a file for reading, writing a temporary file whole, and moving it over its real name. */
import type { Stats } from 'ssh2'
import type { Opened, WriteMeta } from '../storage.ts'
import type { Lease } from './connection.ts'
import { fileEntryOf, kindOf, lstatAt, toSeconds, unlinkAt } from './remote-files.ts'
import { fail } from './sftp-errors.ts'
import { closeHandle, fstatOf, type Pipeline, readChunks, writeChunks } from './transfer.ts'

/** Opens the regular file at `abs`; the lease goes with the stream, released when it ends. */
export const openFile = async (lease: Lease, abs: string, pipeline: Pipeline): Promise<Opened> => {
  // The server follows a link when it opens a file: look at the path itself, in the same flight.
  const [st, handle] = await Promise.all([
    lstatAt(lease, abs),
    lease.call<Buffer>((done) => lease.sftp.open(abs, 'r', done)).catch((error: unknown) => error as Error),
  ])
  const refuse = async (code: string, message: string): Promise<never> => {
    if (Buffer.isBuffer(handle)) await closeHandle(lease, handle).catch(() => undefined)
    return fail(code, message)
  }
  if (st === null) return refuse('ENOENT', 'no such file or directory')
  const kind = kindOf(st.mode)
  if (kind === 'dir') return refuse('EISDIR', 'illegal operation on a directory')
  if (kind === 'symlink') return refuse('ELOOP', 'is a symbolic link, which is never followed')
  if (kind !== 'file') return refuse('EINVAL', 'not a regular file')
  if (!Buffer.isBuffer(handle)) throw handle
  const before = await fstatOf(lease, handle).catch(async (error: unknown) => {
    await closeHandle(lease, handle).catch(() => undefined)
    throw error
  })
  if (kindOf(before.mode) !== 'file') return refuse('EINVAL', 'not a regular file')
  return { entry: fileEntryOf(before), data: streamOf(lease, handle, before, pipeline) }
}

/**
 * The bytes of an open file. The lease is held until the stream ends, is abandoned (`return`), or fails;
 * `return` before the first read closes the handle too, which a bare generator would not.
 */
const streamOf = (
  lease: Lease,
  handle: Buffer,
  before: Stats,
  pipeline: Pipeline,
): AsyncIterable<Uint8Array> => {
  let closed = false
  const finish = async (): Promise<void> => {
    if (closed) return
    closed = true
    await closeHandle(lease, handle).catch(() => undefined)
    lease.release()
  }
  const chunks = readChunks(lease, handle, before, pipeline)
  const stream: AsyncGenerator<Uint8Array> = {
    next: async () => {
      try {
        const step = await chunks.next()
        if (step.done === true) await finish()
        return step
      } catch (error) {
        await finish()
        throw error
      }
    },
    return: async () => {
      await chunks.return(undefined)
      await finish()
      return { done: true, value: undefined }
    },
    throw: async (error: unknown) => {
      await finish()
      throw error
    },
    [Symbol.asyncIterator]: () => stream,
  }
  return stream
}

/**
 * Writes the temporary file whole, with its mtime and mode. On failure the caller removes it (which a
 * dropped connection may not allow yet).
 */
export const writeTemp = async (
  lease: Lease,
  temp: string,
  data: AsyncIterable<Uint8Array>,
  meta: WriteMeta,
  pipeline: Pipeline,
): Promise<void> => {
  // New files get the usual mode (0666, or 0777 when executable) less the server's umask, like cp.
  const handle = await lease.call<Buffer>((done) =>
    lease.sftp.open(temp, 'wx', { mode: meta.exec ? 0o777 : 0o666 }, done),
  )
  try {
    await writeChunks(lease, handle, data, pipeline)
    const mtime = toSeconds(meta.mtimeMs)
    await lease.call<void>((done) => lease.sftp.futimes(handle, mtime, mtime, done))
    await closeHandle(lease, handle)
  } catch (error) {
    await closeHandle(lease, handle).catch(() => undefined)
    throw error
  }
}

/** Moves a staged entry over its real name in one step where the server can (posix-rename@openssh.com). */
export const replaceWith = async (lease: Lease, temp: string, abs: string): Promise<void> => {
  const there = await lstatAt(lease, abs)
  if (there !== null && kindOf(there.mode) === 'dir') fail('EISDIR', 'illegal operation on a directory')
  if (lease.hasExtension('posix-rename@openssh.com'))
    return lease.call<void>((done) => lease.sftp.ext_openssh_rename(temp, abs, done))
  // Plain SFTP rename never replaces: the old file goes first, which leaves a moment with neither.
  if (there !== null) await unlinkAt(lease, abs)
  return lease.call<void>((done) => lease.sftp.rename(temp, abs, done))
}
