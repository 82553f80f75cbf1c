import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { PAIR_NAME } from '../config/config-codec.ts'
import { type Config, loadConfig } from '../config/config-file.ts'
import type { Plan } from '../core/plan-file.ts'
import { readPlanFile } from '../pair/plan-file-io.ts'
import { type Io, shownPath } from './io.ts'
import type { CliError } from './messages.ts'
import { pairOf, type RunFlags, type TargetFlags } from './pair-target.ts'

/** A plan to apply: a file, or the saved plan of a named pair (with the pair's run settings). */
export interface PlanRef {
  readonly file: string
  readonly name?: string
  readonly flags: RunFlags
  /** The state file the config names for the pair, if it does. */
  readonly state?: string
}

/** `photos` is the saved plan of the pair photos when the config has that pair; anything else is a file. */
export const refsOf = async (
  args: ReadonlyArray<string>,
  flags: RunFlags,
  where: TargetFlags,
  io: Io,
): Promise<E.Either<CliError, ReadonlyArray<PlanRef>>> => {
  let config: Config | null = null
  if (args.some((arg) => PAIR_NAME.test(arg))) {
    const loaded = await loadConfig(where.config, io.cwd)
    if (E.isLeft(loaded)) return loaded
    config = loaded.right
  }
  const refs: PlanRef[] = []
  for (const arg of args) {
    const file = resolve(io.cwd, arg)
    const pair = config !== null && PAIR_NAME.test(arg) ? pairOf(config, arg, flags, {}, io) : undefined
    if (pair !== undefined && E.isRight(pair) && pair.right.planFile !== undefined) {
      const { state } = pair.right.flags
      refs.push({
        file: pair.right.planFile,
        name: arg,
        flags: pair.right.flags,
        ...(state === undefined ? {} : { state }),
      })
      continue
    }
    // A bare word that is neither a pair nor a file: say so, rather than "no such file".
    if (pair !== undefined && E.isLeft(pair) && !(await exists(file))) return pair
    refs.push({ file, flags })
  }
  return E.right(refs)
}

export const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/** The plan a ref names; a named pair without a saved plan is told how to make one. */
export const readRef = async (ref: PlanRef, io: Io): Promise<E.Either<CliError, Plan>> => {
  if (ref.name !== undefined && !(await exists(ref.file)))
    return E.left({ _tag: 'PlanMissing', name: ref.name, file: shownPath(io, ref.file) })
  return readPlanFile(ref.file)()
}
