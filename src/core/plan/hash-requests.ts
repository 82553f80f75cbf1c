import type { Action } from '../action.ts'
import { comparableHashes, isChanged, sameHash, stampMovedOnly, statusOf } from '../compare.ts'
import { type Entry, sizeOf } from '../entry.ts'
import type { Conflict } from '../plan-file.ts'
import type { RelPath } from '../rel-path.ts'
import { fromOf, otherSide, type Side, targetOf } from '../side.ts'
import type { Snapshot } from '../snapshot.ts'
import type { SyncState } from '../sync-state.ts'
import { isConflictNameOf } from './conflict-name.ts'

export interface HashRequests {
  readonly source: ReadonlyArray<RelPath>
  readonly destination: ReadonlyArray<RelPath>
}

/** A file with no hash, or one that cannot be compared with the other side's (another algorithm). */
const unhashedFile = (entry: Entry | null | undefined, other?: Entry | null): boolean =>
  entry?.kind === 'file' &&
  (entry.hash === undefined ||
    (other?.kind === 'file' && other.hash !== undefined && !comparableHashes(entry.hash, other.hash)))

/**
 * The files whose hashes would settle what size and mtime leave open, given a plan made without them:
 * - a conflict or an overwrite between two files of the same size: they may well be the same content
 *   (a touched file, a second copy made elsewhere), which is never a conflict and never a transfer;
 * - a delete and a copy of the same size on one side that nothing else ties together: the same content
 *   would make it a move;
 * - a version to keep beside a path, and the copies already kept there: one may hold it already;
 * - a path both sides changed since the last sync (or both made, with no record of it) to files that
 *   look alike by size and mtime: two edits can leave the same size and mtime and different bytes, and
 *   calling them in sync would be for good. Rare after a first sync, and two reads settle it.
 * The caller hashes them and plans again; hashed entries never ask twice.
 */
export const hashRequests = (
  actions: ReadonlyArray<Action>,
  conflicts: ReadonlyArray<Conflict>,
  snapshots: { readonly source: Snapshot; readonly destination: Snapshot },
  state: SyncState | null = null,
): HashRequests => {
  const wanted = { source: new Set<RelPath>(), destination: new Set<RelPath>() }
  const ask = (side: Side, path: RelPath, entry: Entry | null | undefined, other?: Entry | null): void => {
    if (unhashedFile(entry, other)) wanted[side].add(path)
  }
  for (const conflict of conflicts) {
    const { source, destination } = conflict
    if (source?.kind === 'file' && destination?.kind === 'file' && source.size === destination.size) {
      ask('source', conflict.path, source, destination)
      ask('destination', conflict.path, destination, source)
    }
  }
  const sizes = { source: new Map<number, RelPath[]>(), destination: new Map<number, RelPath[]>() }
  for (const action of actions) {
    if (action.kind === 'copy' && action.forced !== true && action.entry.kind === 'file') {
      const target = targetOf(action.direction)
      // A version kept beside a path: a copy kept there before may hold the same under another stamp.
      if (action.from !== undefined) {
        const from = fromOf(action.direction)
        const kept = [...snapshots[target].entries].filter(
          ([p, e]) => isConflictNameOf(p, action.from as RelPath, from) && sizeOf(e) === sizeOf(action.entry),
        )
        if (kept.length > 0) ask(from, action.from, action.entry)
        for (const [p, e] of kept) ask(target, p, e)
      }
      if (action.replaces?.kind === 'file' && action.replaces.size === action.entry.size) {
        ask(fromOf(action.direction), action.from ?? action.path, action.entry, action.replaces)
        ask(target, action.path, action.replaces, action.entry)
      }
      if (action.replaces === null && action.from === undefined) {
        const list = sizes[target].get(action.entry.size)
        if (list === undefined) sizes[target].set(action.entry.size, [action.path])
        else list.push(action.path)
      }
    }
  }
  for (const action of actions) {
    if (action.kind !== 'delete' || action.entry.kind !== 'file') continue
    const copies = sizes[action.side].get(action.entry.size)
    if (copies === undefined) continue
    ask(action.side, action.path, action.entry)
    for (const path of copies) wanted[otherSide(action.side)].add(path)
  }
  for (const [path, source] of snapshots.source.entries) {
    const destination = snapshots.destination.entries.get(path)
    if (source.kind !== 'file' || destination?.kind !== 'file') continue
    if (source.size !== destination.size || sameHash(source, destination) !== undefined) continue
    // No record: both sides made the file on their own (a first sync), which is both sides changing it.
    // A change stamp that moved under an unchanged size and mtime: a write that put the mtime back.
    const recorded = state?.entries.get(path)
    if (
      recorded === undefined ||
      (isChanged(statusOf(recorded[0], source)) && isChanged(statusOf(recorded[1], destination))) ||
      stampMovedOnly(recorded[0], source) ||
      stampMovedOnly(recorded[1], destination)
    ) {
      ask('source', path, source, destination)
      ask('destination', path, destination, source)
    }
  }
  return { source: [...wanted.source], destination: [...wanted.destination] }
}
