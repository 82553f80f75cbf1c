import { link, mkdir, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { isRunning } from '../storage/pid.ts'
import { TEMP_PREFIX, TEMP_SUFFIX } from '../storage/storage.ts'
import { checkOwnFolder, type OwnFileError, readOwnFile } from './regular-file.ts'

export type LockError =
  | OwnFileError
  | {
      readonly _tag: 'LockHeld'
      readonly file: string
      readonly pid: number
      readonly host: string
      readonly since: string
    }
  | {
      /** Not a lock any apply writes (see `acquireLock`), and too new to be sure it is a leftover. */
      readonly _tag: 'LockDamaged'
      readonly file: string
      readonly why: string
    }
  | { readonly _tag: 'LockFailed'; readonly file: string; readonly code: string; readonly message: string }

/** A process id that names one process: `kill(0)` or a negative pid would signal a whole group. */
const Pid = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a process id')
const Holder = t.type({ pid: Pid, host: t.string, since: t.string })
type Holder = t.TypeOf<typeof Holder>

export const lockFileOf = (stateFile: string): string => `${stateFile}.lock`

/**
 * A lock file that is empty or not a holder was never a live lock of this program, which makes its lock
 * whole before linking it into place. It may be a leftover (a crash before the disk had its bytes, a
 * hand-made file) or the lock of an older version that wrote in place: one older than this is a leftover.
 */
const DAMAGED_GRACE_MS = 5000

type Reading =
  | { readonly kind: 'none' }
  | { readonly kind: 'holder'; readonly holder: Holder }
  | { readonly kind: 'damaged'; readonly why: string; readonly ageMs: number }

const readLock = async (file: string, now: number): Promise<E.Either<LockError, Reading>> => {
  const read = await readOwnFile(file, 'lock file', ({ code, message }) => ({
    _tag: 'LockFailed' as const,
    file,
    code,
    message,
  }))
  if (E.isLeft(read)) return read
  if (read.right === null) return E.right({ kind: 'none' })
  const text = read.right
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const holder = Holder.decode(json)
  if (E.isRight(holder)) return E.right({ kind: 'holder', holder: holder.right })
  const why =
    text.trim() === '' ? 'it is empty' : json === undefined ? 'it is not JSON' : 'it names no process'
  const ageMs = await stat(file).then(
    (s) => now - s.mtimeMs,
    () => Number.POSITIVE_INFINITY,
  )
  return E.right({ kind: 'damaged', why, ageMs })
}

/**
 * One apply at a time per pair: a lock file beside the state, created only if absent, holding the pid
 * and host of its owner. A lock whose owner died on this host is stale and taken over, and so is a
 * damaged one (empty, not JSON) unless it was written moments ago; a lock from another host is
 * respected, since its owner cannot be checked. Returns the release.
 */
export const acquireLock = async (
  file: string,
  now: () => Date = () => new Date(),
): Promise<E.Either<LockError, () => Promise<void>>> => {
  const me = { pid: process.pid, host: hostname(), since: now().toISOString() }
  const folder = await checkOwnFolder(file, 'lock file')
  if (folder !== undefined) return E.left(folder)
  await mkdir(dirname(file), { recursive: true }).catch(() => undefined)
  for (let attempt = 0; attempt < 3; attempt++) {
    // The lock appears whole or not at all: written beside it, then linked into place (link fails when
    // the name is taken), so no one ever reads a lock file its owner is still writing.
    // Named as a staged write, so a snapshot of a root holding the state never lists it.
    const draft = join(dirname(file), `${TEMP_PREFIX}lock-${process.pid}-${attempt}${TEMP_SUFFIX}`)
    try {
      await writeFile(draft, JSON.stringify(me), { mode: 0o600 })
      await link(draft, file)
      return E.right(() => unlink(file).catch(() => undefined))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
      if (code !== 'EEXIST')
        return E.left({ _tag: 'LockFailed', file, code, message: (error as Error).message })
    } finally {
      await unlink(draft).catch(() => undefined)
    }
    const found = await readLock(file, now().getTime())
    if (E.isLeft(found)) return found
    const lock = found.right
    if (lock.kind === 'holder') {
      const { pid, host, since } = lock.holder
      if (host !== me.host || isRunning(pid)) return E.left({ _tag: 'LockHeld', file, pid, host, since })
    } else if (lock.kind === 'damaged' && lock.ageMs < DAMAGED_GRACE_MS)
      return E.left({ _tag: 'LockDamaged', file, why: lock.why })
    // Gone meanwhile, a dead owner on this host, or a damaged leftover: take it over.
    if (lock.kind !== 'none') await unlink(file).catch(() => undefined)
  }
  return E.left({ _tag: 'LockFailed', file, code: 'EAGAIN', message: 'the lock kept changing hands' })
}

export type LockStatus =
  | {
      readonly kind: 'held'
      readonly pid: number
      readonly host: string
      readonly since: string
      /** False for a lock from this host whose process is gone: the next apply takes it over. */
      readonly alive: boolean
    }
  | {
      readonly kind: 'damaged'
      readonly why: string
      /** Whether the next apply takes it over (it is no live lock), or refuses it for now. */
      readonly takenOver: boolean
    }

/** Who holds the lock, if anyone; a lock file that is not a lock is reported as such. */
export const lockHolder = async (
  file: string,
  now: number = Date.now(),
): Promise<E.Either<LockError, LockStatus | null>> => {
  const found = await readLock(file, now)
  if (E.isLeft(found)) return found
  const lock = found.right
  switch (lock.kind) {
    case 'none':
      return E.right(null)
    case 'damaged':
      return E.right({ kind: 'damaged', why: lock.why, takenOver: lock.ageMs >= DAMAGED_GRACE_MS })
    case 'holder': {
      const { pid, host, since } = lock.holder
      return E.right({ kind: 'held', pid, host, since, alive: host !== hostname() || isRunning(pid) })
    }
  }
}
