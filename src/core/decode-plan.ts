import * as E from 'fp-ts/lib/Either.js'
import { describeErrors } from './codec.ts'
import { derivedMismatches } from './plan/derived.ts'
import { duplicateProblems } from './plan/duplicates.ts'
import { Plan } from './plan-file.ts'

export type PlanDecodeError = { readonly _tag: 'PlanInvalid'; readonly problems: ReadonlyArray<string> }

/**
 * A plan file as a Plan, or what is wrong with it and where: the codec checks every field and path; no
 * path may be written or removed twice; and the fields that follow from the actions (the summary, the
 * delete guard's verdict) must be what the actions give, or the plan was edited.
 */
export const decodePlan = (json: unknown): E.Either<PlanDecodeError, Plan> => {
  const decoded = Plan.decode(json)
  if (E.isLeft(decoded)) return E.left({ _tag: 'PlanInvalid', problems: describeErrors(decoded.left) })
  const problems = [...duplicateProblems(decoded.right), ...derivedMismatches(decoded.right)].slice(0, 5)
  return problems.length > 0 ? E.left({ _tag: 'PlanInvalid', problems }) : decoded
}
