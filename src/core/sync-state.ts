import * as t from 'io-ts'
import { mapFromRecord } from './codec.ts'
import { Entry } from './entry.ts'
import { RelPath } from './rel-path.ts'

/** A path as it was on each side when both last agreed: the common ancestor of three-way planning. */
export const SyncedPair = t.readonly(t.tuple([Entry, Entry]))
export type SyncedPair = t.TypeOf<typeof SyncedPair>

/**
 * What the last apply left in sync. `lineage` names this state's history and `serial` counts its
 * writes, so a plan made against serial 4 is stale once serial 5 exists.
 */
export const SyncState = t.type({
  format: t.literal('syncengine-state'),
  version: t.literal(1),
  lineage: t.string,
  serial: t.number,
  source: t.string,
  destination: t.string,
  entries: mapFromRecord(RelPath, SyncedPair, 'SyncedEntries'),
})
export type SyncState = t.TypeOf<typeof SyncState>

export const newState = (lineage: string, source: string, destination: string): SyncState => ({
  format: 'syncengine-state',
  version: 1,
  lineage,
  serial: 0,
  source,
  destination,
  entries: new Map(),
})
