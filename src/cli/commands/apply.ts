import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ApplyReport, isComplete } from '../../apply/apply.ts'
import type { ActionOutcome } from '../../apply/run-action.ts'
import type { Action } from '../../core/action.ts'
import type { Plan } from '../../core/plan-file.ts'
import { applyPair } from '../../pair/apply-pair.ts'
import { readPlanFile } from '../../pair/plan-file-io.ts'
import { defaultStateFile } from '../../state/state-file.ts'
import { openStorage } from '../../storage/open.ts'
import { ExitCode, type Io } from '../io.ts'
import { fail } from './plan.ts'

const where = (action: Action): string =>
  action.kind === 'move' ? `${action.from} → ${action.to}` : action.path

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

export const reportApply = (report: ApplyReport, io: Io): ExitCode => {
  for (const { action, outcome } of report.finished) {
    const line = problem(action, outcome)
    if (line !== undefined) io.stderr.write(`${line}\n`)
  }
  const { applied, alreadyDone, drifted, failed } = report.counts
  const left = report.conflictsLeft > 0 ? `, ${report.conflictsLeft} conflict(s) left for you to resolve` : ''
  io.stdout.write(
    `Apply ${isComplete(report) ? 'complete' : 'incomplete'}: ${applied} applied, ${alreadyDone} already done, ${drifted} skipped (changed since the plan), ${failed} failed${left}.\n`,
  )
  return isComplete(report) ? ExitCode.ok : ExitCode.incomplete
}

export const applyLoaded = async (plan: Plan, stateFile: string, io: Io): Promise<ExitCode> => {
  const applied = await applyPair({
    plan,
    sides: {
      source: openStorage(plan.source.root, io.cwd),
      destination: openStorage(plan.destination.root, io.cwd),
    },
    stateFile,
  })()
  if (E.isLeft(applied)) return fail(io, applied.left)
  return reportApply(applied.right, io)
}

export const applyCommand = async (
  file: string,
  flags: { readonly state?: string },
  io: Io,
): Promise<ExitCode> => {
  const plan = await readPlanFile(resolve(io.cwd, file))()
  if (E.isLeft(plan)) return fail(io, plan.left)
  const stateFile =
    flags.state !== undefined
      ? resolve(io.cwd, flags.state)
      : (plan.right.stateFile ??
        defaultStateFile(plan.right.source.root, plan.right.destination.root, io.env))
  return applyLoaded(plan.right, stateFile, io)
}
