import { randomBytes } from 'node:crypto'
import { isAbsolute } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type ApplyError, type ApplyEvent, type ApplyReport, applyPlan } from '../apply/apply.ts'
import { backupIn } from '../apply/backup.ts'
import type { PauseGate } from '../apply/pause.ts'
import { progressTracker } from '../apply/progress.ts'
import type { RetryPolicy } from '../apply/retry.ts'
import type { ActionOutcome, StateRef } from '../core/outcome.ts'
import type { Plan } from '../core/plan-file.ts'
import type { ProgressListener } from '../core/progress-event.ts'
import type { Side } from '../core/side.ts'
import {
  type JournalError,
  type JournalWriteFailure,
  journalFileOf,
  journalWriter,
  readJournal,
  removeJournal,
} from '../state/journal-file.ts'
import { acquireLock, type LockError, lockFileOf } from '../state/lock-file.ts'
import { freshState, loadState, type StateError, saveState } from '../state/state-file.ts'
import { localStorage } from '../storage/local.ts'
import type { Sides } from '../storage/sides.ts'
import { planDigest } from './plan-file-io.ts'
import { locate, overlap } from './real-location.ts'
import { cleanStaged, recoverInterrupted } from './recover.ts'

/** An apply's report, with how many of its actions an earlier, interrupted apply of the plan had done. */
export interface PairReport extends ApplyReport {
  /**
   * Actions finished by the interrupted apply this one resumed (from the journal), not run again. The
   * counts take them as already done: `applied` is what this apply did.
   */
  readonly resumed: number
}

export type ApplyPairError =
  | ApplyError
  | StateError
  | LockError
  | JournalError
  | {
      readonly _tag: 'BackupInsideRoot'
      readonly side: Side
      readonly root: string
      readonly backupDir: string
    }
  | { readonly _tag: 'BackupDirNotAbsolute'; readonly backupDir: string }
  | {
      /** The plan was made against a state that is no longer there: nothing was applied. */
      readonly _tag: 'StateGone'
      readonly file: string
      readonly planned: StateRef
    }
  | {
      /**
       * What the apply did could not be recorded, though `report` says it ran: the journal could not be
       * written (a full disk), so the apply stopped starting actions and left the state as the journal
       * starts from; or the state could not be saved after it, and the journal keeps what was done.
       * Either way the same apply resumes.
       */
      readonly _tag: 'ApplyNotRecorded'
      readonly what: 'journal' | 'state file'
      readonly failure: JournalWriteFailure
      readonly report: PairReport
    }

export interface ApplyPairInput {
  readonly plan: Plan
  readonly sides: Sides
  readonly stateFile: string
  readonly onEvent?: (event: ApplyEvent) => void
  /** Progress for people and programs: transfers with bytes, speed and ETA, moves, deletes (see ProgressEvent). */
  readonly onProgress?: ProgressListener
  /** Holds back new actions while paused (the ones running finish). */
  readonly pause?: PauseGate
  readonly signal?: AbortSignal
  readonly retry?: RetryPolicy
  readonly transfers?: number
  /** The clock, for the names of backups. */
  readonly now?: () => Date
}

const stampOf = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)

/**
 * Applies a plan to a pair: takes the pair's lock, resumes the same plan's interrupted apply if its journal
 * is there (or folds another plan's into the state first), applies, and saves what really happened. An
 * apply stopped by `signal` saves its progress and keeps the journal, so running it again completes it.
 */
export const applyPair =
  (input: ApplyPairInput): TE.TaskEither<ApplyPairError, PairReport> =>
  async () => {
    const release = await acquireLock(lockFileOf(input.stateFile))
    if (E.isLeft(release)) return release
    try {
      return await applyLocked(input)
    } finally {
      await release.right()
    }
  }

const applyLocked = async (input: ApplyPairInput): Promise<E.Either<ApplyPairError, PairReport>> => {
  const { plan, sides, stateFile } = input
  const roots = { source: plan.source.root, destination: plan.destination.root }
  const journalFile = journalFileOf(stateFile)
  const digest = planDigest(plan)
  const misplaced = await backupInsideRoot(plan)
  if (misplaced !== undefined) return E.left(misplaced)

  const leftover = await readJournal(journalFile)
  if (E.isLeft(leftover)) return leftover
  let resumed: ReadonlyMap<number, ActionOutcome> | undefined
  let checkpoints: ReadonlyArray<StateRef> = []
  if (leftover.right !== null && leftover.right.header.plan === digest) {
    resumed = new Map([...leftover.right.done].map(([index, { outcome }]) => [index, outcome]))
    checkpoints = leftover.right.checkpoints
    await cleanStaged(sides, leftover.right)
  } else if (leftover.right !== null) {
    // Another plan's apply was interrupted. What it did goes into the state first (which makes this
    // plan stale if it was made before that); a journal that ends at the state is kept, so its plan
    // can still be resumed unless this one goes ahead.
    const recovered = await recoverInterrupted(stateFile, roots, sides, leftover.right)
    if (E.isLeft(recovered)) return recovered
  }

  const current = await loadState(stateFile, roots)()
  if (E.isLeft(current)) return current
  // Not "another apply ran": the file the plan was made against is not there at all.
  if (plan.state !== null && current.right === null)
    return E.left({ _tag: 'StateGone', file: stateFile, planned: plan.state })
  const token = randomBytes(8).toString('hex')
  // Stops the apply when asked to, or when the journal can no longer record what it does.
  const stop = new AbortController()
  const abort = () => stop.abort()
  if (input.signal?.aborted === true) abort()
  input.signal?.addEventListener('abort', abort, { once: true })
  const journal = journalWriter(
    journalFile,
    { format: 'syncengine-journal', version: 1, plan: digest, base: plan.state, token },
    resumed !== undefined,
    abort,
  )
  const now = input.now ?? (() => new Date())
  const tracker =
    input.onProgress === undefined ? undefined : progressTracker(plan, input.onProgress, Date.now)
  tracker?.start()
  const applied = await applyPlan(plan, sides, {
    current: current.right,
    fresh: () => freshState(roots.source, roots.destination),
    journal,
    token,
    ...(resumed === undefined ? {} : { resumed }),
    checkpoints,
    ...(tracker === undefined && input.onEvent === undefined
      ? {}
      : {
          onEvent: (event: ApplyEvent) => {
            tracker?.onApplyEvent(event)
            input.onEvent?.(event)
          },
        }),
    ...(tracker === undefined ? {} : { meter: tracker.meter }),
    ...(input.pause === undefined ? {} : { pause: input.pause }),
    signal: stop.signal,
    ...(input.retry === undefined ? {} : { retry: input.retry }),
    ...(input.transfers === undefined ? {} : { transfers: input.transfers }),
    ...(plan.policy.backupDir === null
      ? {}
      : { backup: backupIn(localStorage(plan.policy.backupDir), stampOf(now())) }),
  })()
  input.signal?.removeEventListener('abort', abort)
  if (E.isLeft(applied)) {
    // Refused before anything ran: the journal, ours or another plan's, is as it was.
    await journal.close()
    return applied
  }
  const report = withResumed(applied.right, resumed)
  tracker?.finish(report)
  const unwritable = journal.failure()
  if (unwritable !== undefined) {
    // The journal stops where its last write succeeded, and the state stays the one the journal starts
    // from: the same apply resumes (what ran after the failure is found already done), or the next plan
    // folds in what the journal recorded and sees the rest as alike on both sides.
    await journal.close()
    return E.left({ _tag: 'ApplyNotRecorded', what: 'journal', failure: unwritable, report })
  }
  // The checkpoint goes to disk before the state: a crash in between leaves a journal that still
  // names the state on disk (its base or an earlier checkpoint), so the same plan resumes.
  await journal.checkpoint(report.state)
  const failed = journal.failure()
  if (failed !== undefined) {
    await journal.close()
    return E.left({ _tag: 'ApplyNotRecorded', what: 'journal', failure: failed, report })
  }
  const saved = await saveState(stateFile, report.state)()
  await journal.close()
  if (E.isLeft(saved))
    return saved.left._tag === 'StateUnwritable'
      ? E.left({ _tag: 'ApplyNotRecorded', what: 'state file', failure: saved.left, report })
      : saved
  if (report.notStarted === 0) await removeJournal(journalFile)
  return E.right(report)
}

/** The report with the actions an interrupted apply finished counted as already done, not applied again. */
const withResumed = (
  report: ApplyReport,
  resumed: ReadonlyMap<number, ActionOutcome> | undefined,
): PairReport => {
  if (resumed === undefined) return { ...report, resumed: 0 }
  // The applier hands a resumed action's outcome back as it was: the same object.
  const earlier = new Set<ActionOutcome>(resumed.values())
  const reused = report.finished.filter(({ outcome }) => earlier.has(outcome))
  const reusedApplied = reused.filter(({ outcome }) => outcome.status === 'applied').length
  return {
    ...report,
    counts: {
      ...report.counts,
      applied: report.counts.applied - reusedApplied,
      alreadyDone: report.counts.alreadyDone + reusedApplied,
    },
    resumed: reused.length,
  }
}

/**
 * A backup folder inside a synced root would sync its own backups, and a root inside it would be
 * backed up into itself: refused, even in a hand-edited plan, by where the folders really are.
 */
const backupInsideRoot = async (plan: Plan): Promise<ApplyPairError | undefined> => {
  const dir = plan.policy.backupDir
  if (dir === null) return undefined
  if (!isAbsolute(dir)) return { _tag: 'BackupDirNotAbsolute', backupDir: dir }
  const backups = await locate(dir)
  for (const side of ['source', 'destination'] as const) {
    const root = plan[side].root
    if (isAbsolute(root) && overlap(await locate(root), backups))
      return { _tag: 'BackupInsideRoot', side, root, backupDir: dir }
  }
  return undefined
}
