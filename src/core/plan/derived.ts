import { canonicalJson } from '../canonical-json.ts'
import { Blocked, type Plan, Summary } from '../plan-file.ts'
import { guardDeletes } from './delete-guard.ts'
import { summarize } from './summary.ts'

/**
 * What a plan file states that follows from the rest of it: the summary and the delete guard's verdict.
 * Whoever reads a plan derives them again, from the actions and the policy, instead of trusting them: a
 * hand-edited `"blocked": null` must not let a mass delete through, nor a doctored summary hide one.
 */
export const derivedOf = (plan: Plan): { readonly summary: Summary; readonly blocked: Blocked | null } => ({
  summary: summarize(plan.actions, plan.conflicts, plan.records),
  blocked: guardDeletes(plan.actions, { source: plan.source, destination: plan.destination }, plan.policy),
})

/** Where the plan's stored derived fields disagree with what its actions say, one line each. */
export const derivedMismatches = (plan: Plan): ReadonlyArray<string> => {
  const derived = derivedOf(plan)
  const problems: string[] = []
  if (canonicalJson(Summary.encode(plan.summary)) !== canonicalJson(Summary.encode(derived.summary)))
    problems.push('summary: it does not count what the actions do (the plan was edited)')
  const stored = plan.blocked === null ? null : Blocked.encode(plan.blocked)
  const recomputed = derived.blocked === null ? null : Blocked.encode(derived.blocked)
  if (canonicalJson(stored) !== canonicalJson(recomputed))
    problems.push(
      recomputed === null
        ? 'blocked: the plan says it is blocked, but its actions and policy do not block it (the plan was edited)'
        : "blocked: the delete guard blocks this plan's actions, but the plan says otherwise (the plan was edited)",
    )
  return problems
}
