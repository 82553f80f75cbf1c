import type { Side } from './side.ts'

/**
 * Counts done and to do, for the whole run and for the folder being transferred. Bytes are those of file
 * transfers; files count every action (a move, a delete and a folder count as one file each, with no bytes).
 */
export interface Tally {
  readonly filesDone: number
  readonly filesTotal: number
  readonly bytesDone: number
  readonly bytesTotal: number
}

/** What every apply event carries: where the run stands, how fast it goes, and when it should end. */
export interface Standing {
  readonly overall: Tally
  /** Smoothed over the last seconds; 0 until bytes have moved. */
  readonly bytesPerSecond: number
  /** Seconds until the run ends at the current speed; null while there is no speed to go by. */
  readonly etaSeconds: number | null
  /** Milliseconds since the apply began. */
  readonly elapsedMs: number
}

/** Upload events name their counts as uploads, download events as downloads: never one for the other. */
export interface UploadTally {
  readonly filesUploaded: number
  readonly filesToUpload: number
  readonly bytesUploaded: number
  readonly bytesToUpload: number
}

export interface DownloadTally {
  readonly filesDownloaded: number
  readonly filesToDownload: number
  readonly bytesDownloaded: number
  readonly bytesToDownload: number
}

export type UploadEvent = Standing & {
  readonly upload: UploadTally
  /** The folder of the current batch: its files and bytes. */
  readonly folder: { readonly path: string } & Tally
} & (
    | { readonly type: 'upload-batch-start' }
    | { readonly type: 'upload-batch-complete' }
    | { readonly type: 'upload-file-start'; readonly path: string; readonly size: number }
    | {
        readonly type: 'upload-file-progress'
        readonly path: string
        readonly size: number
        readonly bytesDone: number
      }
    | { readonly type: 'upload-file-complete'; readonly path: string; readonly size: number }
    | { readonly type: 'upload-file-error'; readonly path: string; readonly message: string }
  )

export type DownloadEvent = Standing & {
  readonly download: DownloadTally
  readonly folder: { readonly path: string } & Tally
} & (
    | { readonly type: 'download-batch-start' }
    | { readonly type: 'download-batch-complete' }
    | { readonly type: 'download-file-start'; readonly path: string; readonly size: number }
    | {
        readonly type: 'download-file-progress'
        readonly path: string
        readonly size: number
        readonly bytesDone: number
      }
    | { readonly type: 'download-file-complete'; readonly path: string; readonly size: number }
    | { readonly type: 'download-file-error'; readonly path: string; readonly message: string }
  )

/**
 * Progress of a plan, a snapshot or an apply, for a display or a program. Scans report per folder;
 * an apply reports the run, each batch of transfers (the files of one folder, one direction), each file
 * (with bytes as they go), and each move, delete and folder creation.
 */
export type ProgressEvent =
  | { readonly type: 'scan-start'; readonly side: Side; readonly folder: string }
  | {
      readonly type: 'scan-complete'
      readonly side: Side
      readonly folder: string
      readonly files: number
      readonly folders: number
    }
  | (Standing & {
      readonly type: 'sync-start'
      readonly upload: UploadTally
      readonly download: DownloadTally
    })
  | UploadEvent
  | DownloadEvent
  | (Standing & {
      readonly type: 'move' | 'delete' | 'mkdir' | 'copy-local' | 'meta'
      readonly side: Side
      readonly path: string
      readonly from?: string
      readonly status: 'applied' | 'already-done' | 'drifted' | 'failed'
    })
  | (Standing & {
      readonly type: 'sync-complete'
      readonly upload: UploadTally
      readonly download: DownloadTally
      readonly applied: number
      readonly skipped: number
      readonly failed: number
    })

export type ProgressListener = (event: ProgressEvent) => void
