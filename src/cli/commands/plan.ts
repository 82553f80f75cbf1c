import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { hasChanges, type Plan } from '../../core/plan-file.ts'
import { render } from '../../core/render.ts'
import { planDigest, planJson, writePlanFile } from '../../pair/plan-file-io.ts'
import { planPair } from '../../pair/plan-pair.ts'
import { recoverBeforePlanning } from '../../pair/recover.ts'
import { loadState } from '../../state/state-file.ts'
import { openStorage } from '../../storage/open.ts'
import { ExitCode, type Io, styleFor } from '../io.ts'
import { type CliError, messageOf } from '../messages.ts'
import { type PairFlags, type PairSetup, pairSetup } from '../pair-options.ts'

export interface PlanFlags extends PairFlags {
  readonly out?: string
  readonly json?: boolean
  readonly detailedExitcode?: boolean
  readonly color: boolean
}

export const fail = (io: Io, error: CliError): ExitCode => {
  io.stderr.write(`error: ${messageOf(error)}\n`)
  return ExitCode.error
}

/** Folds an interrupted apply into the state, snapshots, loads the state and plans; `plan` and `sync` share it. */
export const makePlan = async (
  sourceArg: string,
  destinationArg: string,
  flags: PairFlags,
  io: Io,
  ownFiles: ReadonlyArray<string>,
): Promise<E.Either<CliError, { readonly plan: Plan; readonly setup: PairSetup }>> => {
  const setup = pairSetup(sourceArg, destinationArg, flags, io, ownFiles)
  if (E.isLeft(setup)) return setup
  const { source, destination, stateFile } = setup.right
  const sides = { source: openStorage(source, io.cwd), destination: openStorage(destination, io.cwd) }
  const recovered = await recoverBeforePlanning(stateFile, { source, destination }, sides)
  if (E.isLeft(recovered)) return recovered
  if (recovered.right)
    io.stderr.write('Note: an interrupted apply was found; what it finished is now in the state.\n')
  const state = await loadState(stateFile, { source, destination })()
  if (E.isLeft(state)) return state
  const planned = await planPair({
    sides,
    state: state.right,
    policy: setup.right.policy,
    exclude: setup.right.exclude,
  })()
  if (E.isLeft(planned)) return planned
  const plan = setup.right.customStateFile ? { ...planned.right, stateFile } : planned.right
  return E.right({ plan, setup: setup.right })
}

/** The lines after a rendered plan: its digest, and a warning when apply would refuse it. */
export const planFooter = (plan: Plan): string => {
  const blocked =
    plan.blocked === null
      ? ''
      : `\nBlocked: this plan deletes ${plan.blocked.deletes} of ${plan.blocked.files} files on the ${plan.blocked.side} (limit ${plan.blocked.limit}). If that is intended, plan again with --allow-mass-delete.\n`
  return `${blocked}\nPlan digest: sha256:${planDigest(plan)}\n`
}

export const planCommand = async (
  source: string,
  destination: string,
  flags: PlanFlags,
  io: Io,
): Promise<ExitCode> => {
  const made = await makePlan(source, destination, flags, io, flags.out === undefined ? [] : [flags.out])
  if (E.isLeft(made)) return fail(io, made.left)
  const { plan } = made.right
  if (flags.json === true) io.stdout.write(planJson(plan))
  else io.stdout.write(`${render(plan, styleFor(io, flags.color))}${planFooter(plan)}`)
  if (flags.out !== undefined) {
    const written = await writePlanFile(resolve(io.cwd, flags.out), plan)()
    if (E.isLeft(written)) return fail(io, written.left)
    if (flags.json !== true)
      io.stderr.write(`\nSaved the plan to ${flags.out}. Apply it with: syncengine apply ${flags.out}\n`)
  } else if (flags.json !== true && hasChanges(plan)) {
    io.stderr.write('\nNote: no --out given, so this plan was not saved and cannot be applied as reviewed.\n')
  }
  if (flags.detailedExitcode === true && hasChanges(plan)) return ExitCode.changes
  return ExitCode.ok
}
