import { randomBytes } from 'node:crypto'
import { isAbsolute, relative } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type ApplyError, type ApplyEvent, type ApplyReport, applyPlan } from '../apply/apply.ts'
import { backupIn } from '../apply/backup.ts'
import type { PauseGate } from '../apply/pause.ts'
import { progressTracker } from '../apply/progress.ts'
import type { ProgressListener } from '../apply/progress-event.ts'
import type { RetryPolicy } from '../apply/retry.ts'
import type { ActionOutcome } from '../apply/run-action.ts'
import type { Sides } from '../apply/sides.ts'
import type { Plan } from '../core/plan-file.ts'
import type { Side } from '../core/side.ts'
import {
  type JournalError,
  journalFileOf,
  journalWriter,
  readJournal,
  removeJournal,
} from '../state/journal-file.ts'
import { acquireLock, type LockError, lockFileOf } from '../state/lock-file.ts'
import { freshState, loadState, type StateError, saveState } from '../state/state-file.ts'
import { localStorage } from '../storage/local.ts'
import { planDigest } from './plan-file-io.ts'
import { cleanStaged, recoverInterrupted } from './recover.ts'

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
  (input: ApplyPairInput): TE.TaskEither<ApplyPairError, ApplyReport> =>
  async () => {
    const release = await acquireLock(lockFileOf(input.stateFile))
    if (E.isLeft(release)) return release
    try {
      return await applyLocked(input)
    } finally {
      await release.right()
    }
  }

const applyLocked = async (input: ApplyPairInput): Promise<E.Either<ApplyPairError, ApplyReport>> => {
  const { plan, sides, stateFile } = input
  const roots = { source: plan.source.root, destination: plan.destination.root }
  const journalFile = journalFileOf(stateFile)
  const digest = planDigest(plan)
  const misplaced = backupInsideRoot(plan)
  if (misplaced !== undefined) return E.left(misplaced)

  const leftover = await readJournal(journalFile)
  if (E.isLeft(leftover)) return leftover
  let resumed: ReadonlyMap<number, ActionOutcome> | undefined
  let checkpoints: ReadonlyArray<{ readonly lineage: string; readonly serial: number }> = []
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
  const token = randomBytes(8).toString('hex')
  const journal = journalWriter(
    journalFile,
    { format: 'syncengine-journal', version: 1, plan: digest, base: plan.state, token },
    resumed !== undefined,
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
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.retry === undefined ? {} : { retry: input.retry }),
    ...(input.transfers === undefined ? {} : { transfers: input.transfers }),
    ...(plan.policy.backupDir === null
      ? {}
      : { backup: backupIn(localStorage(plan.policy.backupDir), stampOf(now())) }),
  })()
  if (E.isLeft(applied)) {
    // Refused before anything ran: the journal, ours or another plan's, is as it was.
    await journal.close()
    return applied
  }
  tracker?.finish(applied.right)
  // The checkpoint goes to disk before the state: a crash in between leaves a journal that still
  // names the state on disk (its base or an earlier checkpoint), so the same plan resumes.
  await journal.checkpoint(applied.right.state)
  const saved = await saveState(stateFile, applied.right.state)()
  await journal.close()
  if (E.isLeft(saved)) return saved
  if (applied.right.notStarted === 0) await removeJournal(journalFile)
  return applied
}

/** A backup folder inside a synced root would sync its own backups: refused, even in a hand-edited plan. */
const backupInsideRoot = (plan: Plan): ApplyPairError | undefined => {
  const dir = plan.policy.backupDir
  if (dir === null || !isAbsolute(dir)) return undefined
  const inside = (folder: string, path: string): boolean => {
    const rel = relative(folder, path)
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
  }
  for (const side of ['source', 'destination'] as const) {
    const root = plan[side].root
    if (isAbsolute(root) && (inside(root, dir) || inside(dir, root)))
      return { _tag: 'BackupInsideRoot', side, root, backupDir: dir }
  }
  return undefined
}
