import * as E from 'fp-ts/lib/Either.js'
import { render } from '../../core/render.ts'
import type { ExitCode } from '../io.ts'
import { type Io, styleFor } from '../io.ts'
import type { PairFlags } from '../pair-options.ts'
import { applyLoaded, type RunFlags } from './apply.ts'
import { fail, makePlan, planFooter } from './plan.ts'

/** Plan and apply in one go, for scripts that do not review: the plan is still printed first. */
export const syncCommand = async (
  source: string,
  destination: string,
  flags: PairFlags & RunFlags & { readonly color: boolean; readonly quiet?: boolean },
  io: Io,
): Promise<ExitCode> => {
  const made = await makePlan(source, destination, flags, io, [])
  if (E.isLeft(made)) return fail(io, made.left)
  const { plan, setup } = made.right
  if (flags.quiet !== true) io.stdout.write(`${render(plan, styleFor(io, flags.color))}${planFooter(plan)}\n`)
  return applyLoaded(plan, setup.stateFile, flags, io)
}
