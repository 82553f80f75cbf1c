import type { CopyAction } from '../core/action.ts'
import { sizeOf } from '../core/entry.ts'
import { succeeded } from '../core/outcome.ts'
import type { Plan } from '../core/plan-file.ts'
import type {
  DownloadEvent,
  DownloadTally,
  ProgressListener,
  Standing,
  Tally,
  UploadEvent,
  UploadTally,
} from '../core/progress-event.ts'
import { parentOf } from '../core/rel-path.ts'
import type { Direction } from '../core/side.ts'
import type { ApplyEvent, ApplyReport } from './apply.ts'

/** How far back the speed looks: long enough to be steady, short enough to follow a change. */
const WINDOW_MS = 5000

export interface Tracker {
  readonly start: () => void
  readonly onApplyEvent: (event: ApplyEvent) => void
  /** Wraps a transfer's bytes to count them as they pass. */
  readonly meter: (action: CopyAction, data: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>
  readonly finish: (report: ApplyReport) => void
}

interface Batch {
  readonly direction: Direction
  readonly path: string
  readonly files: number
  readonly bytes: number
  filesDone: number
  bytesDone: number
  started: boolean
}

const batchKey = (direction: Direction, folder: string): string => `${direction}\0${folder}`

/**
 * Turns an apply's events into progress: counts and bytes for the run and the folder at hand, per
 * direction, with a smoothed speed and an ETA. Transfers may run side by side: every count is kept here,
 * on the one thread, and each event carries the totals as they are at that moment.
 */
export const progressTracker = (plan: Plan, emit: ProgressListener, now: () => number): Tracker => {
  const copies = plan.actions.filter((a): a is CopyAction => a.kind === 'copy')
  const batches = new Map<string, Batch>()
  const totals = { upload: { files: 0, bytes: 0 }, download: { files: 0, bytes: 0 } }
  for (const copy of copies) {
    const key = batchKey(copy.direction, parentOf(copy.path))
    const batch = batches.get(key) ?? {
      direction: copy.direction,
      path: parentOf(copy.path),
      files: 0,
      bytes: 0,
      filesDone: 0,
      bytesDone: 0,
      started: false,
    }
    batches.set(key, { ...batch, files: batch.files + 1, bytes: batch.bytes + sizeOf(copy.entry) })
    totals[copy.direction].files++
    totals[copy.direction].bytes += sizeOf(copy.entry)
  }
  const done = { upload: { files: 0, bytes: 0 }, download: { files: 0, bytes: 0 }, actions: 0 }
  const perFile = new Map<CopyAction, number>()
  const samples: Array<{ at: number; bytes: number }> = []
  let began = 0

  const bytesDone = (): number => done.upload.bytes + done.download.bytes
  const overall = (): Tally => ({
    filesDone: done.actions,
    filesTotal: plan.actions.length,
    bytesDone: bytesDone(),
    bytesTotal: totals.upload.bytes + totals.download.bytes,
  })
  const standing = (): Standing => {
    const at = now()
    samples.push({ at, bytes: bytesDone() })
    while (samples.length > 2 && (samples[0]?.at ?? at) < at - WINDOW_MS) samples.shift()
    const first = samples[0] ?? { at, bytes: 0 }
    const span = (at - first.at) / 1000
    const bytesPerSecond = span > 0 ? (bytesDone() - first.bytes) / span : 0
    const left = overall().bytesTotal - bytesDone()
    return {
      overall: overall(),
      bytesPerSecond,
      etaSeconds: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null,
      elapsedMs: at - began,
    }
  }
  const upload = (): UploadTally => ({
    filesUploaded: done.upload.files,
    filesToUpload: totals.upload.files,
    bytesUploaded: done.upload.bytes,
    bytesToUpload: totals.upload.bytes,
  })
  const download = (): DownloadTally => ({
    filesDownloaded: done.download.files,
    filesToDownload: totals.download.files,
    bytesDownloaded: done.download.bytes,
    bytesToDownload: totals.download.bytes,
  })
  const folderOf = (batch: Batch) => ({
    path: batch.path,
    filesDone: batch.filesDone,
    filesTotal: batch.files,
    bytesDone: batch.bytesDone,
    bytesTotal: batch.bytes,
  })
  /** A transfer event, with the counts named for its direction. */
  const transfer = (
    direction: Direction,
    batch: Batch,
    event:
      | { readonly kind: 'batch-start' | 'batch-complete' }
      | { readonly kind: 'file-start' | 'file-complete'; readonly path: string; readonly size: number }
      | {
          readonly kind: 'file-progress'
          readonly path: string
          readonly size: number
          readonly bytesDone: number
        }
      | { readonly kind: 'file-error'; readonly path: string; readonly message: string },
  ): void => {
    const { kind, ...rest } = event
    const base = { ...standing(), folder: folderOf(batch), ...rest }
    // TypeScript cannot follow `${direction}-${kind}` into the union; the fields are the kind's own.
    if (direction === 'upload') emit({ ...base, type: `upload-${kind}`, upload: upload() } as UploadEvent)
    else emit({ ...base, type: `download-${kind}`, download: download() } as DownloadEvent)
  }
  const batchOf = (copy: CopyAction): Batch =>
    batches.get(batchKey(copy.direction, parentOf(copy.path))) as Batch

  return {
    start: () => {
      began = now()
      emit({ ...standing(), type: 'sync-start', upload: upload(), download: download() })
    },
    meter: (action, data) => {
      const batch = batchOf(action)
      const size = sizeOf(action.entry)
      return (async function* () {
        for await (const chunk of data) {
          perFile.set(action, (perFile.get(action) ?? 0) + chunk.byteLength)
          done[action.direction].bytes += chunk.byteLength
          batch.bytesDone += chunk.byteLength
          transfer(action.direction, batch, {
            kind: 'file-progress',
            path: action.path,
            size,
            bytesDone: perFile.get(action) ?? 0,
          })
          yield chunk
        }
      })()
    },
    onApplyEvent: (event) => {
      const { action } = event
      if (event.type === 'action-start') {
        if (action.kind !== 'copy') return
        const batch = batchOf(action)
        if (!batch.started) {
          batch.started = true
          transfer(action.direction, batch, { kind: 'batch-start' })
        }
        transfer(action.direction, batch, {
          kind: 'file-start',
          path: action.path,
          size: sizeOf(action.entry),
        })
        return
      }
      done.actions++
      const ok = succeeded(event.outcome)
      if (action.kind !== 'copy') {
        const type = action.kind === 'clone' ? 'copy-local' : action.kind
        const path = action.kind === 'move' || action.kind === 'clone' ? action.to : action.path
        const from = action.kind === 'move' || action.kind === 'clone' ? { from: action.from } : {}
        emit({ ...standing(), type, side: action.side, path, ...from, status: event.outcome.status })
        return
      }
      const batch = batchOf(action)
      const size = sizeOf(action.entry)
      // What did not flow through the meter (a file already there, or one that failed) is settled here,
      // so that the totals end where they should.
      const counted = perFile.get(action) ?? 0
      perFile.delete(action)
      const rest = size - counted
      done[action.direction].bytes += rest
      batch.bytesDone += rest
      batch.filesDone++
      if (ok) done[action.direction].files++
      if (!batch.started) {
        batch.started = true
        transfer(action.direction, batch, { kind: 'batch-start' })
      }
      if (ok) transfer(action.direction, batch, { kind: 'file-complete', path: action.path, size })
      else
        transfer(action.direction, batch, {
          kind: 'file-error',
          path: action.path,
          message:
            event.outcome.status === 'failed'
              ? event.outcome.error.message
              : 'why' in event.outcome
                ? event.outcome.why
                : '',
        })
      if (batch.filesDone === batch.files) transfer(action.direction, batch, { kind: 'batch-complete' })
    },
    finish: (report) => {
      emit({
        ...standing(),
        type: 'sync-complete',
        upload: upload(),
        download: download(),
        applied: report.counts.applied + report.counts.alreadyDone,
        skipped: report.counts.drifted + report.notStarted,
        failed: report.counts.failed,
      })
    },
  }
}
