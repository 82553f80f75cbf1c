import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { isComplete } from '../../apply/apply.ts'
import type { Action } from '../../core/action.ts'
import type { ActionOutcome } from '../../core/outcome.ts'
import type { Plan } from '../../core/plan-file.ts'
import { showNaming, showPath } from '../../core/show-path.ts'
import type { PairReport } from '../../pair/apply-pair.ts'
import { type OpenedPair, openPair } from '../../pair/open-pair.ts'
import { planDigest } from '../../pair/plan-file-io.ts'
import { isInside, locate, samePlace } from '../../pair/real-location.ts'
import { DEFAULT_TRANSFERS } from '../../pair/run-defaults.ts'
import { applyOpened } from '../../pair/run-pair.ts'
import { readSettings, STORAGE_GROUPS, storageOptionsOf, type ValuesOf } from '../../pair/settings.ts'
import { defaultStateFile } from '../../state/state-file.ts'
import { ExitCode, type Io, type Output, showFile, worst } from '../io.ts'
import { type CliError, wordsFor } from '../messages.ts'
import type { RunFlags, TargetFlags } from '../pair-target.ts'
import { type PlanRef, readRef, refsOf } from '../plan-refs.ts'
import { type ProgressMode, type ProgressOutput, progressOutput } from '../progress/progress-output.ts'
import { fail, usage } from './plan.ts'

const namesOf = (action: Action): ReadonlyArray<string> =>
  action.kind === 'move' || action.kind === 'clone'
    ? [action.from, action.to]
    : action.kind === 'copy' && action.from !== undefined
      ? [action.from, action.path]
      : [action.path]

const where = (action: Action): string =>
  action.kind === 'move' || action.kind === 'clone'
    ? `${showPath(action.from)} → ${showPath(action.to)}`
    : showPath(action.path)

const problem = (action: Action, outcome: ActionOutcome): string | undefined => {
  switch (outcome.status) {
    case 'drifted':
      return `skipped ${action.kind} ${where(action)}: ${showNaming(outcome.why, namesOf(action))}`
    case 'failed': {
      // The system's message names paths: they are shown as paths, like everywhere else.
      const { code, message } = outcome.error
      return `failed ${action.kind} ${where(action)}: ${wordsFor(code) ?? showNaming(message, namesOf(action))}`
    }
    default:
      return undefined
  }
}

export const reportApply = (report: PairReport, io: Io, interrupted: boolean, out: Output): ExitCode => {
  for (const { action, outcome } of report.finished) {
    const line = problem(action, outcome)
    if (line !== undefined) io.stderr.write(`${line}\n`)
  }
  const { applied, alreadyDone, drifted, failed } = report.counts
  const left = report.conflictsLeft > 0 ? `, ${report.conflictsLeft} conflict(s) left for you to resolve` : ''
  const stopped = report.notStarted > 0 ? `, ${report.notStarted} not started` : ''
  const resumed = report.resumed > 0 ? ` (${report.resumed} by the interrupted apply this one resumed)` : ''
  const status = interrupted ? 'interrupted' : isComplete(report) ? 'complete' : 'incomplete'
  out.write(
    `Apply ${status}: ${applied} applied, ${alreadyDone} already done${resumed}, ${drifted} skipped (changed since the plan), ${failed} failed${stopped}${left}.\n`,
  )
  if (interrupted) out.write('Run the same apply again to finish it, or plan again.\n')
  return interrupted ? ExitCode.interrupted : isComplete(report) ? ExitCode.ok : ExitCode.incomplete
}

const runOptions = (flags: RunFlags, cwd: string): E.Either<CliError, ValuesOf<'run'>> => {
  const read = readSettings(flags, ['run'], cwd)
  return read.ok ? E.right(read.value) : E.left(usage(read.problem))
}

/** How many files in transfer the live display shows: as many as run at once, within reason. */
export const slotsFor = (flags: RunFlags): number =>
  Math.min(6, Math.max(1, Number(flags.transfers ?? DEFAULT_TRANSFERS) || 1))

/** Carries out a plan with the progress display or events, and reports how it went. */
export const applyLoaded = async (
  plan: Plan,
  pair: OpenedPair,
  flags: RunFlags,
  io: Io,
  progress: ProgressOutput,
): Promise<ExitCode> => {
  const options = runOptions(flags, io.cwd)
  if (E.isLeft(options)) return fail(io, options.left)
  const controller = new AbortController()
  const unsubscribe = io.onInterrupt?.(() => {
    if (!controller.signal.aborted)
      progress.note('\nStopping: finishing the actions in progress, then saving…\n')
    controller.abort()
  })
  try {
    const applied = await applyOpened(pair, plan, {
      signal: controller.signal,
      transfers: options.right.transfers,
      retry: { retries: options.right.retries, delayMs: options.right.retryDelay },
      ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
    })()
    progress.stop()
    if (E.isLeft(applied)) {
      if (applied.left._tag !== 'ApplyNotRecorded') return fail(io, applied.left)
      // Something may have been done: say what, then why it stopped; exit 1 only if nothing was.
      const { report } = applied.left
      reportApply(report, io, false, progress.out)
      fail(io, applied.left)
      return report.counts.applied + report.counts.alreadyDone > 0 ? ExitCode.incomplete : ExitCode.error
    }
    return reportApply(applied.right, io, controller.signal.aborted, progress.out)
  } finally {
    progress.stop()
    unsubscribe?.()
  }
}

export interface ApplyFlags extends RunFlags, TargetFlags {
  readonly state?: string
  readonly expectDigest?: string
  readonly expectSource?: string
  readonly expectDestination?: string
  readonly progress: ProgressMode
  readonly quiet?: boolean
}

const applyOne = async (
  ref: PlanRef,
  flags: ApplyFlags,
  progress: ProgressOutput,
  io: Io,
): Promise<ExitCode> => {
  const plan = await readRef(ref, io)
  if (E.isLeft(plan)) return fail(io, plan.left)
  if (flags.expectDigest !== undefined) {
    const expected = flags.expectDigest
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, '')
    const actual = planDigest(plan.right)
    if (expected !== actual) return fail(io, { _tag: 'DigestMismatch', file: ref.file, expected, actual })
  }
  const expectedRoots = { source: flags.expectSource, destination: flags.expectDestination }
  for (const side of ['source', 'destination'] as const) {
    const given = expectedRoots[side]
    if (given === undefined) continue
    // The folder a reviewer names is the plan's when it is the same place, however either is spelled.
    const [expected, planned] = await Promise.all([
      locate(resolve(io.cwd, given)),
      locate(plan.right[side].root),
    ])
    if (!samePlace(expected, planned))
      return fail(io, {
        _tag: 'RootMismatch',
        side,
        planned: plan.right[side].root,
        given: resolve(io.cwd, given),
      })
  }
  const stateFile = await stateFileFor(plan.right, ref, flags, io)
  if (E.isLeft(stateFile)) return fail(io, stateFile.left)
  const storage = readSettings(ref.flags, STORAGE_GROUPS, io.cwd)
  if (!storage.ok) return fail(io, usage(storage.problem))
  const storageOptions = storageOptionsOf(storage.value)
  const opened = await openPair(
    {
      source: plan.right.source.root,
      destination: plan.right.destination.root,
      stateFile: stateFile.right,
      policy: plan.right.policy,
      ...(Object.keys(storageOptions).length === 0 ? {} : { storage: storageOptions }),
    },
    io,
  )()
  if (E.isLeft(opened)) return fail(io, opened.left)
  try {
    return await applyLoaded(plan.right, opened.right, ref.flags, io, progress)
  } finally {
    await opened.right.close()
  }
}

/**
 * The state an apply reads and writes: `--state`, else the one the plan names, else the pair's
 * configured one, else the default. A state file only the plan names (a plan file can be edited by
 * anyone) may not be inside a root: there it would overwrite a synced file, or be synced itself.
 */
const stateFileFor = async (
  plan: Plan,
  ref: PlanRef,
  flags: ApplyFlags,
  io: Io,
): Promise<E.Either<CliError, string>> => {
  if (flags.state !== undefined) return E.right(resolve(io.cwd, flags.state))
  const configured = ref.state
  if (plan.stateFile === undefined)
    return E.right(configured ?? defaultStateFile(plan.source.root, plan.destination.root, io.env))
  const named = await locate(plan.stateFile)
  if (configured !== undefined && samePlace(named, await locate(configured))) return E.right(plan.stateFile)
  for (const side of ['source', 'destination'] as const) {
    const root = plan[side].root
    if (isInside(await locate(root), named))
      return E.left({ _tag: 'StateInsideRoot', side, root, file: plan.stateFile })
  }
  return E.right(plan.stateFile)
}

/** Applies each plan in turn; the exit code is the worst of them, and an interrupt stops the rest. */
export const applyCommand = async (
  args: ReadonlyArray<string>,
  flags: ApplyFlags,
  io: Io,
): Promise<ExitCode> => {
  if (args.length > 1) {
    const single = [
      ['--state', flags.state],
      ['--expect-digest', flags.expectDigest],
      ['--expect-source', flags.expectSource],
      ['--expect-destination', flags.expectDestination],
    ].find(([, value]) => value !== undefined)
    if (single !== undefined)
      return fail(io, usage(`${single[0]} is for one plan; apply the plans one at a time to use it`))
  }
  const refs = await refsOf(args, flags, flags, io)
  if (E.isLeft(refs)) return fail(io, refs.left)
  const progress = progressOutput(io, flags.progress, { quiet: flags.quiet === true, slots: slotsFor(flags) })
  const codes: ExitCode[] = []
  for (const ref of refs.right) {
    if (refs.right.length > 1) progress.out.write(`\n== ${ref.name ?? showFile(io, ref.file)} ==\n`)
    const code = await applyOne(ref, flags, progress, io)
    codes.push(code)
    if (code === ExitCode.interrupted) break
  }
  return worst(codes)
}
