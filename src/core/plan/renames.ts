import type { CloneAction, CopyAction, DeleteAction, MetaAction, MkdirAction, MoveAction } from '../action.ts'
import { type Comparison, comparableHashes, sameContent, sameOnSide, stampMovedOnly } from '../compare.ts'
import type { Entry, FileEntry } from '../entry.ts'
import { isWithin, type RelPath } from '../rel-path.ts'
import { otherSide, type Side, targetOf } from '../side.ts'
import type { Snapshot } from '../snapshot.ts'
import type { SyncState } from '../sync-state.ts'

/** The actions of a plan by kind, before renames are recognised. */
export interface Emitted {
  /** Conflict losers copied beside their path. */
  readonly asides: ReadonlyArray<CloneAction>
  readonly deletes: ReadonlyArray<DeleteAction>
  readonly mkdirs: ReadonlyArray<MkdirAction>
  readonly copies: ReadonlyArray<CopyAction>
  readonly metas: ReadonlyArray<MetaAction>
}

export interface WithRenames extends Emitted {
  readonly renames: ReadonlyArray<MoveAction>
  readonly clones: ReadonlyArray<CloneAction>
}

export interface RenameContext {
  readonly state: SyncState | null
  readonly source: Snapshot
  readonly destination: Snapshot
  readonly how: Comparison
}

const index = (side: Side): 0 | 1 => (side === 'source' ? 0 : 1)

/**
 * Why a file `x` at `xPath` on side X holds what `y` at `yPath` on the other side holds, or undefined:
 * - `hash`: both hashes are known and equal;
 * - `renamed`: the other side renamed `xPath` to `yPath` (same backend id as recorded at `xPath`) and X
 *   still holds the recorded version there; `renamed-changed` when the rename came with an edit;
 * - `renamed-here`: X renamed `yPath` to `xPath` unchanged, and the other side's `yPath` is unchanged.
 */
type Evidence = 'hash' | 'renamed' | 'renamed-changed' | 'renamed-here'

const evidenceOf = (
  x: FileEntry,
  xPath: RelPath,
  y: FileEntry,
  yPath: RelPath,
  xSide: Side,
  state: SyncState | null,
): Evidence | undefined => {
  if (comparableHashes(x.hash, y.hash)) return x.hash === y.hash && x.size === y.size ? 'hash' : undefined
  const ySide = otherSide(xSide)
  const atX = state?.entries.get(xPath)
  const recordedY = atX?.[index(ySide)]
  const recordedX = atX?.[index(xSide)]
  // A change stamp that moved under the recorded size and mtime leaves the bytes in doubt: then only
  // hashes can say it is the same file (the caller hashes a delete and a copy of one size).
  if (y.id !== undefined && recordedY?.kind === 'file' && recordedY.id === y.id && recordedX !== undefined)
    if (sameOnSide(recordedX, x) && !stampMovedOnly(recordedX, x)) {
      if (!sameOnSide(recordedY, y)) return 'renamed-changed'
      return stampMovedOnly(recordedY, y) ? undefined : 'renamed'
    }
  const atY = state?.entries.get(yPath)
  const wasX = atY?.[index(xSide)]
  const wasY = atY?.[index(ySide)]
  if (x.id !== undefined && wasX?.kind === 'file' && wasX.id === x.id && wasY !== undefined)
    if (unmoved(wasX, x) && unmoved(wasY, y)) return 'renamed-here'
  return undefined
}

/** As recorded, change stamp and all. */
const unmoved = (recorded: Entry, now: Entry): boolean =>
  sameOnSide(recorded, now) && !stampMovedOnly(recorded, now)

const isPlainCopy = (copy: CopyAction): copy is CopyAction & { entry: FileEntry } =>
  copy.entry.kind === 'file' && copy.replaces === null && copy.from === undefined && copy.forced !== true

/**
 * Turns a delete and a copy of the same file on one side into a move, and a copy of a file the side
 * already holds elsewhere into a local copy (`clone`): no bytes cross between the sides. A match must be
 * unique both ways; anything ambiguous stays a copy and a delete. Runs on the final actions, so the
 * delete guard counts a renamed folder as moves, not deletes.
 */
export const recogniseRenames = (emitted: Emitted, context: RenameContext): WithRenames => {
  let deletes = [...emitted.deletes]
  let copies = [...emitted.copies]
  const renames: MoveAction[] = []
  const clones: CloneAction[] = []
  for (const side of ['source', 'destination'] as const) {
    const other = otherSide(side)
    // A copy into a path whose folder goes first (a folder replaced by a file) waits for that delete,
    // which runs after moves and local copies: it stays a copy.
    const freed = new Set(deletes.filter((d) => d.side === side).map((d) => d.path))
    // Nor is a file moved from a path that becomes a folder (a file replaced by a folder holding it).
    const remade = new Set(emitted.mkdirs.filter((m) => m.side === side).map((m) => m.path))
    const candidates = copies.filter(
      (c) => targetOf(c.direction) === side && isPlainCopy(c) && !freed.has(c.path),
    )
    if (candidates.length === 0) continue
    const gone = deletes.filter((d) => d.side === side && d.entry.kind === 'file')

    // Moves: a delete and a copy on this side that are the same file.
    const byPath = new Map(candidates.map((c) => [c.path, c]))
    const claims = new Map<RelPath, RelPath[]>()
    const matchOf = new Map<RelPath, { readonly from: DeleteAction; readonly evidence: Evidence }>()
    const goneAt = new Map(gone.map((d) => [d.path, d]))
    const goneIndex = indexOf(
      gone.map((d) => [d.path, d.entry as FileEntry]),
      context.state,
      side,
      wantedBy(candidates, side, context.state),
    )
    for (const copy of candidates) {
      const found = lookup(goneIndex, copy.entry as FileEntry, copy.path, side, context.state).flatMap(
        (path) => {
          const d = goneAt.get(path) as DeleteAction
          const evidence = evidenceOf(
            d.entry as FileEntry,
            d.path,
            copy.entry as FileEntry,
            copy.path,
            side,
            context.state,
          )
          return evidence === undefined ? [] : [{ from: d, evidence }]
        },
      )
      const only = found.length === 1 ? found[0] : undefined
      if (only === undefined || remade.has(only.from.path) || isWithin(copy.path, only.from.path)) continue
      matchOf.set(copy.path, only)
      claims.set(only.from.path, [...(claims.get(only.from.path) ?? []), copy.path])
    }
    const moved = new Set<RelPath>()
    const absorbed = new Set<RelPath>()
    const retold = new Map<string, string>()
    for (const [to, { from, evidence }] of matchOf) {
      if (claims.get(from.path)?.length !== 1) continue
      const copy = byPath.get(to) as CopyAction
      // A rename that came with an edit stays a copy and a delete: a move and then the new bytes over it
      // would leave the old version under the new name in between, which an interrupted apply must not.
      // The reasons say what happened.
      if (evidence === 'renamed-changed' || !sameContent(from.entry, copy.entry, context.how)) {
        retold.set(`copy:${to}`, `renamed from ${from.path} and changed on ${other}`)
        retold.set(`delete:${from.path}`, `renamed to ${to} and changed on ${other}`)
        continue
      }
      renames.push({
        kind: 'move',
        side,
        from: from.path,
        to,
        entry: from.entry,
        peer: copy.entry,
        reason: `renamed on ${other}: ${from.path} → ${to}`,
      })
      moved.add(from.path)
      absorbed.add(to)
    }
    deletes = deletes
      .filter((d) => !(d.side === side && moved.has(d.path)))
      .map((d) =>
        d.side === side && retold.has(`delete:${d.path}`)
          ? { ...d, reason: retold.get(`delete:${d.path}`) ?? d.reason }
          : d,
      )
    copies = copies
      .filter((c) => !(targetOf(c.direction) === side && absorbed.has(c.path)))
      .map((c) =>
        targetOf(c.direction) === side && retold.has(`copy:${c.path}`)
          ? { ...c, reason: retold.get(`copy:${c.path}`) ?? c.reason }
          : c,
      )

    // Clones: a file this side holds, untouched by the plan, that is the same as one it must receive.
    const snapshot = side === 'source' ? context.source : context.destination
    const touched = new Set<RelPath>([
      ...deletes.filter((d) => d.side === side).map((d) => d.path),
      ...renames.filter((r) => r.side === side).flatMap((r) => [r.from, r.to]),
      ...emitted.asides.filter((m) => m.side === side).map((m) => m.from),
      ...copies.filter((c) => targetOf(c.direction) === side).map((c) => c.path),
    ])
    const kept: Array<readonly [RelPath, FileEntry]> = []
    for (const [path, entry] of snapshot.entries)
      if (entry.kind === 'file' && !touched.has(path)) kept.push([path, entry])
    const holders = indexOf(
      kept,
      context.state,
      side,
      wantedBy(
        copies.filter((c) => targetOf(c.direction) === side && isPlainCopy(c)),
        side,
        context.state,
      ),
    )
    const cloned = new Set<RelPath>()
    for (const copy of copies) {
      if (targetOf(copy.direction) !== side || !isPlainCopy(copy) || freed.has(copy.path)) continue
      const y = copy.entry
      const sources = lookup(holders, y, copy.path, side, context.state).filter((c) => {
        const x = snapshot.entries.get(c)
        return x?.kind === 'file' && evidenceOf(x, c, y, copy.path, side, context.state) !== undefined
      })
      const from = sources.length === 1 ? sources[0] : undefined
      const entry = from === undefined ? undefined : snapshot.entries.get(from)
      if (from === undefined || entry === undefined || !sameContent(entry, y, context.how)) continue
      clones.push({
        kind: 'clone',
        side,
        from,
        to: copy.path,
        entry,
        peer: y,
        reason: `${copy.reason} (same as ${from} here)`,
      })
      cloned.add(copy.path)
    }
    copies = copies.filter((c) => !(targetOf(c.direction) === side && cloned.has(c.path)))
  }
  return {
    asides: emitted.asides,
    deletes,
    mkdirs: emitted.mkdirs,
    copies,
    metas: emitted.metas,
    renames,
    clones,
  }
}

/** Files of one side, by what can show that one of them holds a given content (see `evidenceOf`). */
interface Index {
  readonly byHash: ReadonlyMap<string, ReadonlyArray<RelPath>>
  readonly byId: ReadonlyMap<string, ReadonlyArray<RelPath>>
  /** By the other side's id recorded at the same path: where the other side's renamed files came from. */
  readonly byRecordedOtherId: ReadonlyMap<string, ReadonlyArray<RelPath>>
}

const push = (map: Map<string, RelPath[]>, key: string, path: RelPath): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [path])
  else list.push(path)
}

/** The keys `lookup` will ask an index for, for these copies: an index need hold nothing else. */
interface Wanted {
  readonly hashes: ReadonlySet<string>
  readonly ids: ReadonlySet<string>
  readonly otherIds: ReadonlySet<string>
}

const wantedBy = (copies: ReadonlyArray<CopyAction>, side: Side, state: SyncState | null): Wanted => {
  const hashes = new Set<string>()
  const ids = new Set<string>()
  const otherIds = new Set<string>()
  for (const { entry: y, path } of copies) {
    if (y.kind !== 'file') continue
    if (y.hash !== undefined) hashes.add(y.hash)
    if (y.id !== undefined) otherIds.add(y.id)
    const recordedHere = state?.entries.get(path)?.[index(side)]
    if (recordedHere?.kind === 'file' && recordedHere.id !== undefined) ids.add(recordedHere.id)
  }
  return { hashes, ids, otherIds }
}

/**
 * The files by each kind of evidence, holding only what `wanted` says will be looked up: a side holds a
 * hundred thousand files, of which a plan's copies ask about a few.
 */
const indexOf = (
  files: ReadonlyArray<readonly [RelPath, FileEntry]>,
  state: SyncState | null,
  side: Side,
  wanted: Wanted,
): Index => {
  const byHash = new Map<string, RelPath[]>()
  const byId = new Map<string, RelPath[]>()
  const byRecordedOtherId = new Map<string, RelPath[]>()
  const other = index(otherSide(side))
  for (const [path, entry] of files) {
    if (entry.hash !== undefined && wanted.hashes.has(entry.hash))
      push(byHash, `${entry.size}:${entry.hash}`, path)
    if (entry.id !== undefined && wanted.ids.has(entry.id)) push(byId, entry.id, path)
    if (wanted.otherIds.size === 0) continue
    const recorded: Entry | undefined = state?.entries.get(path)?.[other]
    if (recorded?.kind === 'file' && recorded.id !== undefined && wanted.otherIds.has(recorded.id))
      push(byRecordedOtherId, recorded.id, path)
  }
  return { byHash, byId, byRecordedOtherId }
}

/** Paths of `index` that may hold what `y` holds at `yPath` on the other side. */
const lookup = (
  index_: Index,
  y: FileEntry,
  yPath: RelPath,
  side: Side,
  state: SyncState | null,
): RelPath[] => {
  const found = new Set<RelPath>()
  if (y.hash !== undefined) for (const c of index_.byHash.get(`${y.size}:${y.hash}`) ?? []) found.add(c)
  if (y.id !== undefined) for (const c of index_.byRecordedOtherId.get(y.id) ?? []) found.add(c)
  const recordedHere = state?.entries.get(yPath)?.[index(side)]
  if (recordedHere?.kind === 'file' && recordedHere.id !== undefined)
    for (const c of index_.byId.get(recordedHere.id) ?? []) found.add(c)
  return [...found]
}
