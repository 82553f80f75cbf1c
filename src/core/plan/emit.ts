import type { CloneAction, CopyAction, DeleteAction, MetaAction, MkdirAction } from '../action.ts'
import { type Comparison, recordedAs, sameAcross, sameContent } from '../compare.ts'
import { dir, type Entry, isDir } from '../entry.ts'
import type { Conflict, StateRecord } from '../plan-file.ts'
import type { RelPath } from '../rel-path.ts'
import { directionTo, otherSide, type Side } from '../side.ts'
import { conflictName } from './conflict-name.ts'
import { type Decision, finalOn, outcomeOn } from './decision.ts'
import type { Emitted } from './renames.ts'
import { entryOn, type Row } from './row.ts'

export interface EmittedRows extends Emitted {
  readonly conflicts: ReadonlyArray<Conflict>
  readonly records: ReadonlyArray<StateRecord>
  readonly forget: ReadonlyArray<RelPath>
}

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/** Turns decisions into actions (by kind; `orderActions` puts them in the order they run in). */
export interface Occupancy {
  /** Every name in use on either side, synced or not: conflict copies go elsewhere. */
  readonly taken: (path: RelPath) => boolean
  /** What `target` already holds beside `path` under conflict names for versions from `side`. */
  readonly keptBeside: (path: RelPath, side: Side, target: Side) => ReadonlyArray<Entry>
}

export const emit = (
  rows: ReadonlyArray<Row>,
  decisions: ReadonlyArray<Decision>,
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

  rows.forEach((row, i) => {
    const decision = decisions[i] as Decision
    const { path } = row
    const reason = decision.reason
    let conflict = decision.conflict
    if (decision.beside !== undefined) {
      const side = decision.beside
      const entry = entryOn(row, side)
      const target = otherSide(side)
      // A copy kept there before, under any stamp, that holds the same is enough: nothing piles up.
      const kept = entry === null ? [] : keptBeside(path, side, target)
      if (entry !== null && !kept.some((there) => sameContent(entry, there, how))) {
        copies.push({
          kind: 'copy',
          direction: directionTo(target),
          path: keepBeside(path, side, entry),
          from: path,
          entry,
          replaces: null,
          reason: `conflict: the ${side} version of ${path}`,
        })
      } else conflict = undefined
    }
    if (conflict !== undefined)
      conflicts.push({ path, source: row.source, destination: row.destination, ...conflict })
    if (decision.frozen === true) return
    const count = (): number => moves.length + deletes.length + mkdirs.length + copies.length + metas.length
    const before = count()
    for (const side of SIDES) {
      let current = entryOn(row, side)
      // The losing version is copied beside its path before anything replaces it, so the path holds the
      // old version or the new one at every moment, never nothing.
      if (decision.aside?.side === side && current !== null) {
        const to = keepBeside(path, side, current)
        moves.push({
          kind: 'clone',
          side,
          from: path,
          to,
          entry: current,
          reason: `conflict: keep the ${side} version beside it`,
        })
        if (decision.aside.shared)
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
      if (sameAcross(current, wanted, how) && decision.forced !== true) continue
      // The same bytes with another mtime or exec bit: only those are set, nothing is sent.
      if (current?.kind === 'file' && wanted?.kind === 'file' && decision.forced !== true) {
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
          ...(decision.forced === true ? { forced: true as const } : {}),
        })
    }
    const acted = count() > before
    if (acted || !row.inScope) return
    const source = finalOn(row, decision, 'source')
    const destination = finalOn(row, decision, 'destination')
    if (source !== null && destination !== null) {
      if (sameAcross(source, destination, how) && !recordedAs(row.synced, source, destination))
        records.push({ path, source, destination })
    } else if (row.synced !== undefined) forget.push(path)
  })

  return { asides: moves, deletes, mkdirs, copies, metas, conflicts, records, forget }
}
