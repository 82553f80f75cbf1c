import { dirname, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { hasChanges, type Plan } from '../../core/plan-file.ts'
import type { ProgressListener } from '../../core/progress-event.ts'
import { render } from '../../core/render.ts'
import { showPath, showText } from '../../core/show-path.ts'
import { type OpenedPair, openPair, type RunFiles } from '../../pair/open-pair.ts'
import { planDigest, planJson, writePlanFile } from '../../pair/plan-file-io.ts'
import { planOpened } from '../../pair/run-pair.ts'
import { ExitCode, type Io, showFile, styleFor, worst } from '../io.ts'
import { type CliError, messageOf } from '../messages.ts'
import { type PairFlags, pairSpecOf } from '../pair-options.ts'
import { type PairTarget, type TargetFlags, targetsOf } from '../pair-target.ts'
import { type ProgressMode, type ProgressOutput, progressOutput } from '../progress/progress-output.ts'

export interface PlanFlags extends PairFlags, TargetFlags {
  readonly out?: string
  readonly json?: boolean
  readonly detailedExitcode?: boolean
  readonly color: boolean
  readonly limit?: string
  readonly progress: ProgressMode
}

/** Prints the error as one line (naming the pair when a run has several) and gives the exit code. */
export const fail = (io: Io, error: CliError, pair?: string): ExitCode => {
  // messageOf shows every path escaped; showText is the last guard for anything else that slipped in.
  io.stderr.write(`error: ${pair === undefined ? '' : `${pair}: `}${showText(messageOf(error))}\n`)
  return ExitCode.error
}

export const usage = (message: string): CliError => ({ _tag: 'Usage', message })

/** `--limit N`: how many lines of a plan to show; 0 shows them all. */
export const parseLimit = (text: string | undefined): E.Either<CliError, number> => {
  if (text === undefined) return E.right(0)
  const limit = Number(text)
  return Number.isInteger(limit) && limit >= 0
    ? E.right(limit)
    : E.left(usage(`--limit takes a whole number of lines, 0 for all (got "${text}")`))
}

/**
 * Opens the pair the target names and plans it (see `openPair` and `planOpened`: the same path as the
 * library's); `plan` and `sync` share it. The pair stays open for `sync` to apply to; the caller closes it.
 */
export const makePlan = async (
  target: PairTarget,
  io: Io,
  files: RunFiles,
  onProgress?: ProgressListener,
): Promise<E.Either<CliError, { readonly plan: Plan; readonly pair: OpenedPair }>> => {
  const spec = pairSpecOf(target.source, target.destination, target.flags, io)
  if (E.isLeft(spec)) return spec
  const opened = await openPair(spec.right, io, files)()
  if (E.isLeft(opened)) return opened
  const planned = await planOpened(opened.right, {
    onRecovered: () =>
      io.stderr.write('Note: an interrupted apply was found; what it finished is now in the state.\n'),
    ...(onProgress === undefined ? {} : { onProgress }),
  })()
  if (E.isLeft(planned)) {
    await opened.right.close()
    return planned
  }
  return E.right({ plan: planned.right, pair: opened.right })
}

/** The line after a rendered plan: its digest, which `apply --expect-digest` pins. */
export const planFooter = (plan: Plan): string => `\nPlan digest: sha256:${planDigest(plan)}\n`

/** The heading over each pair's output when a run covers several. */
export const pairHeading = (name: string | undefined, several: boolean): string =>
  several && name !== undefined ? `\n== ${name} ==\n` : ''

const planOne = async (
  target: PairTarget,
  flags: PlanFlags,
  limit: number,
  several: boolean,
  progress: ProgressOutput,
  io: Io,
): Promise<ExitCode> => {
  // A named pair's plan is always saved, in the plans folder, so that `apply NAME` finds it.
  const out = flags.out === undefined ? target.planFile : resolve(io.cwd, flags.out)
  // The plans folder of named pairs is kept out of both snapshots when it sits inside a root.
  const planFiles = out === undefined ? {} : flags.out === undefined ? { out, folder: dirname(out) } : { out }
  const made = await makePlan(target, io, planFiles, progress.onProgress)
  progress.stop()
  if (E.isLeft(made)) return fail(io, made.left, several ? target.name : undefined)
  const { plan } = made.right
  await made.right.pair.close()
  if (flags.json === true) progress.out.write(planJson(plan))
  else
    progress.out.write(
      `${pairHeading(target.name, several)}${render(plan, styleFor(io, flags.color, progress.out), { limit })}${planFooter(plan)}`,
    )
  if (out !== undefined) {
    const written = await writePlanFile(out, plan)()
    if (E.isLeft(written)) return fail(io, written.left, several ? target.name : undefined)
    const byName = target.name !== undefined && flags.out === undefined && flags.outDir === undefined
    const config = flags.config === undefined ? '' : ` --config ${showPath(flags.config)}`
    const saved = flags.out === undefined ? showFile(io, out) : showPath(flags.out)
    const applyWith = byName ? `${target.name}${config}` : saved
    if (flags.json !== true)
      io.stderr.write(`\nSaved the plan to ${saved}. Apply it with: syncengine apply ${applyWith}\n`)
  } else if (flags.json !== true && hasChanges(plan)) {
    io.stderr.write('\nNote: no --out given, so this plan was not saved and cannot be applied as reviewed.\n')
  }
  return flags.detailedExitcode === true && hasChanges(plan) ? ExitCode.changes : ExitCode.ok
}

export const planCommand = async (
  args: ReadonlyArray<string>,
  flags: PlanFlags,
  io: Io,
): Promise<ExitCode> => {
  if (flags.all === true && flags.out !== undefined)
    return fail(io, usage('--out names one plan file; with --all each plan goes to --out-dir'))
  if (flags.json === true && flags.progress === 'json')
    return fail(io, usage('--json and --progress json both print to stdout; choose one'))
  const limit = parseLimit(flags.limit)
  if (E.isLeft(limit)) return fail(io, limit.left)
  const targets = await targetsOf(args, flags, flags, io)
  if (E.isLeft(targets)) return fail(io, targets.left)
  if (flags.json === true && targets.right.length > 1)
    return fail(io, usage('--json prints one plan; with --all, read the saved plans in --out-dir'))
  const progress = progressOutput(io, flags.progress)
  const several = targets.right.length > 1
  const codes: ExitCode[] = []
  for (const target of targets.right)
    codes.push(await planOne(target, flags, limit.right, several, progress, io))
  return worst(codes)
}
