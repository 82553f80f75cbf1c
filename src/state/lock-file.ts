import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { isRunning } from '../storage/pid.ts'
import { TEMP_PREFIX, TEMP_SUFFIX } from '../storage/storage.ts'

export type LockError =
  | {
      readonly _tag: 'LockHeld'
      readonly file: string
      readonly pid: number
      readonly host: string
      readonly since: string
    }
  | { readonly _tag: 'LockFailed'; readonly file: string; readonly message: string }

const Holder = t.type({ pid: t.number, host: t.string, since: t.string })

export const lockFileOf = (stateFile: string): string => `${stateFile}.lock`

/**
 * One apply at a time per pair: a lock file beside the state, created only if absent, holding the pid
 * and host of its owner. A lock whose owner died on this host is stale and taken over; a lock from
 * another host is respected, since its owner cannot be checked. Returns the release.
 */
export const acquireLock = async (
  file: string,
  now: () => Date = () => new Date(),
): Promise<E.Either<LockError, () => Promise<void>>> => {
  const me = { pid: process.pid, host: hostname(), since: now().toISOString() }
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
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        return E.left({ _tag: 'LockFailed', file, message: (error as Error).message })
    } finally {
      await unlink(draft).catch(() => undefined)
    }
    const holder = await readFile(file, 'utf8')
      .then((text) => Holder.decode(JSON.parse(text)))
      .catch(() => E.left([]))
    if (E.isRight(holder)) {
      const { pid, host, since } = holder.right
      if (host !== me.host || isRunning(pid)) return E.left({ _tag: 'LockHeld', file, pid, host, since })
    } else {
      // Unreadable, though written whole: damaged. Give a lock a moment before taking it over all the same.
      const age = await stat(file)
        .then((s) => Date.now() - s.mtimeMs)
        .catch(() => Number.POSITIVE_INFINITY)
      if (age < 5000) return E.left({ _tag: 'LockHeld', file, pid: 0, host: 'unknown', since: 'just now' })
    }
    // Dead owner on this host, or a lock file cut short by a crash: take it over.
    await unlink(file).catch(() => undefined)
  }
  return E.left({ _tag: 'LockFailed', file, message: 'the lock kept changing hands' })
}

/**
 * Who holds the lock, if anyone, and whether that process is alive: a lock from this host whose process
 * is gone is stale (the next apply takes it over).
 */
export const lockHolder = async (
  file: string,
): Promise<{
  readonly pid: number
  readonly host: string
  readonly since: string
  readonly alive: boolean
} | null> => {
  const holder = await readFile(file, 'utf8')
    .then((text) => Holder.decode(JSON.parse(text)))
    .catch(() => undefined)
  if (holder === undefined) return null
  if (E.isLeft(holder)) return { pid: 0, host: 'unknown', since: 'unknown', alive: true }
  const { pid, host, since } = holder.right
  return { pid, host, since, alive: host !== hostname() || isRunning(pid) }
}
