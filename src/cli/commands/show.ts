import * as E from 'fp-ts/lib/Either.js'
import { render } from '../../core/render.ts'
import { planJson } from '../../pair/plan-file-io.ts'
import { ExitCode, type Io, styleFor } from '../io.ts'
import type { TargetFlags } from '../pair-target.ts'
import { readRef, refsOf } from '../plan-refs.ts'
import { fail, parseLimit, planFooter } from './plan.ts'

export interface ShowFlags extends TargetFlags {
  readonly json?: boolean
  readonly color: boolean
  readonly limit?: string
}

/** A saved plan, as `plan` printed it (or its canonical JSON); a pair name shows that pair's saved plan. */
export const showCommand = async (file: string, flags: ShowFlags, io: Io): Promise<ExitCode> => {
  const limit = parseLimit(flags.limit)
  if (E.isLeft(limit)) return fail(io, limit.left)
  const refs = await refsOf([file], {}, flags, io)
  if (E.isLeft(refs)) return fail(io, refs.left)
  const [ref] = refs.right
  if (ref === undefined) return fail(io, { _tag: 'Usage', message: 'give the plan file to show' })
  const plan = await readRef(ref, io)
  if (E.isLeft(plan)) return fail(io, plan.left)
  io.stdout.write(
    flags.json === true
      ? planJson(plan.right)
      : `${render(plan.right, styleFor(io, flags.color), { limit: limit.right })}${planFooter(plan.right)}`,
  )
  return ExitCode.ok
}
