import type { Tally } from '../../core/progress-event.ts'
import { formatBytes } from '../../core/render.ts'
import { showPath } from '../../core/show-path.ts'
import type { Side } from '../../core/side.ts'

/** What the progress display shows, kept from the events; the lines are drawn from it. */
export interface ScanView {
  readonly files: Record<Side, number>
  readonly folders: Record<Side, number>
  readonly current: string
}

export interface Transfer {
  readonly path: string
  readonly arrow: '↑' | '↓'
  readonly size: number
  readonly bytesDone: number
}

export interface ApplyView {
  readonly overall: Tally
  readonly bytesPerSecond: number
  readonly etaSeconds: number | null
}

const number = (n: number): string => n.toLocaleString('en-US')

/** Cuts a line to the terminal's width, keeping its end for paths (the file name) and its start otherwise. */
export const clip = (text: string, width: number, keep: 'start' | 'end' = 'start'): string => {
  const chars = [...text]
  if (chars.length <= width) return text
  if (width <= 1) return chars.slice(0, width).join('')
  return keep === 'end'
    ? `…${chars.slice(chars.length - width + 1).join('')}`
    : `${chars.slice(0, width - 1).join('')}…`
}

export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const two = (n: number): string => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`
}

/** Done, as a fraction: by bytes when anything is transferred, else by actions. */
export const fractionOf = (tally: Tally): number => {
  if (tally.bytesTotal > 0) return Math.min(1, tally.bytesDone / tally.bytesTotal)
  return tally.filesTotal > 0 ? Math.min(1, tally.filesDone / tally.filesTotal) : 1
}

export const BAR_DONE = '█'
export const BAR_LEFT = '░'

export const barOf = (fraction: number, size: number): string => {
  const done = Math.round(fraction * size)
  return `${BAR_DONE.repeat(done)}${BAR_LEFT.repeat(size - done)}`
}

const sideCount = (view: ScanView, side: Side): string =>
  `${side} ${number(view.files[side])} files in ${number(view.folders[side])} folders`

export const scanLine = (view: ScanView, width: number): string =>
  clip(
    `Scanning: ${sideCount(view, 'source')}, ${sideCount(view, 'destination')}${view.current === '' ? '' : `  ${showPath(view.current)}/`}`,
    width,
  )

/** `[████░░░░]  52%  14.2 MiB of 27.0 MiB  3.1 MiB/s  ETA 0:04  13/40 actions` */
export const overallLine = (view: ApplyView, width: number): string => {
  const { overall } = view
  const fraction = fractionOf(overall)
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
  const parts = [
    overall.bytesTotal > 0 ? `${formatBytes(overall.bytesDone)} of ${formatBytes(overall.bytesTotal)}` : '',
    view.bytesPerSecond > 0 ? `${formatBytes(Math.round(view.bytesPerSecond))}/s` : '',
    view.etaSeconds === null ? '' : `ETA ${formatDuration(view.etaSeconds)}`,
    `${number(overall.filesDone)}/${number(overall.filesTotal)} actions`,
  ].filter((p) => p !== '')
  const rest = `${percent}  ${parts.join('  ')}`
  // The bar's size follows the terminal, not the text beside it, so it does not jump as numbers grow.
  const size = Math.max(10, Math.min(30, width - 62))
  return clip(`[${barOf(fraction, size)}] ${rest}`, width)
}

/** `  ↑ photos/IMG_0001.jpg  1.2 MiB of 3.4 MiB`, the path cut from the left to fit. */
export const transferLine = (transfer: Transfer, width: number): string => {
  const amount =
    transfer.size > 0 ? `  ${formatBytes(transfer.bytesDone)} of ${formatBytes(transfer.size)}` : ''
  const room = Math.max(8, width - 4 - [...amount].length)
  return clip(`  ${transfer.arrow} ${clip(showPath(transfer.path), room, 'end')}${amount}`, width)
}
