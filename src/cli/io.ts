import { isAbsolute, relative } from 'node:path'
import { createColors } from 'picocolors'
import type { Style } from '../core/render.ts'
import { showPath } from '../core/show-path.ts'

export interface Output {
  readonly write: (text: string) => unknown
  /** A terminal: colors and a live progress display are for it only. */
  readonly isTTY?: boolean
  /** The terminal's width, when it is one. */
  readonly columns?: number
}

/** Everything the CLI touches of its process, passed in so tests run it in-process. */
export interface Io {
  readonly stdout: Output
  readonly stderr: Output
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** SIGINT and SIGTERM: subscribe a handler, get the unsubscribe back. */
  readonly onInterrupt?: (handler: () => void) => () => void
  /** The clock, in milliseconds since the epoch (for "last synced 3 hours ago"). */
  readonly now?: () => number
}

/** Colors only for a person at a terminal: not when piped, not with `NO_COLOR` or `--no-color`. */
export const styleFor = (io: Io, color: boolean, output: Output = io.stdout): Style => {
  const enabled = color && output.isTTY === true && (io.env.NO_COLOR ?? '') === ''
  const c = createColors(enabled)
  return {
    add: c.green,
    change: c.yellow,
    remove: c.red,
    move: c.cyan,
    conflict: c.magenta,
    dim: c.dim,
    bold: c.bold,
  }
}

export const ExitCode = {
  ok: 0,
  error: 1,
  /** `plan --detailed-exitcode`: the plan has changes. */
  changes: 2,
  /** apply or sync finished, but something was skipped, failed, or left for a person. */
  incomplete: 3,
  /** apply or sync stopped by SIGINT or SIGTERM; running the same apply again finishes it. */
  interrupted: 130,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** From best to worst: what a run over several pairs or plans exits with is the worst of them. */
const SEVERITY: ReadonlyArray<ExitCode> = [
  ExitCode.ok,
  ExitCode.changes,
  ExitCode.incomplete,
  ExitCode.error,
  ExitCode.interrupted,
]

export const worst = (codes: ReadonlyArray<ExitCode>): ExitCode =>
  codes.reduce<ExitCode>((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), ExitCode.ok)

/** A path for a message: relative to where the user is when it is below it, absolute otherwise. */
export const shownPath = (io: Io, file: string): string => {
  const rel = relative(io.cwd, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

/** A path for a person: `shownPath`, quoted and escaped when its name needs it (see `showPath`). */
export const showFile = (io: Io, file: string): string => showPath(shownPath(io, file))
