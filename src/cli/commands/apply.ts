import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ApplyReport, isComplete } from '../../apply/apply.ts'
import type { ActionOutcome } from '../../apply/run-action.ts'
import { type Action, pathsOf } from '../../core/action.ts'
import type { Plan } from '../../core/plan-file.ts'
import { isWithin, type RelPath } from '../../core/rel-path.ts'
import { applyPair } from '../../pair/apply-pair.ts'
import { planDigest, readPlanFile } from '../../pair/plan-file-io.ts'
import { defaultStateFile } from '../../state/state-file.ts'
import { openStorage } from '../../storage/open.ts'
import { ExitCode, type Io } from '../io.ts'
import type { CliError } from '../messages.ts'
import { ownFilesOf, within } from '../pair-options.ts'
import { fail } from './plan.ts'

/** How apply runs, from the command line. */
export interface RunFlags {
  readonly transfers: string
  readonly retries: string
  readonly retryDelay: string
}

const where = (action: Action): string =>
  action.kind === 'move' || action.kind === 'clone' ? `${action.from} → ${action.to}` : action.path

const problem = (action: Action, outcome: ActionOutcome): string | undefined => {
  switch (outcome.status) {
    case 'drifted':
      return `skipped ${action.kind} ${where(action)}: ${outcome.why}`
    case 'failed':
      return `failed ${action.kind} ${where(action)}: ${outcome.error.message}`
    default:
      return undefined
  }
}

export const reportApply = (report: ApplyReport, io: Io, interrupted: boolean): ExitCode => {
  for (const { action, outcome } of report.finished) {
    const line = problem(action, outcome)
    if (line !== undefined) io.stderr.write(`${line}\n`)
  }
  const { applied, alreadyDone, drifted, failed } = report.counts
  const left = report.conflictsLeft > 0 ? `, ${report.conflictsLeft} conflict(s) left for you to resolve` : ''
  const stopped = report.notStarted > 0 ? `, ${report.notStarted} not started` : ''
  const status = interrupted ? 'interrupted' : isComplete(report) ? 'complete' : 'incomplete'
  io.stdout.write(
    `Apply ${status}: ${applied} applied, ${alreadyDone} already done, ${drifted} skipped (changed since the plan), ${failed} failed${stopped}${left}.\n`,
  )
  if (interrupted) io.stdout.write('Run the same apply again to finish it, or plan again.\n')
  return interrupted ? ExitCode.interrupted : isComplete(report) ? ExitCode.ok : ExitCode.incomplete
}

const runOptions = (
  flags: RunFlags,
): E.Either<CliError, { transfers: number; retries: number; delayMs: number }> => {
  const transfers = Number(flags.transfers)
  const retries = Number(flags.retries)
  const delayMs = Number(flags.retryDelay)
  if (!Number.isInteger(transfers) || transfers < 1)
    return E.left({
      _tag: 'Usage',
      message: `--transfers takes a whole number from 1 (got "${flags.transfers}")`,
    })
  if (!Number.isInteger(retries) || retries < 0)
    return E.left({
      _tag: 'Usage',
      message: `--retries takes a whole number from 0 (got "${flags.retries}")`,
    })
  if (!Number.isFinite(delayMs) || delayMs < 0)
    return E.left({ _tag: 'Usage', message: `--retry-delay takes milliseconds (got "${flags.retryDelay}")` })
  return E.right({ transfers, retries, delayMs })
}

/** The pair's own files may sit inside a root; no plan, however written, may touch them. */
const touchesOwnFiles = (plan: Plan, stateFile: string): CliError | undefined => {
  const names = ['state file', 'journal', 'lock file']
  for (const side of ['source', 'destination'] as const) {
    for (const [i, file] of ownFilesOf(stateFile).entries()) {
      const own = within(plan[side].root, file)
      if (own === undefined) continue
      const hits = (p: RelPath): boolean => p === own || isWithin(own, p)
      const touched = plan.actions.some(
        (a) => pathsOf(a).some(hits) || (a.kind === 'copy' && a.from !== undefined && hits(a.from)),
      )
      if (touched) return { _tag: 'PlanTouchesOwnFile', path: file, file: names[i] ?? 'file' }
    }
  }
  return undefined
}

export const applyLoaded = async (
  plan: Plan,
  stateFile: string,
  flags: RunFlags,
  io: Io,
): Promise<ExitCode> => {
  const options = runOptions(flags)
  if (E.isLeft(options)) return fail(io, options.left)
  const own = touchesOwnFiles(plan, stateFile)
  if (own !== undefined) return fail(io, own)
  const controller = new AbortController()
  const unsubscribe = io.onInterrupt?.(() => {
    if (!controller.signal.aborted)
      io.stderr.write('\nStopping: finishing the actions in progress, then saving…\n')
    controller.abort()
  })
  try {
    const applied = await applyPair({
      plan,
      sides: {
        source: openStorage(plan.source.root, io.cwd),
        destination: openStorage(plan.destination.root, io.cwd),
      },
      stateFile,
      signal: controller.signal,
      transfers: options.right.transfers,
      retry: { retries: options.right.retries, delayMs: options.right.delayMs },
    })()
    if (E.isLeft(applied)) return fail(io, applied.left)
    return reportApply(applied.right, io, controller.signal.aborted)
  } finally {
    unsubscribe?.()
  }
}

export interface ApplyFlags extends RunFlags {
  readonly state?: string
  readonly expectDigest?: string
}

export const applyCommand = async (
  file: string,
  roots: ReadonlyArray<string>,
  flags: ApplyFlags,
  io: Io,
): Promise<ExitCode> => {
  const path = resolve(io.cwd, file)
  const plan = await readPlanFile(path)()
  if (E.isLeft(plan)) return fail(io, plan.left)
  if (flags.expectDigest !== undefined) {
    const expected = flags.expectDigest
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, '')
    const actual = planDigest(plan.right)
    if (expected !== actual) return fail(io, { _tag: 'DigestMismatch', file: path, expected, actual })
  }
  if (roots.length === 1)
    return fail(io, { _tag: 'Usage', message: 'give both SOURCE and DESTINATION, or neither' })
  for (const [i, side] of (['source', 'destination'] as const).entries()) {
    const given = roots[i]
    if (given !== undefined && resolve(io.cwd, given) !== plan.right[side].root)
      return fail(io, {
        _tag: 'RootMismatch',
        side,
        planned: plan.right[side].root,
        given: resolve(io.cwd, given),
      })
  }
  const stateFile =
    flags.state !== undefined
      ? resolve(io.cwd, flags.state)
      : (plan.right.stateFile ??
        defaultStateFile(plan.right.source.root, plan.right.destination.root, io.env))
  return applyLoaded(plan.right, stateFile, flags, io)
}
