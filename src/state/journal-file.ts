import { closeSync, constants, fstatSync, fsync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Journal } from '../apply/apply.ts'
import { pathsOf, targetOfAction } from '../core/action.ts'
import { ActionOutcome, StateRef, succeeded } from '../core/outcome.ts'
import { parentOf, RelPath } from '../core/rel-path.ts'
import type { Settled } from '../core/settle.ts'
import { Side } from '../core/side.ts'
import { type OwnFileError, readOwnFile } from './regular-file.ts'

/**
 * The journal of an apply in progress: one JSON line per event, beside the state (`<state>.journal`).
 * `begin` is written before an action touches anything, `done` after, with what it left; lines are
 * flushed to disk in batches. After a crash the journal lets the same plan resume where it stopped, or
 * lets the next plan fold what finished into the state, so the state is never far behind the storage
 * and never ahead of it.
 */

export const JournalHeader = t.intersection([
  t.type({
    format: t.literal('syncengine-journal'),
    version: t.literal(1),
    /** The digest of the plan being applied. */
    plan: t.string,
    /** The state the plan was made against. */
    base: t.union([StateRef, t.null]),
  }),
  t.partial({
    /** The tag of the temporary names this apply makes (see `tempName`), written before any exists. */
    token: t.string,
  }),
])
export type JournalHeader = t.TypeOf<typeof JournalHeader>

const BeginLine = t.type({ begin: t.number, side: Side, folder: t.string })
const DoneLine = t.type({ done: t.number, paths: t.readonlyArray(RelPath), outcome: ActionOutcome })
/** An interrupted apply saved the state it reached: this plan may continue from that state. */
const CheckpointLine = t.type({ checkpoint: StateRef })
/** A resumed apply's tag for its temporary names, written before it makes any. */
const TokenLine = t.type({ token: t.string })

export interface JournalContent {
  readonly header: JournalHeader
  /** Folders where an action began and did not finish: a staged write may be left there. */
  readonly unfinished: ReadonlyArray<{ readonly side: Side; readonly folder: string }>
  readonly done: ReadonlyMap<
    number,
    { readonly paths: ReadonlyArray<RelPath>; readonly outcome: ActionOutcome }
  >
  /** The states this plan's applies saved, oldest first: the plan may continue from any of them. */
  readonly checkpoints: ReadonlyArray<StateRef>
  /** Actions finished after the last checkpoint: in no saved state yet. */
  readonly pending: number
  /** The tags of the temporary names the applies of this journal made: only those are cleaned up. */
  readonly tokens: ReadonlyArray<string>
}

export type JournalError =
  | OwnFileError
  | { readonly _tag: 'JournalCorrupt'; readonly file: string; readonly message: string }
  | {
      readonly _tag: 'JournalUnreadable'
      readonly file: string
      readonly code: string
      readonly message: string
    }

export const journalFileOf = (stateFile: string): string => `${stateFile}.journal`

/** The journal left by an apply that did not finish, or null when there is none. */
export const readJournal = async (file: string): Promise<E.Either<JournalError, JournalContent | null>> => {
  const read = await readOwnFile(file, 'journal', ({ code, message }) => ({
    _tag: 'JournalUnreadable' as const,
    file,
    code,
    message,
  }))
  if (E.isLeft(read)) return read
  const text = read.right
  if (text === null) return E.right(null)
  const lines = text.split('\n')
  // A crash can cut a line short, and the next apply goes on after it on a line of its own. Half a line
  // is a record never completed: its action counts as not done, and is checked again before it runs.
  const parsed: unknown[] = []
  for (const line of lines) {
    if (line.trim() === '') continue
    try {
      parsed.push(JSON.parse(line))
    } catch {}
  }
  // Nothing was written (a crash right after the file was made): nothing began.
  if (parsed.length === 0) return E.right(null)
  const header = JournalHeader.decode(parsed[0])
  if (E.isLeft(header)) return E.left({ _tag: 'JournalCorrupt', file, message: 'no valid header' })
  const begun = new Map<number, { side: Side; folder: string }>()
  const done = new Map<number, { paths: ReadonlyArray<RelPath>; outcome: ActionOutcome }>()
  const checkpoints: Array<StateRef> = []
  const tokens: string[] = header.right.token === undefined ? [] : [header.right.token]
  // A failed action may have left its staged write too: a remote storage cannot remove it while the
  // connection that failed is down.
  const failed = new Set<number>()
  let pending = 0
  for (const [i, line] of parsed.slice(1).entries()) {
    if (BeginLine.is(line)) begun.set(line.begin, { side: line.side, folder: line.folder })
    else if (DoneLine.is(line)) {
      done.set(line.done, { paths: line.paths, outcome: line.outcome })
      if (line.outcome.status === 'failed') failed.add(line.done)
      pending++
    } else if (CheckpointLine.is(line)) {
      checkpoints.push(line.checkpoint)
      pending = 0
    } else if (TokenLine.is(line)) tokens.push(line.token)
    else return E.left({ _tag: 'JournalCorrupt', file, message: `line ${i + 2} is not a journal line` })
  }
  const unfinished = [...begun]
    .filter(([index]) => !done.has(index) || failed.has(index))
    .map(([, where]) => where)
  return E.right({ header: header.right, unfinished, done, checkpoints, pending, tokens })
}

export const settledFromJournal = (content: JournalContent): ReadonlyArray<Settled> =>
  [...content.done.values()].map(({ paths, outcome }) => ({
    paths,
    ok: succeeded(outcome),
    effects: succeeded(outcome) ? outcome.effects : [],
  }))

export interface JournalWriter extends Journal {
  readonly checkpoint: (state: StateRef) => Promise<void>
  readonly close: () => Promise<void>
  /** The write that failed (a full disk, a read-only file system), if one did; nothing is written after it. */
  readonly failure: () => JournalWriteFailure | undefined
}

export interface JournalWriteFailure {
  readonly file: string
  readonly code: string
  readonly message: string
}

type Serial = StateRef

/** Whether `state` is where the journal's plan started, or one that plan saved on the way. */
export const continuesFrom = (content: JournalContent, state: Serial | null): boolean => {
  const same = (a: Serial | null): boolean =>
    a === null || state === null ? a === state : a.lineage === state.lineage && a.serial === state.serial
  return same(content.header.base) || content.checkpoints.some(same)
}

/** Whether `state` is the last one the journal's plan saved, with nothing done since. */
export const endsAt = (content: JournalContent, state: Serial | null): boolean => {
  const last = content.checkpoints.at(-1)
  return (
    content.pending === 0 &&
    last !== undefined &&
    state !== null &&
    last.lineage === state.lineage &&
    last.serial === state.serial
  )
}

/** Lines between two flushes to the disk, at most; and no more than one flush a second in between. */
const FLUSH_EVERY = 64
const FLUSH_INTERVAL_MS = 1000

/**
 * Appends to the journal, creating it with `header` on the first line written. Each line is handed to the
 * kernel at once, with a synchronous write (so a killed process loses nothing written, and a line costs
 * a system call, not a trip through the thread pool); lines go to the disk every 64 lines once a second
 * has passed since the last flush, and at every checkpoint. A power cut can lose the last lines: an
 * action whose `done` is lost is checked again and found done; one whose `begin` is lost left at most a
 * staged write named with the token, which the header (flushed first) names.
 */
export const journalWriter = (
  file: string,
  header: JournalHeader,
  append: boolean,
  /** Called once when a write fails: the apply must stop starting actions the journal cannot record. */
  onFailure: (failure: JournalWriteFailure) => void = () => undefined,
): JournalWriter => {
  let fd: number | undefined
  let unflushed = 0
  let flushedAt = 0
  let flushing: Promise<void> = Promise.resolve()
  let failed: JournalWriteFailure | undefined
  const opened = (): number => {
    if (fd !== undefined) return fd
    // Without blocking: a FIFO put there since the journal was read must not hang the apply.
    const flags = append
      ? constants.O_RDWR | constants.O_CREAT | constants.O_APPEND
      : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC
    const f = openSync(file, flags | constants.O_NONBLOCK, 0o600)
    fd = f
    const { size } = fstatSync(f)
    if (!fstatSync(f).isFile())
      throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' })
    if (!append) writeSync(f, `${JSON.stringify(header)}\n`)
    else {
      // A crash may have cut the last line short: the next line must start on its own.
      const last = Buffer.alloc(1)
      if (size > 0 && readSync(f, last, 0, 1, size - 1) === 1 && last[0] !== 10) writeSync(f, '\n')
      if (header.token !== undefined) writeSync(f, `${JSON.stringify({ token: header.token })}\n`)
    }
    fsyncSync(f)
    flushedAt = Date.now()
    return f
  }
  const fail = (error: unknown): void => {
    if (failed !== undefined) return
    failed = { file, code: (error as NodeJS.ErrnoException).code ?? 'EIO', message: (error as Error).message }
    onFailure(failed)
  }
  const flush = (f: number): Promise<void> => {
    unflushed = 0
    flushedAt = Date.now()
    flushing = flushing.then(
      () =>
        new Promise<void>((resolve) =>
          fsync(f, (error) => (error === null ? resolve() : resolve(fail(error)))),
        ),
    )
    return flushing
  }
  // After a failed write nothing more is written: a journal with a hole in it would tell a resumed apply
  // less than it thinks it knows.
  const write = async (line: unknown, force: boolean): Promise<void> => {
    if (failed !== undefined) return
    try {
      const f = opened()
      writeSync(f, `${JSON.stringify(line)}\n`)
      unflushed++
      if (force) return await flush(f)
      if (unflushed >= FLUSH_EVERY && Date.now() - flushedAt >= FLUSH_INTERVAL_MS) void flush(f)
    } catch (error) {
      fail(error)
    }
  }
  return {
    failure: () => failed,
    begin: (index, action) => {
      const { side, path } = targetOfAction(action)
      return write({ begin: index, side, folder: parentOf(path) }, false)
    },
    done: (index, { action, outcome }) => write({ done: index, paths: pathsOf(action), outcome }, false),
    checkpoint: (state) => write({ checkpoint: { lineage: state.lineage, serial: state.serial } }, true),
    close: async () => {
      if (fd === undefined) return
      const f = fd
      fd = undefined
      await flushing
      try {
        fsyncSync(f)
      } catch {}
      closeSync(f)
    },
  }
}

export const removeJournal = async (file: string): Promise<void> => {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}
