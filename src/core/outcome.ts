import * as t from 'io-ts'
import { Entry } from './entry.ts'
import { RelPath } from './rel-path.ts'
import { Side } from './side.ts'

/**
 * How actions end and what they leave: what the applier reports, the journal persists and `settle` folds
 * into the state. Codecs beside the types, since the journal is read back after a crash.
 */

/** What is known to be at a path on a side once an action has run. */
export const Effect = t.readonly(t.type({ path: RelPath, side: Side, entry: t.union([Entry, t.null]) }))
export type Effect = t.TypeOf<typeof Effect>

/** A storage's refusal, as it is reported and kept (the shape of `StorageError`). */
export const Refusal = t.readonly(
  t.type({
    _tag: t.literal('StorageError'),
    op: t.string,
    path: t.string,
    code: t.string,
    message: t.string,
  }),
)

/**
 * How one action ended. Each action is checked against the storage right before it runs: `applied`,
 * `already-done` (an earlier, interrupted apply did it), `drifted` (someone changed the path after the plan
 * was made: skipped, never forced), or `failed` (the storage refused).
 */
export const ActionOutcome = t.union([
  t.readonly(
    t.type({ status: t.keyof({ applied: null, 'already-done': null }), effects: t.readonlyArray(Effect) }),
  ),
  t.readonly(t.type({ status: t.literal('drifted'), why: t.string })),
  t.readonly(t.type({ status: t.literal('failed'), error: Refusal })),
])
export type ActionOutcome = t.TypeOf<typeof ActionOutcome>

export type Succeeded = Extract<ActionOutcome, { readonly effects: unknown }>

/** The action's work is on the storage: done now, or by an earlier apply that was interrupted. */
export const succeeded = (outcome: ActionOutcome): outcome is Succeeded =>
  outcome.status === 'applied' || outcome.status === 'already-done'

/** Which state a plan was made against, or an apply saved: a state file's lineage and serial. */
export const StateRef = t.readonly(t.type({ lineage: t.string, serial: t.number }))
export type StateRef = t.TypeOf<typeof StateRef>
