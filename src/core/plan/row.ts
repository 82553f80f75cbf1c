import type { Entry } from '../entry.ts'
import type { RelPath } from '../rel-path.ts'
import type { Side } from '../side.ts'
import type { SyncedPair } from '../sync-state.ts'

/** One path as the planner sees it: the entry on each side now, and the pair recorded at the last sync. */
export interface Row {
  readonly path: RelPath
  readonly source: Entry | null
  readonly destination: Entry | null
  readonly synced: SyncedPair | undefined
  /**
   * False for a folder outside the `--include` patterns: it is passed through to reach what is inside,
   * created where that needs it, and otherwise left alone.
   */
  readonly inScope: boolean
}

export const entryOn = (row: Row, side: Side): Entry | null =>
  side === 'source' ? row.source : row.destination
