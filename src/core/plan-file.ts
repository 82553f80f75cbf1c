import * as t from 'io-ts'
import { Action } from './action.ts'
import { Entry } from './entry.ts'
import { Policy } from './policy.ts'
import { RelPath } from './rel-path.ts'
import { Side } from './side.ts'
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
  /** Everything listed on that side, in scope or not (ignored files, folders): 0 for an empty folder. */
  listed: t.number,
  /** Files and symlinks in scope the state recorded on that side at the last sync. */
  recorded: t.number,
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
  /** Files whose mtime or exec bit is set to the other side's, with the same bytes: no transfer. */
  metadata: t.number,
  bytes: t.type({ upload: t.number, download: t.number }),
})
export type Summary = t.TypeOf<typeof Summary>

/**
 * Why apply refuses the plan as it is: it deletes more of a side's files than the limit allows (`limit`),
 * every file the side holds (`every-file`), or because the other side, which held files at the last sync,
 * holds none now (`side-emptied`).
 */
export const Blocked = t.type({
  rule: t.keyof({ limit: null, 'every-file': null, 'side-emptied': null }),
  side: Side,
  deletes: t.number,
  files: t.number,
  limit: t.string,
})
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

/** Nothing to do: no action, no conflict. Records alone only refresh the state. */
export const hasChanges = (plan: Plan): boolean => plan.actions.length > 0 || plan.conflicts.length > 0
