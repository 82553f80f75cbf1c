import { type Action, pathsOf } from '../core/action.ts'
import type { Entry } from '../core/entry.ts'
import type { Plan } from '../core/plan-file.ts'
import type { RelPath } from '../core/rel-path.ts'
import type { SyncedPair, SyncState } from '../core/sync-state.ts'
import type { ActionOutcome } from './run-action.ts'

export interface Finished {
  readonly action: Action
  readonly outcome: ActionOutcome
}

/**
 * The state after an apply. A path is recorded only when every action at it succeeded, with the entries
 * the storages reported; a path where anything was skipped or failed keeps its old record, so the next
 * plan sees the same three-way picture and decides again. The state never claims what did not happen.
 *
 * Each action's effects name both sides (see `runAction`): the planner orders actions so the last one at
 * a path describes it whole (a copy after a delete, a copy into the place a conflict move freed).
 */
export const settle = (previous: SyncState, plan: Plan, finished: ReadonlyArray<Finished>): SyncState => {
  const entries = new Map<RelPath, SyncedPair>(previous.entries)
  for (const record of plan.records) entries.set(record.path, [record.source, record.destination])
  for (const path of plan.forget) entries.delete(path)

  const failed = new Set<RelPath>()
  const known = new Map<RelPath, { source?: Entry | null; destination?: Entry | null }>()
  for (const { action, outcome } of finished) {
    if (outcome.status === 'drifted' || outcome.status === 'failed') {
      for (const path of pathsOf(action)) failed.add(path)
      continue
    }
    for (const effect of outcome.effects) {
      known.set(effect.path, { ...known.get(effect.path), [effect.side]: effect.entry })
    }
  }
  for (const [path, sides] of known) {
    if (failed.has(path)) continue
    if (sides.source != null && sides.destination != null)
      entries.set(path, [sides.source, sides.destination])
    else entries.delete(path)
  }
  return { ...previous, serial: previous.serial + 1, entries }
}
