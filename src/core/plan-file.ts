import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { Action } from './action.ts'
import { describeErrors } from './codec.ts'
import { Entry } from './entry.ts'
import { Policy } from './policy.ts'
import { RelPath } from './rel-path.ts'
import { showPath } from './show-path.ts'
import { Side, targetOf } from './side.ts'
import { Warning } from './snapshot.ts'

export const PLAN_FORMAT = 'syncengine-plan'
export const PLAN_VERSION = 1

export const ConflictOutcome = t.keyof({
  'left-alone': null,
  'source-wins': null,
  'destination-wins': null,
  'kept-both': null,
})
export type ConflictOutcome = t.TypeOf<typeof ConflictOutcome>

/** A path both sides changed in ways that differ, and what the strategy did about it. */
export const Conflict = t.type({
  path: RelPath,
  source: t.union([Entry, t.null]),
  destination: t.union([Entry, t.null]),
  outcome: ConflictOutcome,
  reason: t.string,
})
export type Conflict = t.TypeOf<typeof Conflict>

/** A path already the same on both sides whose state the apply records without touching it. */
export const StateRecord = t.type({ path: RelPath, source: Entry, destination: Entry })
export type StateRecord = t.TypeOf<typeof StateRecord>

export const RootInfo = t.type({
  root: t.string,
  existed: t.boolean,
  /** Files and symlinks in scope on that side when the plan was made: what the delete guard counts against. */
  files: t.number,
  fingerprint: t.string,
})
export type RootInfo = t.TypeOf<typeof RootInfo>

export const Summary = t.type({
  upload: t.number,
  download: t.number,
  move: t.number,
  delete: t.type({ source: t.number, destination: t.number }),
  conflict: t.number,
  record: t.number,
  /** Copies made within a side instead of a transfer (a conflict's losing version, a backup's rename). */
  local: t.type({ source: t.number, destination: t.number }),
  bytes: t.type({ upload: t.number, download: t.number }),
})
export type Summary = t.TypeOf<typeof Summary>

/** Why apply refuses the plan as it is: it deletes more than the limit allows. */
export const Blocked = t.type({ side: Side, deletes: t.number, files: t.number, limit: t.string })
export type Blocked = t.TypeOf<typeof Blocked>

export const Plan = t.intersection([
  t.type({
    format: t.literal(PLAN_FORMAT),
    version: t.literal(PLAN_VERSION),
    source: RootInfo,
    destination: RootInfo,
    /** The state the plan was computed against; null when there was none (a first sync). */
    state: t.union([t.type({ lineage: t.string, serial: t.number }), t.null]),
    policy: Policy,
    actions: t.readonlyArray(Action),
    conflicts: t.readonlyArray(Conflict),
    records: t.readonlyArray(StateRecord),
    forget: t.readonlyArray(RelPath),
    warnings: t.readonlyArray(Warning),
    summary: Summary,
    blocked: t.union([Blocked, t.null]),
  }),
  t.partial({
    /** Where the state lives, when the plan was made with one other than the default. */
    stateFile: t.string,
  }),
])
export type Plan = t.TypeOf<typeof Plan>

export type PlanDecodeError = { readonly _tag: 'PlanInvalid'; readonly problems: ReadonlyArray<string> }

/**
 * What each action does to a path of a side: `puts` something there (a copy, a folder, the new name of a
 * move or a local copy) or `takes` what is there away (a delete, the old name of a move). A path may be
 * taken and then put (a file replaced by a folder), never put twice or taken twice.
 */
const effectsOf = (
  action: Action,
): ReadonlyArray<{ readonly how: 'puts' | 'takes'; readonly side: Side; readonly path: string }> => {
  switch (action.kind) {
    case 'copy':
      return [{ how: 'puts', side: targetOf(action.direction), path: action.path }]
    case 'mkdir':
      return [{ how: 'puts', side: action.side, path: action.path }]
    case 'delete':
      return [{ how: 'takes', side: action.side, path: action.path }]
    case 'move':
      return [
        { how: 'takes', side: action.side, path: action.from },
        { how: 'puts', side: action.side, path: action.to },
      ]
    case 'clone':
      return [{ how: 'puts', side: action.side, path: action.to }]
  }
}

/**
 * A plan the codec accepts may still say one thing twice: the same action twice, two actions writing
 * one path of a side, two conflicts or records of one path. Applying it would run the second against
 * what the first left; a hand-edited plan is refused instead, naming the path.
 */
export const duplicateProblems = (plan: Plan): ReadonlyArray<string> => {
  const problems: string[] = []
  const seen = new Map<string, number>()
  for (const [i, action] of plan.actions.entries())
    for (const { how, side, path } of effectsOf(action)) {
      const key = `${how}\0${side}\0${path}`
      const first = seen.get(key)
      if (first === undefined) seen.set(key, i)
      else
        problems.push(
          `actions[${i}] ${how === 'puts' ? 'writes' : 'removes'} ${showPath(path)} on the ${side}, as actions[${first}] does: a plan ${how === 'puts' ? 'writes' : 'removes'} a path once`,
        )
    }
  for (const list of ['conflicts', 'records'] as const) {
    const paths = new Map<string, number>()
    for (const [i, { path }] of plan[list].entries()) {
      const first = paths.get(path)
      if (first === undefined) paths.set(path, i)
      else problems.push(`${list}[${i}] is about ${showPath(path)}, as ${list}[${first}] is`)
    }
  }
  return problems
}

export const decodePlan = (json: unknown): E.Either<PlanDecodeError, Plan> =>
  pipe(
    Plan.decode(json),
    E.mapLeft((errors) => ({ _tag: 'PlanInvalid' as const, problems: describeErrors(errors) })),
    E.chain((plan) => {
      const problems = duplicateProblems(plan)
      return problems.length === 0
        ? E.right(plan)
        : E.left({ _tag: 'PlanInvalid' as const, problems: problems.slice(0, 5) })
    }),
  )

/** Nothing to do: no action, no conflict. Records alone only refresh the state. */
export const hasChanges = (plan: Plan): boolean => plan.actions.length > 0 || plan.conflicts.length > 0
