import { type Action, pathsOf } from './action.ts'
import { contentDiffers } from './compare.ts'
import type { Entry } from './entry.ts'
import { type ActionOutcome, type Effect, succeeded } from './outcome.ts'
import type { Plan } from './plan-file.ts'
import type { RelPath } from './rel-path.ts'
import type { SyncedPair, SyncState } from './sync-state.ts'

export interface Finished {
  readonly action: Action
  readonly outcome: ActionOutcome
}

/** What one finished action says about the state: the paths it decides, whether it succeeded, what is there now. */
export interface Settled {
  readonly paths: ReadonlyArray<RelPath>
  readonly ok: boolean
  readonly effects: ReadonlyArray<Effect>
}

export const settledOf = ({ action, outcome }: Finished): Settled => {
  const ok = succeeded(outcome)
  return { paths: pathsOf(action), ok, effects: ok && 'effects' in outcome ? outcome.effects : [] }
}

/**
 * Records what finished actions left at their paths. A path is recorded only when every action at it
 * succeeded and both sides are known, with the entries the storages reported; a path where anything was
 * skipped or failed keeps its old record, so the next plan sees the same three-way picture and decides
 * again. Dropping a record is always safe (the next plan sees two new entries, never a deletion), so a
 * path whose sides are not both known is dropped.
 */
const settleInto = (entries: Map<RelPath, SyncedPair>, settled: ReadonlyArray<Settled>): void => {
  const failed = new Set<RelPath>()
  const known = new Map<RelPath, { source?: Entry | null; destination?: Entry | null }>()
  for (const { paths, ok, effects } of settled) {
    if (!ok) {
      for (const path of paths) failed.add(path)
      continue
    }
    for (const effect of effects)
      known.set(effect.path, { ...known.get(effect.path), [effect.side]: effect.entry })
  }
  for (const [path, sides] of known) {
    if (failed.has(path)) continue
    if (sides.source != null && sides.destination != null)
      record(entries, path, sides.source, sides.destination)
    else entries.delete(path)
  }
}

/**
 * The last line of defence of "in sync": two entries that differ in kind or size are never recorded as a
 * synced pair (a copy that read a file while it was being written would otherwise be trusted for good).
 * Without a record the next plan compares the two sides afresh.
 */
const record = (
  entries: Map<RelPath, SyncedPair>,
  path: RelPath,
  source: Entry,
  destination: Entry,
): void => {
  if (contentDiffers(source, destination)) entries.delete(path)
  else entries.set(path, [source, destination])
}

/** The state after an apply of `plan`: its records and forgets, then what its actions really did. */
export const settle = (previous: SyncState, plan: Plan, settled: ReadonlyArray<Settled>): SyncState => {
  const entries = new Map<RelPath, SyncedPair>(previous.entries)
  for (const r of plan.records) record(entries, r.path, r.source, r.destination)
  for (const path of plan.forget) entries.delete(path)
  settleInto(entries, settled)
  return { ...previous, serial: previous.serial + 1, entries }
}

/** The state after an interrupted apply whose plan is gone: only what its finished actions did. */
export const recover = (previous: SyncState, settled: ReadonlyArray<Settled>): SyncState => {
  const entries = new Map<RelPath, SyncedPair>(previous.entries)
  settleInto(entries, settled)
  return { ...previous, serial: previous.serial + 1, entries }
}
