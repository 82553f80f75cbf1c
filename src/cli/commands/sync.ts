import * as E from 'fp-ts/lib/Either.js'
import { render } from '../../core/render.ts'
import { ExitCode, type Io, styleFor, worst } from '../io.ts'
import type { PairFlags } from '../pair-options.ts'
import { type RunFlags, type TargetFlags, targetsOf } from '../pair-target.ts'
import { type ProgressMode, progressOutput } from '../progress/progress-output.ts'
import { applyLoaded, slotsFor } from './apply.ts'
import { fail, makePlan, pairHeading, parseLimit, planFooter } from './plan.ts'

export interface SyncFlags extends PairFlags, RunFlags, TargetFlags {
  readonly color: boolean
  readonly quiet?: boolean
  readonly limit?: string
  readonly progress: ProgressMode
}

/**
 * Plan and apply in one go, for scripts that do not review: the plan is still printed first. With several
 * pairs (`--all`) each is synced in turn; the exit code is the worst, and an interrupt stops the rest.
 */
export const syncCommand = async (
  args: ReadonlyArray<string>,
  flags: SyncFlags,
  io: Io,
): Promise<ExitCode> => {
  const limit = parseLimit(flags.limit)
  if (E.isLeft(limit)) return fail(io, limit.left)
  const targets = await targetsOf(args, flags, flags, io)
  if (E.isLeft(targets)) return fail(io, targets.left)
  const several = targets.right.length > 1
  const progress = progressOutput(io, flags.progress, { quiet: flags.quiet === true, slots: slotsFor(flags) })
  const codes: ExitCode[] = []
  for (const target of targets.right) {
    const made = await makePlan(target, io, {}, progress.onProgress)
    progress.stop()
    if (E.isLeft(made)) {
      codes.push(fail(io, made.left, several ? target.name : undefined))
      continue
    }
    const { plan, pair } = made.right
    if (flags.quiet !== true) {
      const style = styleFor(io, flags.color, progress.out)
      progress.out.write(
        `${pairHeading(target.name, several)}${render(plan, style, { limit: limit.right })}${planFooter(plan)}\n`,
      )
    } else if (several) progress.out.write(pairHeading(target.name, several))
    const code = await applyLoaded(plan, pair, target.flags, io, progress).finally(pair.close)
    codes.push(code)
    if (code === ExitCode.interrupted) break
  }
  return worst(codes)
}
