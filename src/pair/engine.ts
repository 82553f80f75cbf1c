import { randomUUID } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ApplyEvent } from '../apply/apply.ts'
import { pauseGate } from '../apply/pause.ts'
import { defaultRetry, type RetryPolicy } from '../apply/retry.ts'
import { matchAction } from '../core/action.ts'
import { succeeded } from '../core/outcome.ts'
import type { Plan } from '../core/plan-file.ts'
import type { Policy } from '../core/policy.ts'
import type { ProgressListener } from '../core/progress-event.ts'
import { render } from '../core/render.ts'
import type { PairReport } from './apply-pair.ts'
import {
  type OpenedPair,
  type OpenPairError,
  openPair,
  type PairContext,
  type PairSpec,
  type SideSpec,
} from './open-pair.ts'
import { DEFAULT_TRANSFERS } from './run-defaults.ts'
import { type PlanOpenedError, planOpened, type SyncOpenedError, syncOpened } from './run-pair.ts'

export type { PairSpec, SideSpec } from './open-pair.ts'

export { DEFAULT_TRANSFERS } from './run-defaults.ts'

/** What a sync did, counted the way the Python library this one succeeds counted it, and then some. */
export interface SyncCounts {
  readonly uploads: number
  readonly downloads: number
  readonly deletes: { readonly source: number; readonly destination: number }
  readonly moves: number
  /** Copies made within one side instead of a transfer (a backup's renamed file). */
  readonly localCopies: number
  /** Files given the other side's mtime or exec bit, their bytes being the same (no transfer). */
  readonly metadata: number
  readonly folders: number
  /** Actions skipped because their path changed after the plan, or not started after a cancel. */
  readonly skips: number
  readonly conflicts: number
  readonly errors: number
  readonly bytes: { readonly uploaded: number; readonly downloaded: number }
}

export interface SyncResult {
  readonly plan: Plan
  readonly report: PairReport
  readonly counts: SyncCounts
  /** The run was cancelled: what finished is recorded, and the next call completes the rest. */
  readonly cancelled: boolean
}

/** A plan made without applying it (a dry run), and how it reads for a person. */
export interface PlanResult {
  readonly plan: Plan
  /** The plan as `syncengine plan` prints it, without colors. */
  readonly text: string
}

export type SyncError = OpenPairError | SyncOpenedError
export type PlanError = OpenPairError | PlanOpenedError

export interface EngineOptions {
  readonly onProgress?: ProgressListener
  readonly onEvent?: (event: ApplyEvent) => void
  /** How many copies run at once (default 4). */
  readonly transfers?: number
  readonly retry?: RetryPolicy
  /** For relative paths; the process's working folder unless given. */
  readonly cwd?: string
  /** For the default state file location and credentials; the process environment unless given. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** What one call may add to the engine's options. */
export interface CallOptions {
  /** Progress of this call, besides the engine's own listener. */
  readonly onProgress?: ProgressListener
}

export interface FolderTransfer {
  /** The folder whose files are sent. */
  readonly from: SideSpec
  /** The folder that receives them. */
  readonly to: SideSpec
  /** Also delete what `to` has and `from` has not; by default nothing is deleted there. */
  readonly mirror?: boolean
  readonly stateFile?: string
  readonly policy?: Partial<Omit<Policy, 'mode'>>
  readonly storage?: PairSpec['storage']
}

/**
 * The library's front door: plan and apply a pair in one call, with progress, and pause, resume and
 * cancel for the apply in flight. Cancelling stops new actions, lets running ones finish, and saves a
 * state that records only what was done; the engine is ready for the next call right after. Every call
 * goes through `openPair`, the same rules the command line has.
 */
export interface SyncEngine {
  readonly syncPair: (pair: PairSpec, options?: CallOptions) => TE.TaskEither<SyncError, SyncResult>
  /** Plans without applying: the plan and its text, nothing touched. */
  readonly plan: (pair: PairSpec, options?: CallOptions) => TE.TaskEither<PlanError, PlanResult>
  /** Files of `from` into `to` (`to` is the source side of the pair: a download, as from a cloud folder). */
  readonly downloadFolder: (
    transfer: FolderTransfer,
    options?: CallOptions,
  ) => TE.TaskEither<SyncError, SyncResult>
  /** Files of `from` into `to` (`from` is the source side of the pair: an upload). */
  readonly uploadFolder: (
    transfer: FolderTransfer,
    options?: CallOptions,
  ) => TE.TaskEither<SyncError, SyncResult>
  readonly pause: () => void
  readonly resume: () => void
  readonly cancel: () => void
  readonly paused: () => boolean
}

export const countsOf = (plan: Plan, report: PairReport): SyncCounts => {
  const counts = {
    uploads: 0,
    downloads: 0,
    deletes: { source: 0, destination: 0 },
    moves: 0,
    localCopies: 0,
    metadata: 0,
    folders: 0,
    skips: report.counts.drifted + report.notStarted,
    conflicts: plan.conflicts.length,
    errors: report.counts.failed,
    bytes: { uploaded: 0, downloaded: 0 },
  }
  for (const { action, outcome } of report.finished) {
    if (!succeeded(outcome)) continue
    matchAction(action, {
      copy: (copy) => {
        if (copy.direction === 'upload') counts.uploads++
        else counts.downloads++
        if (outcome.status === 'applied' && copy.entry.kind === 'file')
          counts.bytes[copy.direction === 'upload' ? 'uploaded' : 'downloaded'] += copy.entry.size
      },
      delete: (deleted) => {
        counts.deletes[deleted.side]++
      },
      move: () => {
        counts.moves++
      },
      clone: () => {
        counts.localCopies++
      },
      mkdir: () => {
        counts.folders++
      },
      meta: () => {
        counts.metadata++
      },
    })
  }
  return counts
}

const listeners = (...all: ReadonlyArray<ProgressListener | undefined>): ProgressListener | undefined => {
  const present = all.filter((l): l is ProgressListener => l !== undefined)
  return present.length === 0
    ? undefined
    : (event) => {
        for (const listener of present) listener(event)
      }
}

export const createSyncEngine = (options: EngineOptions = {}): SyncEngine => {
  const gate = pauseGate()
  const running = new Map<string, AbortController>()
  const context: PairContext = { cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env }

  /** Opens the pair, runs `use` on it, and closes it whatever happens. */
  const withPair =
    <L, A>(
      pair: PairSpec,
      use: (opened: OpenedPair) => TE.TaskEither<L, A>,
    ): TE.TaskEither<L | OpenPairError, A> =>
    async () => {
      const opened = await openPair(pair, context)()
      if (E.isLeft(opened)) return opened
      try {
        return await use(opened.right)()
      } finally {
        await opened.right.close()
      }
    }

  const syncPair = (pair: PairSpec, call: CallOptions = {}): TE.TaskEither<SyncError, SyncResult> =>
    withPair(pair, (opened) => async () => {
      const controller = new AbortController()
      const id = randomUUID()
      running.set(id, controller)
      try {
        const onProgress = listeners(options.onProgress, call.onProgress)
        const synced = await syncOpened(opened, {
          signal: controller.signal,
          pause: gate,
          transfers: options.transfers ?? DEFAULT_TRANSFERS,
          retry: options.retry ?? defaultRetry,
          ...(onProgress === undefined ? {} : { onProgress }),
          ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        })()
        if (E.isLeft(synced)) return synced
        const { plan, report } = synced.right
        return E.right({ plan, report, counts: countsOf(plan, report), cancelled: controller.signal.aborted })
      } finally {
        running.delete(id)
      }
    })

  const folderPair = (t: FolderTransfer, download: boolean): PairSpec => ({
    source: download ? t.to : t.from,
    destination: download ? t.from : t.to,
    ...(t.stateFile === undefined ? {} : { stateFile: t.stateFile }),
    ...(t.storage === undefined ? {} : { storage: t.storage }),
    policy: {
      ...t.policy,
      mode: download
        ? t.mirror === true
          ? 'destination-to-source'
          : 'destination-backup'
        : t.mirror === true
          ? 'source-to-destination'
          : 'source-backup',
    },
  })

  return {
    syncPair,
    plan: (pair, call = {}) =>
      withPair(pair, (opened) => async () => {
        const onProgress = listeners(options.onProgress, call.onProgress)
        const planned = await planOpened(opened, onProgress === undefined ? {} : { onProgress })()
        return E.isLeft(planned) ? planned : E.right({ plan: planned.right, text: render(planned.right) })
      }),
    downloadFolder: (t, call) => syncPair(folderPair(t, true), call),
    uploadFolder: (t, call) => syncPair(folderPair(t, false), call),
    pause: gate.pause,
    resume: gate.resume,
    paused: gate.paused,
    cancel: () => {
      for (const controller of running.values()) controller.abort()
      gate.resume()
    },
  }
}
