import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Entry } from './entry.ts'
import type { RelPath } from './rel-path.ts'
import { decodeState, encodeState, STATE_VERSION, type StateJson } from './state-format.ts'

/** A path as it was on each side when both last agreed: the common ancestor of three-way planning. */
export type SyncedPair = readonly [Entry, Entry]

/**
 * What the last apply left in sync. `lineage` names this state's history and `serial` counts its
 * writes, so a plan made against serial 4 is stale once serial 5 exists.
 */
export interface SyncState {
  format: 'syncengine-state'
  /** The state file's format: a state read from an older one is written as this one. */
  version: typeof STATE_VERSION
  lineage: string
  serial: number
  source: string
  destination: string
  entries: ReadonlyMap<RelPath, SyncedPair>
}

/**
 * The state file's codec: decodes versions 1 to 3 (see `state-format.ts`), encodes version 3. Its
 * errors carry their own messages, for `describeErrors`.
 */
export const SyncState: t.Type<SyncState, StateJson, unknown> = new t.Type<SyncState, StateJson, unknown>(
  'SyncState',
  (u): u is SyncState =>
    typeof u === 'object' &&
    u !== null &&
    (u as SyncState).format === 'syncengine-state' &&
    (u as SyncState).version === STATE_VERSION &&
    (u as SyncState).entries instanceof Map,
  (u, context) => {
    const decoded = decodeState(u)
    return E.isRight(decoded)
      ? t.success(decoded.right)
      : t.failures(decoded.left.map((message) => ({ value: u, context, message })))
  },
  encodeState,
)

export const newState = (lineage: string, source: string, destination: string): SyncState => ({
  format: 'syncengine-state',
  version: STATE_VERSION,
  lineage,
  serial: 0,
  source,
  destination,
  entries: new Map(),
})
