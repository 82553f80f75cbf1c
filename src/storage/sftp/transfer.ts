import type { Stats } from 'ssh2'
import { CHANGED_WHILE_READ } from '../storage.ts'
import type { Lease } from './connection.ts'
import { fail } from './sftp-errors.ts'

/**
 * Reads and writes with many requests in flight on one handle, as OpenSSH's sftp client does: one round
 * trip per request would make a transfer as slow as the link's latency allows, whatever its bandwidth.
 */
export interface Pipeline {
  /** Bytes per request at most; the server's own limit (limits@openssh.com) may be lower. */
  readonly chunk: number
  /** Requests in flight at once. */
  readonly depth: number
}

const quiet = <A>(promise: Promise<A>): Promise<A> => {
  // Requests run ahead of the reader; one that fails after the reader stopped must not go unhandled.
  promise.catch(() => undefined)
  return promise
}

const readAt = (lease: Lease, handle: Buffer, offset: number, length: number): Promise<Buffer> =>
  quiet(
    lease.call<Buffer>((done) =>
      lease.sftp.read(handle, Buffer.allocUnsafe(length), 0, length, offset, (error, bytesRead, buffer) =>
        done(error, buffer?.subarray(0, bytesRead)),
      ),
    ),
  )

export const fstatOf = (lease: Lease, handle: Buffer): Promise<Stats> =>
  lease.call<Stats>((done) => lease.sftp.fstat(handle, done))

export const closeHandle = (lease: Lease, handle: Buffer): Promise<void> =>
  lease.call<void>((done) => lease.sftp.close(handle, done))

const changedWhileRead = (): never => fail(CHANGED_WHILE_READ, 'the file changed while it was read')

/**
 * The bytes of an open file of `size` bytes, in order. Past the end, one more byte is asked for, and the
 * handle is looked at again, in the same flight as the last reads: a file that grew, shrank or got a new
 * mtime while it was read fails with ECHANGED.
 */
export async function* readChunks(
  lease: Lease,
  handle: Buffer,
  before: Stats,
  pipeline: Pipeline,
): AsyncGenerator<Uint8Array> {
  const size = before.size
  const chunk = Math.min(pipeline.chunk, lease.maxRequest.read)
  type Request = { readonly offset: number; readonly length: number; readonly data: Promise<Buffer> }
  const queue: Request[] = []
  let next = 0
  let after: Promise<Stats> | undefined
  let beyond: Promise<Buffer> | undefined
  const fill = (): void => {
    while (queue.length < pipeline.depth && next < size) {
      const length = Math.min(chunk, size - next)
      queue.push({ offset: next, length, data: readAt(lease, handle, next, length) })
      next += length
    }
    if (next >= size && beyond === undefined) {
      beyond = readAt(lease, handle, size, 1)
      after = quiet(fstatOf(lease, handle))
    }
  }
  fill()
  for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
    let data = await request.data
    // A server may answer with fewer bytes than asked; the rest is asked for before going on.
    while (data.length < request.length) {
      const more = await readAt(lease, handle, request.offset + data.length, request.length - data.length)
      if (more.length === 0) changedWhileRead()
      data = Buffer.concat([data, more])
    }
    fill()
    yield data
  }
  fill()
  if (((await beyond)?.length ?? 0) > 0) changedWhileRead()
  const now = await after
  if (now === undefined || now.size !== before.size || now.mtime !== before.mtime) changedWhileRead()
}

const writeAt = (lease: Lease, handle: Buffer, data: Uint8Array, offset: number): Promise<void> =>
  quiet(
    lease.call<void>((done) => {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length)
      lease.sftp.write(handle, buffer, 0, buffer.length, offset, (error) => done(error))
    }),
  )

/**
 * Writes everything `data` yields at increasing offsets, with up to `depth` writes unanswered. The source
 * is pulled only when there is room, so a slow server slows the reader instead of filling memory.
 */
export const writeChunks = async (
  lease: Lease,
  handle: Buffer,
  data: AsyncIterable<Uint8Array>,
  pipeline: Pipeline,
): Promise<number> => {
  const inFlight = new Set<Promise<void>>()
  const most = Math.min(pipeline.chunk, lease.maxRequest.write)
  let offset = 0
  let failure: { readonly error: unknown } | undefined
  const send = (piece: Uint8Array, at: number): void => {
    const write = writeAt(lease, handle, piece, at).then(
      () => {
        inFlight.delete(write)
      },
      (error: unknown) => {
        inFlight.delete(write)
        failure ??= { error }
      },
    )
    inFlight.add(write)
  }
  for await (const chunk of data) {
    for (let start = 0; start < chunk.length; start += most) {
      while (inFlight.size >= pipeline.depth) await Promise.race(inFlight)
      if (failure !== undefined) throw failure.error
      const piece = chunk.subarray(start, Math.min(chunk.length, start + most))
      send(piece, offset)
      offset += piece.length
    }
  }
  await Promise.all(inFlight)
  if (failure !== undefined) throw failure.error
  return offset
}
