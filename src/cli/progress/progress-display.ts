import { createRequire } from 'node:module'
import type { MultiBar } from 'cli-progress'
import type { ProgressEvent, ProgressListener, Standing } from '../../core/progress-event.ts'
import type { Output } from '../io.ts'
import {
  type ApplyView,
  overallLine,
  type ScanView,
  scanLine,
  type Transfer,
  transferLine,
} from './progress-lines.ts'

// cli-progress (and what it needs) loads with the first display, not on every start of the command line:
// most runs have no terminal to draw on.
const load = createRequire(import.meta.url)

/** A live display on a terminal: what the progress events say, redrawn in place. */
export interface ProgressDisplay {
  readonly onProgress: ProgressListener
  /** Prints a line above the display without tearing it. */
  readonly note: (text: string) => void
  /** Clears the display (before anything else is printed); the next event starts a new one. */
  readonly stop: () => void
}

/**
 * The scan shows one line of counts; an apply shows an overall bar (bytes, speed, ETA, actions) and a line
 * per file in transfer, up to `slots`. cli-progress redraws the lines ten times a second from the views
 * below, which the events keep current.
 */
export const progressDisplay = (terminal: Output, slots: number): ProgressDisplay => {
  const cliProgress: typeof import('cli-progress') = load('cli-progress')
  // cli-progress wants a stream: the terminal as one, through the Io (columns read live, for resizes).
  const stream = {
    isTTY: true,
    get columns() {
      return terminal.columns !== undefined && terminal.columns > 0 ? terminal.columns : 80
    },
    write: (text: string) => {
      terminal.write(text)
      return true
    },
  }
  const width = (): number => Math.max(20, stream.columns - 1)
  let bars: MultiBar | undefined
  let phase: 'idle' | 'scan' | 'apply' = 'idle'
  let scan: ScanView = {
    files: { source: 0, destination: 0 },
    folders: { source: 0, destination: 0 },
    current: '',
  }
  let apply: ApplyView = {
    overall: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 },
    bytesPerSecond: 0,
    etaSeconds: null,
  }
  const transfers = new Map<string, Transfer>()
  let shownFile = false

  /**
   * The terminal's modes are left alone but for the cursor, hidden only where an interrupt is handled
   * (apply), so that a Ctrl-C always gives it back; lines are cut to the width instead of unwrapped.
   */
  const start = (lines: ReadonlyArray<() => string>, hideCursor: boolean): void => {
    const multi = new cliProgress.MultiBar({
      stream: stream as unknown as NodeJS.WritableStream,
      clearOnComplete: true,
      hideCursor,
      linewrap: true,
      fps: 10,
    })
    for (const line of lines) multi.create(1, 0, {}, { format: () => line() })
    // The first frame now, not a tick later: a run shorter than a tick is shown too.
    multi.update()
    bars = multi
  }
  const stop = (): void => {
    bars?.stop()
    bars = undefined
    phase = 'idle'
  }

  const startScan = (): void => {
    stop()
    scan = { files: { source: 0, destination: 0 }, folders: { source: 0, destination: 0 }, current: '' }
    phase = 'scan'
    start([() => scanLine(scan, width())], false)
  }
  const startApply = (event: Standing, files: number): void => {
    stop()
    transfers.clear()
    shownFile = false
    apply = { overall: event.overall, bytesPerSecond: 0, etaSeconds: null }
    phase = 'apply'
    const slot = (i: number) => (): string => {
      const transfer = [...transfers.values()][i]
      return transfer === undefined ? '' : transferLine(transfer, width())
    }
    start(
      [
        () => overallLine(apply, width()),
        ...Array.from({ length: Math.min(slots, files) }, (_, i) => slot(i)),
      ],
      true,
    )
  }
  const standing = (event: Standing): void => {
    apply = { overall: event.overall, bytesPerSecond: event.bytesPerSecond, etaSeconds: event.etaSeconds }
  }

  const onProgress = (event: ProgressEvent): void => {
    switch (event.type) {
      case 'scan-start':
        if (phase !== 'scan') startScan()
        scan = { ...scan, current: event.folder }
        return
      case 'scan-complete':
        if (phase !== 'scan') startScan()
        scan = {
          ...scan,
          files: { ...scan.files, [event.side]: scan.files[event.side] + event.files },
          folders: { ...scan.folders, [event.side]: scan.folders[event.side] + event.folders },
        }
        return
      case 'sync-start':
        startApply(event, event.upload.filesToUpload + event.download.filesToDownload)
        return
      case 'sync-complete':
        standing(event)
        // The last frame, at 100%, before the display gives way to the summary.
        bars?.update()
        stop()
        return
      case 'upload-file-start':
      case 'download-file-start':
        standing(event)
        transfers.set(event.path, {
          path: event.path,
          arrow: event.type === 'upload-file-start' ? '↑' : '↓',
          size: event.size,
          bytesDone: 0,
        })
        // The first file now: even a run shorter than a tick shows what it transfers.
        if (!shownFile) bars?.update()
        shownFile = true
        return
      case 'upload-file-progress':
      case 'download-file-progress': {
        standing(event)
        const transfer = transfers.get(event.path)
        if (transfer !== undefined) transfers.set(event.path, { ...transfer, bytesDone: event.bytesDone })
        return
      }
      case 'upload-file-complete':
      case 'download-file-complete':
      case 'upload-file-error':
      case 'download-file-error':
        standing(event)
        transfers.delete(event.path)
        return
      default:
        standing(event)
    }
  }

  return {
    onProgress,
    note: (text) => {
      if (bars === undefined) terminal.write(text)
      else bars.log(text.endsWith('\n') ? text : `${text}\n`)
    },
    stop,
  }
}
