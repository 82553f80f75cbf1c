import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type {
  Action,
  CloneAction,
  CopyAction,
  DeleteAction,
  MetaAction,
  MkdirAction,
  MoveAction,
} from '../core/action.ts'
import { type Comparison, sameAcross, sameOnSide } from '../core/compare.ts'
import { dir, type Entry } from '../core/entry.ts'
import type { ActionOutcome, Effect } from '../core/outcome.ts'
import type { RelPath } from '../core/rel-path.ts'
import { fromOf, otherSide, type Side, targetOf } from '../core/side.ts'
import { type Sides, storageOn } from '../storage/sides.ts'
import {
  CHANGED_SINCE_PLAN,
  CHANGED_WHILE_READ,
  type Copied,
  type Found,
  type Opened,
  type Staged,
  type Storage,
  type StorageError,
} from '../storage/storage.ts'
import type { Backup } from './backup.ts'

export interface RunContext {
  readonly sides: Sides
  readonly how: Comparison
  /** This apply's tag for temporary names (see `tempName`). */
  readonly token: string
  /** Where what a delete or an overwrite removes is kept first, when the plan asks for it. */
  readonly backup?: Backup
  /** Wraps the bytes of a transfer, to count them as they go. */
  readonly meter?: (action: CopyAction, data: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>
}

class Stop {
  readonly outcome: ActionOutcome
  constructor(outcome: ActionOutcome) {
    this.outcome = outcome
  }
}

const drifted = (why: string): never => {
  throw new Stop({ status: 'drifted', why })
}

/** Unwraps a storage result; a Left ends the action as failed. */
const must = async <A>(task: () => Promise<E.Either<StorageError, A>>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new Stop({ status: 'failed', error: result.left })
  return result.right
}

/** The entry as the plan would recognise it; fifos and the like never match. */
const matches = (expected: Entry | null, now: Found | null): boolean => {
  if (expected === null || now === null) return expected === now
  return now.kind !== 'special' && sameOnSide(expected, now)
}

const asEntry = (found: Found | null): Entry | null =>
  found === null || found.kind === 'special' ? null : found

/**
 * A file written from `source` holds its bytes, so it has its hash: the state keeps it, and the next
 * plan need not read the file to know it. A hash the target's storage gave itself stays: it is the one
 * that storage will offer next time.
 */
const withHash = (written: Entry | null, source: Entry): Entry | null =>
  written?.kind === 'file' &&
  written.hash === undefined &&
  source.kind === 'file' &&
  source.hash !== undefined &&
  written.size === source.size
    ? { ...written, hash: source.hash }
    : written

const changedOn = (side: Side, now: Found | null): string =>
  now === null ? `gone from ${side} since the plan was made` : `changed on ${side} since the plan was made`

/**
 * Stages a copy of the file at `fromPath`. The version read is the one the plan expects (`entry`), or the
 * copy is drift; the copy gets that version's mtime and exec bit, and the version is returned, so what is
 * written, its metadata and what the state records all come from one look at the file. Where the target
 * storage can copy from the source storage itself (two local folders: the kernel's copy), it does;
 * otherwise the bytes stream from `read` through `write`.
 */
const stageCopy = async (
  fromStorage: Storage,
  fromPath: RelPath,
  entry: Entry,
  side: Side,
  direct: TaskEither<StorageError, Copied | null> | undefined,
  write: (opened: Opened) => Promise<E.Either<StorageError, Staged>>,
): Promise<{ readonly staged: Staged; readonly read: Entry; readonly direct: boolean }> => {
  if (direct !== undefined) {
    const copied = await direct()
    if (E.isLeft(copied) && copied.left.code === CHANGED_WHILE_READ)
      return drifted(`changed on ${side} while it was copied`)
    if (E.isLeft(copied)) throw new Stop({ status: 'failed', error: copied.left })
    if (copied.right !== null) {
      if (matches(entry, copied.right.read)) return { ...copied.right, direct: true }
      await copied.right.staged.discard()()
      return drifted(changedOn(side, copied.right.read))
    }
  }
  const opened = await must(fromStorage.read(fromPath))
  if (!matches(entry, opened.entry)) {
    // Nothing was read: the iteration that would close the file never starts.
    await (opened.data as AsyncGenerator<Uint8Array>).return?.(undefined)
    return drifted(changedOn(side, opened.entry))
  }
  const staged = await write(opened)
  if (E.isLeft(staged) && staged.left.code === CHANGED_WHILE_READ)
    return drifted(`changed on ${side} while it was copied`)
  if (E.isLeft(staged)) throw new Stop({ status: 'failed', error: staged.left })
  return { staged: staged.right, read: opened.entry, direct: false }
}

export const runAction = async (action: Action, context: RunContext): Promise<ActionOutcome> => {
  try {
    switch (action.kind) {
      case 'copy':
        return await runCopy(action, context)
      case 'mkdir':
        return await runMkdir(action, context)
      case 'delete':
        return await runDelete(action, context)
      case 'move':
        return await runMove(action, context)
      case 'clone':
        return await runClone(action, context)
      case 'meta':
        return await runMeta(action, context)
    }
  } catch (error) {
    if (error instanceof Stop) return error.outcome
    throw error
  }
}

const runCopy = async (
  action: CopyAction,
  { sides, how, meter, backup, token }: RunContext,
): Promise<ActionOutcome> => {
  const from = fromOf(action.direction)
  const target = targetOf(action.direction)
  const fromStorage = storageOn(sides, from)
  const targetStorage = storageOn(sides, target)
  const { path, entry, replaces } = action
  const fromPath = action.from ?? path
  // The source is looked at where a copy would not look at it anyway: a file's copy checks the version
  // it reads against the plan's, before and after, so a stat of its own first would only repeat that.
  const sourceNow = async (): Promise<Found | null> => {
    const now = await must(fromStorage.stat(fromPath))
    return matches(entry, now) ? now : drifted(changedOn(from, now))
  }
  const targetNow = await must(targetStorage.stat(path))
  // A copy to another name says nothing of its from-path's state; only the written side is known.
  const effects = (written: Entry | null, read: Entry | null): ReadonlyArray<Effect> => [
    ...(fromPath === path ? [{ path, side: from, entry: withHash(read, entry) }] : []),
    { path, side: target, entry: withHash(written, entry) },
  ]
  // A forced copy replaces a file that is already the same; otherwise the same file there means done
  // (unless it is still the very version the copy is to replace: two files may share size and mtime).
  if (
    action.forced !== true &&
    !(replaces !== null && matches(replaces, targetNow)) &&
    targetNow !== null &&
    targetNow.kind !== 'special' &&
    sameAcross(entry, targetNow, how)
  )
    return { status: 'already-done', effects: effects(targetNow, asEntry(await sourceNow())) }
  if (!matches(replaces, targetNow)) {
    // Where both sides moved, the source's change is the one to report.
    await sourceNow()
    return drifted(
      targetNow === null
        ? `gone from ${target} since the plan was made`
        : `${target} holds a version nobody reviewed`,
    )
  }
  if (entry.kind !== 'file') await sourceNow()

  const { staged, read, direct } =
    entry.kind === 'symlink'
      ? {
          staged: await must(targetStorage.stageSymlink(path, entry.target, token)),
          read: entry,
          direct: false,
        }
      : entry.kind === 'file'
        ? await stageCopy(
            fromStorage,
            fromPath,
            entry,
            from,
            targetStorage.stageCopy?.(path, fromStorage, fromPath, token),
            (opened) => {
              const bytes = meter === undefined ? opened.data : meter(action, opened.data)
              const meta = { mtimeMs: opened.entry.mtimeMs, exec: opened.entry.exec }
              return targetStorage.stage(path, bytes, meta, token)()
            },
          ).catch(async (error: unknown) => {
            // A source gone since the plan fails the read: that is drift, not a failure.
            if (error instanceof Stop && error.outcome.status === 'failed') await sourceNow()
            throw error
          })
        : drifted('a folder cannot be copied as a file')
  // The copy took time: look again before it replaces anything under the real name. The kernel's copy
  // looked at its source again the moment it was done; a streamed one is looked at here.
  const recheck = async (): Promise<string | undefined> => {
    if (!direct) {
      const fromAfter = await must(fromStorage.stat(fromPath))
      if (!matches(entry, fromAfter)) return `changed on ${from} while it was copied`
    }
    const targetAfter = await must(targetStorage.stat(path))
    if (!matches(replaces, targetAfter)) return `changed on ${target} while it was copied`
    return undefined
  }
  const why = await recheck().catch(async (error) => {
    await staged.discard()()
    throw error
  })
  if (why !== undefined) {
    await staged.discard()()
    return drifted(why)
  }
  if (backup !== undefined && replaces !== null && replaces.kind !== 'dir') {
    const kept = await backup.keep(target, path, targetStorage, replaces, token)
    if (E.isLeft(kept)) {
      await staged.discard()()
      return { status: 'failed', error: kept.left }
    }
  }
  const written = await commitOver(staged, replaces, `changed on ${target} while it was copied`)
  return { status: 'applied', effects: effects(written, read) }
}

/**
 * Commits a staged write that may replace only `replaces` (null: nothing). A backend with conditional
 * writes checks that in the same request; a refusal is drift like any other check that fails.
 */
const commitOver = async (staged: Staged, replaces: Entry | null, why: string): Promise<Entry> => {
  const committed = await staged.commit(replaces)()
  if (E.isLeft(committed) && committed.left.code === CHANGED_SINCE_PLAN) {
    await staged.discard()()
    return drifted(why)
  }
  if (E.isLeft(committed)) throw new Stop({ status: 'failed', error: committed.left })
  return committed.right
}

const runMkdir = async (action: MkdirAction, { sides }: RunContext): Promise<ActionOutcome> => {
  const storage = storageOn(sides, action.side)
  const now = await must(storage.stat(action.path))
  const effects: ReadonlyArray<Effect> = [
    { path: action.path, side: action.side, entry: dir },
    { path: action.path, side: otherSide(action.side), entry: dir },
  ]
  if (now?.kind === 'dir') return { status: 'already-done', effects }
  if (now !== null) return drifted(`${action.side} has something else there since the plan was made`)
  await must(storage.mkdir(action.path))
  return { status: 'applied', effects }
}

const runDelete = async (
  action: DeleteAction,
  { sides, backup, token }: RunContext,
): Promise<ActionOutcome> => {
  const storage = storageOn(sides, action.side)
  const now = await must(storage.stat(action.path))
  const effects: ReadonlyArray<Effect> = [
    { path: action.path, side: action.side, entry: null },
    { path: action.path, side: otherSide(action.side), entry: null },
  ]
  if (now === null) return { status: 'already-done', effects }
  if (!matches(action.entry, now)) return drifted(changedOn(action.side, now))
  if (backup !== undefined && action.entry.kind !== 'dir') {
    const kept = await backup.keep(action.side, action.path, storage, action.entry, token)
    if (E.isLeft(kept)) return { status: 'failed', error: kept.left }
  }
  const removed = await storage.remove(action.path, action.entry)()
  if (E.isLeft(removed)) {
    if (removed.left.code === 'ENOTEMPTY') return drifted(`the folder on ${action.side} holds new files`)
    if (removed.left.code === CHANGED_SINCE_PLAN) return drifted(changedOn(action.side, now))
    return { status: 'failed', error: removed.left }
  }
  return { status: 'applied', effects }
}

const runMove = async (action: MoveAction, { sides }: RunContext): Promise<ActionOutcome> => {
  const storage = storageOn(sides, action.side)
  const fromNow = await must(storage.stat(action.from))
  const toNow = await must(storage.stat(action.to))
  // A move that repeats the other side's rename knows that side too: nothing at `from`, `peer` at `to`.
  const peer = action.peer
  const effects = (moved: Entry | null): ReadonlyArray<Effect> => [
    { path: action.from, side: action.side, entry: null },
    { path: action.to, side: action.side, entry: moved },
    ...(peer === undefined
      ? []
      : [
          { path: action.from, side: otherSide(action.side), entry: null },
          { path: action.to, side: otherSide(action.side), entry: peer },
        ]),
  ]
  if (fromNow === null && matches(action.entry, toNow))
    return { status: 'already-done', effects: effects(asEntry(toNow)) }
  if (!matches(action.entry, fromNow)) return drifted(changedOn(action.side, fromNow))
  // On a disk that ignores case, `to` finds the very entry being respelled: that is not a clash.
  const spelling = (p: string): string => p.normalize('NFC').toLowerCase()
  const itself =
    toNow?.kind === 'file' && fromNow?.kind === 'file'
      ? toNow.id !== undefined && toNow.id === fromNow.id
      : toNow?.kind === fromNow?.kind && spelling(action.from) === spelling(action.to)
  if (toNow !== null && !itself) return drifted(`${action.to} is taken on ${action.side}`)
  const renamed = await storage.rename(action.from, action.to)()
  if (E.isLeft(renamed)) {
    if (renamed.left.code === 'EEXIST') return drifted(`${action.to} is taken on ${action.side}`)
    return { status: 'failed', error: renamed.left }
  }
  // A file found elsewhere by its content may carry another mtime or exec bit than the other side's:
  // after the move it gets theirs, so both sides hold the same thing.
  const moved = await must(storage.stat(action.to))
  if (moved?.kind === 'file' && peer?.kind === 'file') {
    if (moved.mtimeMs !== peer.mtimeMs) await must(storage.setMtime(action.to, peer.mtimeMs))
    if (moved.exec !== peer.exec && storage.capabilities.execBit)
      await must(storage.setExec(action.to, peer.exec))
    return { status: 'applied', effects: effects(asEntry(await must(storage.stat(action.to)))) }
  }
  return { status: 'applied', effects: effects(asEntry(moved)) }
}

/** A copy within one side: read there, staged beside the target, committed once both ends still look right. */
const runClone = async (action: CloneAction, { sides, how, token }: RunContext): Promise<ActionOutcome> => {
  const storage = storageOn(sides, action.side)
  const { entry, from, to } = action
  const fromNow = await must(storage.stat(from))
  const toNow = await must(storage.stat(to))
  const peer = action.peer
  const effects = (written: Entry | null): ReadonlyArray<Effect> => [
    { path: to, side: action.side, entry: written },
    ...(peer === undefined ? [] : [{ path: to, side: otherSide(action.side), entry: peer }]),
  ]
  if (toNow !== null && toNow.kind !== 'special' && sameAcross(entry, toNow, how))
    return { status: 'already-done', effects: effects(toNow) }
  if (!matches(entry, fromNow)) return drifted(changedOn(action.side, fromNow))
  if (toNow !== null) return drifted(`${to} is taken on ${action.side}`)
  const { staged } =
    entry.kind === 'symlink'
      ? { staged: await must(storage.stageSymlink(to, entry.target, token)) }
      : entry.kind === 'file'
        ? await stageCopy(
            storage,
            from,
            entry,
            action.side,
            // The kernel's copy keeps the source's mtime and exec bit: only where the other side's are those.
            peer === undefined ||
              (peer.kind === 'file' &&
                entry.kind === 'file' &&
                peer.mtimeMs === entry.mtimeMs &&
                peer.exec === entry.exec)
              ? storage.stageCopy?.(to, storage, from, token)
              : undefined,
            (opened) => {
              // Written as the other side holds it, mtime and exec bit included.
              const like = peer?.kind === 'file' ? peer : opened.entry
              return storage.stage(to, opened.data, { mtimeMs: like.mtimeMs, exec: like.exec }, token)()
            },
          )
        : drifted('a folder cannot be copied as a file')
  const [fromAfter, toAfter] = [await storage.stat(from)(), await storage.stat(to)()]
  if (
    E.isLeft(fromAfter) ||
    E.isLeft(toAfter) ||
    !matches(entry, fromAfter.right) ||
    toAfter.right !== null
  ) {
    await staged.discard()()
    return drifted(`changed on ${action.side} while it was copied`)
  }
  const written = await commitOver(staged, null, `changed on ${action.side} while it was copied`)
  return { status: 'applied', effects: effects(withHash(written, entry)) }
}

/**
 * Sets a file's mtime and exec bit to the other side's, both sides still holding what the plan saw: the
 * bytes are the same, so nothing is sent.
 */
const runMeta = async (action: MetaAction, { sides, how }: RunContext): Promise<ActionOutcome> => {
  const storage = storageOn(sides, action.side)
  const other = otherSide(action.side)
  const { path, entry, peer } = action
  const peerNow = await must(storageOn(sides, other).stat(path))
  if (!matches(peer, peerNow)) return drifted(changedOn(other, peerNow))
  const now = await must(storage.stat(path))
  const effects = (written: Entry | null): ReadonlyArray<Effect> => [
    { path, side: action.side, entry: withHash(written, entry) },
    { path, side: other, entry: withHash(asEntry(peerNow), peer) },
  ]
  if (now !== null && now.kind !== 'special' && sameAcross(peer, now, how) && !matches(entry, now))
    return { status: 'already-done', effects: effects(now) }
  if (!matches(entry, now)) return drifted(changedOn(action.side, now))
  if (entry.kind !== 'file' || peer.kind !== 'file')
    return drifted('only a file has an mtime and exec bit to set')
  if (entry.mtimeMs !== peer.mtimeMs) await must(storage.setMtime(path, peer.mtimeMs))
  if (entry.exec !== peer.exec && storage.capabilities.execBit) await must(storage.setExec(path, peer.exec))
  return { status: 'applied', effects: effects(asEntry(await must(storage.stat(path)))) }
}
