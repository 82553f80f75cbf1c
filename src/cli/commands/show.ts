import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { render } from '../../core/render.ts'
import { planJson, readPlanFile } from '../../pair/plan-file-io.ts'
import { ExitCode, type Io, styleFor } from '../io.ts'
import { fail, planFooter } from './plan.ts'

export const showCommand = async (
  file: string,
  flags: { readonly json?: boolean; readonly color: boolean },
  io: Io,
): Promise<ExitCode> => {
  const plan = await readPlanFile(resolve(io.cwd, file))()
  if (E.isLeft(plan)) return fail(io, plan.left)
  io.stdout.write(
    flags.json === true
      ? planJson(plan.right)
      : `${render(plan.right, styleFor(io, flags.color))}${planFooter(plan.right)}`,
  )
  return ExitCode.ok
}
