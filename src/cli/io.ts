import { createColors } from 'picocolors'
import type { Style } from '../core/render.ts'

export interface Output {
  readonly write: (text: string) => unknown
  readonly isTTY?: boolean
}

/** Everything the CLI touches of its process, passed in so tests run it in-process. */
export interface Io {
  readonly stdout: Output
  readonly stderr: Output
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** SIGINT and SIGTERM: subscribe a handler, get the unsubscribe back. */
  readonly onInterrupt?: (handler: () => void) => () => void
}

/** Colors only for a person at a terminal: not when piped, not with `NO_COLOR` or `--no-color`. */
export const styleFor = (io: Io, color: boolean): Style => {
  const enabled = color && io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === ''
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
