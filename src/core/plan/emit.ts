import type { CloneAction, CopyAction, DeleteAction, MetaAction, MkdirAction } from '../action.ts'
import { type Comparison, recordedAs, sameAcross, sameContent } from '../compare.ts'
import { dir, type Entry, isDir } from '../entry.ts'
import type { Conflict, StateRecord } from '../plan-file.ts'
import type { RelPath } from '../rel-path.ts'
import { directionTo, otherSide, type Side } from '../side.ts'
import { conflictName } from './conflict-name.ts'
import {
  type Act,
  type ConflictNote,
  type Decided,
  type Decision,
  type Forced,
  finalOn,
  matchDecision,
  outcomeOn,
} from './decision.ts'
import type { Emitted } from './renames.ts'
import { entryOn, type Row } from './row.ts'

export interface EmittedRows extends Emitted {
  readonly conflicts: ReadonlyArray<Conflict>
  readonly records: ReadonlyArray<StateRecord>
  readonly forget: ReadonlyArray<RelPath>
}

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

export interface Occupancy {
  /** Every name in use on either side, synced or not: conflict copies go elsewhere. */
  readonly taken: (path: RelPath) => boolean
  /** What `target` already holds beside `path` under conflict names for versions from `side`. */
  readonly keptBeside: (path: RelPath, side: Side, target: Side) => ReadonlyArray<Entry>
}

/** Turns decisions into actions (by kind; `orderActions` puts them in the order they run in). */
export const emit = (
  decided: ReadonlyArray<Decided>,
  { taken, keptBeside }: Occupancy,
  how: Comparison,
): EmittedRows => {
  const moves: CloneAction[] = []
  const deletes: DeleteAction[] = []
  const mkdirs: MkdirAction[] = []
  const copies: CopyAction[] = []
  const metas: MetaAction[] = []
  const conflicts: Conflict[] = []
  const records: StateRecord[] = []
  const forget: RelPath[] = []
  const allocated = new Set<RelPath>()

  const keepBeside = (path: RelPath, side: Side, entry: Entry): RelPath => {
    const to = conflictName(path, side, entry, (p) => taken(p) || allocated.has(p))
    allocated.add(to)
    return to
  }

  const report = (row: Row, conflict: ConflictNote | undefined): void => {
    if (conflict !== undefined)
      conflicts.push({ path: row.path, source: row.source, destination: row.destination, ...conflict })
  }

  /** Copies `side`'s entry beside the path on the other side; false when a copy there already holds it. */
  const copyBeside = (row: Row, side: Side): boolean => {
    const { path } = row
    const entry = entryOn(row, side)
    const target = otherSide(side)
    if (entry === null) return false
    // A copy kept there before, under any stamp, that holds the same is enough: nothing piles up.
    if (keptBeside(path, side, target).some((there) => sameContent(entry, there, how))) return false
    copies.push({
      kind: 'copy',
      direction: directionTo(target),
      path: keepBeside(path, side, entry),
      from: path,
      entry,
      replaces: null,
      reason: `conflict: the ${side} version of ${path}`,
    })
    return true
  }

  /** A path where nothing was done is recorded as alike, or forgotten once a side no longer holds it. */
  const settle = (row: Row, decision: Decision): void => {
    if (!row.inScope) return
    const source = finalOn(row, decision, 'source')
    const destination = finalOn(row, decision, 'destination')
    if (source !== null && destination !== null) {
      if (sameAcross(source, destination, how) && !recordedAs(row.synced, source, destination))
        records.push({ path: row.path, source, destination })
    } else if (row.synced !== undefined) forget.push(row.path)
  }

  /** Each side's outcome as actions; a path where none was needed is settled as it is. */
  const carryOut = (row: Row, decision: Act | Forced): void => {
    const { path } = row
    const { reason } = decision
    const forced = decision.kind === 'forced'
    const aside = decision.kind === 'act' && decision.kept?.how === 'aside' ? decision.kept : undefined
    const count = (): number => moves.length + deletes.length + mkdirs.length + copies.length + metas.length
    const before = count()
    for (const side of SIDES) {
      let current = entryOn(row, side)
      // The losing version is copied beside its path before anything replaces it, so the path holds the
      // old version or the new one at every moment, never nothing.
      if (aside?.side === side && current !== null) {
        const to = keepBeside(path, side, current)
        moves.push({
          kind: 'clone',
          side,
          from: path,
          to,
          entry: current,
          reason: `conflict: keep the ${side} version beside it`,
        })
        if (aside.shared)
          copies.push({
            kind: 'copy',
            direction: directionTo(otherSide(side)),
            path: to,
            entry: current,
            replaces: null,
            reason: `conflict: the ${side} version of ${path}`,
          })
      }
      const outcome = outcomeOn(decision, side)
      if (outcome === 'keep') continue
      const wanted: Entry | null = outcome === 'make-dir' ? dir : entryOn(row, otherSide(side))
      if (isDir(current) && isDir(wanted)) continue
      if (sameAcross(current, wanted, how) && !forced) continue
      // The same bytes with another mtime or exec bit: only those are set, nothing is sent.
      if (current?.kind === 'file' && wanted?.kind === 'file' && !forced) {
        if (sameContent(current, wanted, how)) {
          metas.push({ kind: 'meta', side, path, entry: current, peer: wanted, reason })
          continue
        }
      }
      if (current !== null && (wanted === null || isDir(wanted) || isDir(current))) {
        deletes.push({ kind: 'delete', side, path, entry: current, reason })
        current = null
      }
      if (wanted === null) continue
      if (isDir(wanted)) mkdirs.push({ kind: 'mkdir', side, path, reason })
      else
        copies.push({
          kind: 'copy',
          direction: directionTo(side),
          path,
          entry: wanted,
          replaces: current,
          reason,
          ...(forced ? { forced: true as const } : {}),
        })
    }
    if (count() === before) settle(row, decision)
  }

  for (const { row, decision } of decided)
    matchDecision(decision, {
      alike: (alike) => settle(row, alike),
      // Left for a person: reported, and neither acted on nor recorded.
      frozen: ({ conflict }) => report(row, conflict),
      forced: (forced) => carryOut(row, forced),
      act: (act) => {
        // A backup's file already kept beside its folder is no new conflict.
        const copied = act.kept?.how !== 'beside' || copyBeside(row, act.kept.side)
        report(row, copied ? act.conflict : undefined)
        carryOut(row, act)
      },
    })

  return { asides: moves, deletes, mkdirs, copies, metas, conflicts, records, forget }
}
