import { jsonForPeople } from '../../core/canonical-json.ts'
import type { ProgressListener } from '../../core/progress-event.ts'
import type { ProgressMode } from '../choices.ts'
import type { Io, Output } from '../io.ts'
import { progressDisplay } from './progress-display.ts'

export type { ProgressMode } from '../choices.ts'

/** Where a command's progress and its text go. */
export interface ProgressOutput {
  /** What would go to stdout: stderr instead when stdout carries the JSON events. */
  readonly out: Output
  readonly onProgress?: ProgressListener
  /** A line for the person watching, printed without tearing the display. */
  readonly note: (text: string) => void
  /** Ends the live display; called before anything else is printed. */
  readonly stop: () => void
}

const nothing = (): void => undefined

/**
 * JSON events go to stdout, one per line, and nothing else does. The live display is drawn on stderr and
 * only on a terminal (never with --quiet), so a pipe or a log file gets no control characters at all.
 */
export const progressOutput = (
  io: Io,
  mode: ProgressMode,
  options: { readonly quiet?: boolean; readonly slots?: number } = {},
): ProgressOutput => {
  const note = (text: string): void => {
    io.stderr.write(text)
  }
  if (mode === 'json')
    return {
      out: io.stderr,
      onProgress: (event) => io.stdout.write(`${jsonForPeople(JSON.stringify(event))}\n`),
      note,
      stop: nothing,
    }
  if (mode === 'none' || options.quiet === true || io.stderr.isTTY !== true)
    return { out: io.stdout, note, stop: nothing }
  const display = progressDisplay(io.stderr, options.slots ?? 4)
  return { out: io.stdout, onProgress: display.onProgress, note: display.note, stop: display.stop }
}
