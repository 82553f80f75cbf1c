import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { ApplyEvent, ApplyReport } from '../apply/apply.ts'
import { pauseGate } from '../apply/pause.ts'
import type { ProgressListener } from '../apply/progress-event.ts'
import type { RetryPolicy } from '../apply/retry.ts'
import type { Sides } from '../apply/sides.ts'
import { targetOfAction } from '../core/action.ts'
import type { Plan } from '../core/plan-file.ts'
import type { Policy } from '../core/policy.ts'
import { defaultStateFile } from '../state/state-file.ts'
import { localStorage } from '../storage/local.ts'
import type { Storage } from '../storage/storage.ts'
import type { ApplyPairError } from './apply-pair.ts'
import type { PlanPairError } from './plan-pair.ts'
import { syncPair as syncSides } from './sync-pair.ts'

/** A side given as a Storage, or as a local folder's path. */
export type SideSpec = Storage | string

export interface PairSpec {
  readonly source: SideSpec
  readonly destination: SideSpec
  /** Default: `defaultStateFile` of both roots. */
  readonly stateFile?: string
  readonly policy?: Partial<Policy>
}

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
  readonly report: ApplyReport
  readonly counts: SyncCounts
}

export type SyncError = PlanPairError | ApplyPairError

export interface EngineOptions {
  readonly onProgress?: ProgressListener
  readonly onEvent?: (event: ApplyEvent) => void
  readonly transfers?: number
  readonly retry?: RetryPolicy
  /** For the default state file location; the process environment unless given. */
  readonly env?: Readonly<Record<string, string | undefined>>
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
}

/**
 * The library's front door: plan and apply a pair in one call, with progress, and pause, resume and
 * cancel for the apply in flight. Cancelling stops new actions, lets running ones finish, and saves a
 * state that records only what was done; the engine is ready for the next call right after.
 */
export interface SyncEngine {
  readonly syncPair: (pair: PairSpec) => Promise<E.Either<SyncError, SyncResult>>
  /** Files of `from` into `to` (`to` is the source side of the pair: a download, as from a cloud folder). */
  readonly downloadFolder: (transfer: FolderTransfer) => Promise<E.Either<SyncError, SyncResult>>
  /** Files of `from` into `to` (`from` is the source side of the pair: an upload). */
  readonly uploadFolder: (transfer: FolderTransfer) => Promise<E.Either<SyncError, SyncResult>>
  readonly pause: () => void
  readonly resume: () => void
  readonly cancel: () => void
  readonly paused: () => boolean
}

const storageOf = (side: SideSpec): Storage => (typeof side === 'string' ? localStorage(resolve(side)) : side)

export const countsOf = (plan: Plan, report: ApplyReport): SyncCounts => {
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
    if (outcome.status !== 'applied' && outcome.status !== 'already-done') continue
    switch (action.kind) {
      case 'copy':
        if (action.direction === 'upload') counts.uploads++
        else counts.downloads++
        if (outcome.status === 'applied' && action.entry.kind === 'file')
          counts.bytes[action.direction === 'upload' ? 'uploaded' : 'downloaded'] += action.entry.size
        break
      case 'delete':
        counts.deletes[targetOfAction(action).side]++
        break
      case 'move':
        counts.moves++
        break
      case 'clone':
        counts.localCopies++
        break
      case 'mkdir':
        counts.folders++
        break
      case 'meta':
        counts.metadata++
        break
    }
  }
  return counts
}

export const createSyncEngine = (options: EngineOptions = {}): SyncEngine => {
  const gate = pauseGate()
  const running = new Set<AbortController>()
  const env = options.env ?? process.env

  const syncPair = async (pair: PairSpec): Promise<E.Either<SyncError, SyncResult>> => {
    const sides: Sides = { source: storageOf(pair.source), destination: storageOf(pair.destination) }
    const controller = new AbortController()
    running.add(controller)
    try {
      const synced = await syncSides({
        sides,
        stateFile: pair.stateFile ?? defaultStateFile(sides.source.root, sides.destination.root, env),
        signal: controller.signal,
        pause: gate,
        ...(pair.policy === undefined ? {} : { policy: pair.policy }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.transfers === undefined ? {} : { transfers: options.transfers }),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
      })()
      if (E.isLeft(synced)) return synced
      const { plan, report } = synced.right
      return E.right({ plan, report, counts: countsOf(plan, report) })
    } finally {
      running.delete(controller)
    }
  }

  return {
    syncPair,
    downloadFolder: (t) =>
      syncPair({
        source: t.to,
        destination: t.from,
        ...(t.stateFile === undefined ? {} : { stateFile: t.stateFile }),
        policy: { ...t.policy, mode: t.mirror === true ? 'destination-to-source' : 'destination-backup' },
      }),
    uploadFolder: (t) =>
      syncPair({
        source: t.from,
        destination: t.to,
        ...(t.stateFile === undefined ? {} : { stateFile: t.stateFile }),
        policy: { ...t.policy, mode: t.mirror === true ? 'source-to-destination' : 'source-backup' },
      }),
    pause: gate.pause,
    resume: gate.resume,
    paused: gate.paused,
    cancel: () => {
      for (const controller of running) controller.abort()
      gate.resume()
    },
  }
}
