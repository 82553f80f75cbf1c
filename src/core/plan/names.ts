import type { MoveAction } from '../action.ts'
import type { Entry } from '../entry.ts'
import type { Conflict } from '../plan-file.ts'
import type { ModeShape } from '../policy.ts'
import { comparePaths, type RelPath } from '../rel-path.ts'
import { otherSide, type Side } from '../side.ts'
import type { Snapshot } from '../snapshot.ts'
import type { SyncState } from '../sync-state.ts'

/**
 * One name, however each side spells it: lower case when either side ignores case, the NFC form when
 * either side ignores the Unicode form. On such a side `Readme.md` and `README.md` (or `é` composed and
 * decomposed) are one file, so the planner matches them as one. Where both sides tell them apart, they
 * are two names, as they are two files on both.
 */
export const folderOf = (caseSensitive: boolean, normalizes: boolean): ((path: string) => string) => {
  const ascii = /^[\x20-\x7e]*$/
  return (path) => {
    const form = normalizes && !ascii.test(path) ? path.normalize('NFC') : path
    return caseSensitive ? form : form.toLowerCase()
  }
}

export const folderFor = (source: Snapshot, destination: Snapshot): ((path: string) => string) =>
  folderOf(
    source.capabilities.caseSensitive && destination.capabilities.caseSensitive,
    source.capabilities.normalizesUnicode || destination.capabilities.normalizesUnicode,
  )

export interface Aligned {
  readonly source: Snapshot
  readonly destination: Snapshot
  /** Renames on one side so that both spell each name alike (a case-only rename is one of these). */
  readonly moves: ReadonlyArray<MoveAction>
  /** Names one side holds twice in spellings the other side cannot tell apart: left alone, reported. */
  readonly collisions: ReadonlyArray<Conflict>
}

const join = (parent: string, name: string): RelPath =>
  (parent === '' ? name : `${parent}/${name}`) as RelPath
const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1)
const parentPath = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')))

/**
 * Makes both snapshots spell every shared name alike, before anything else is planned. Where the sides
 * spell a name differently, the side that renamed it since the last sync wins (the truth side in a
 * mirror or backup; the source when nothing tells), and the other side gets a move to that spelling.
 * Where one side has two names that are one name on the other side, neither is synced: copying both
 * would make one overwrite the other there.
 */
export const alignNames = (
  source: Snapshot,
  destination: Snapshot,
  state: SyncState | null,
  mode: ModeShape,
): Aligned => {
  const fold = folderFor(source, destination)
  // Where both sides tell every spelling apart, every name is spelled alike on both: nothing to look for.
  const oneSpelling =
    source.capabilities.caseSensitive &&
    destination.capabilities.caseSensitive &&
    !source.capabilities.normalizesUnicode &&
    !destination.capabilities.normalizesUnicode
  if (oneSpelling || !needsAligning(source, destination, fold))
    return { source, destination, moves: [], collisions: [] }

  const sides = { source, destination }
  const children = { source: childrenOf(source), destination: childrenOf(destination) }
  const renamed = { source: new Map<string, RelPath>(), destination: new Map<string, RelPath>() }
  const pinned = { source: [] as RelPath[], destination: [] as RelPath[] }
  const moves: MoveAction[] = []
  const collisions: Conflict[] = []

  const walk = (at: { source?: string; destination?: string }, aligned: string): void => {
    const groups = new Map<string, { source: string[]; destination: string[] }>()
    for (const side of ['source', 'destination'] as const) {
      const actual = at[side]
      if (actual === undefined) continue
      for (const name of children[side].get(actual) ?? []) {
        const key = fold(name)
        const group = groups.get(key) ?? { source: [], destination: [] }
        group[side].push(name)
        groups.set(key, group)
      }
    }
    for (const [, group] of [...groups].sort(([a], [b]) => comparePaths(a, b))) {
      if (group.source.length > 1 || group.destination.length > 1) {
        for (const side of ['source', 'destination'] as const)
          for (const name of group[side]) pinned[side].push(join(at[side] ?? '', name))
        const names = [...new Set([...group.source, ...group.destination])].sort(comparePaths)
        const first = join(aligned, names[0] ?? '')
        collisions.push({
          path: first,
          source: null,
          destination: null,
          outcome: 'left-alone',
          reason: `${names.join(', ')} are one name on the ${group.source.length > 1 ? 'destination' : 'source'}: rename one of them`,
        })
        continue
      }
      const [s, d] = [group.source[0], group.destination[0]]
      const winner: Side =
        s === undefined
          ? 'destination'
          : d === undefined || s === d
            ? 'source'
            : spellingWinner(aligned, s, d, state, mode)
      const name = (winner === 'source' ? s : d) as string
      const path = join(aligned, name)
      const next: { source?: string; destination?: string } = {}
      for (const side of ['source', 'destination'] as const) {
        const own = side === 'source' ? s : d
        if (own === undefined) continue
        const actual = join(at[side] ?? '', own)
        next[side] = actual
        if (actual !== path) renamed[side].set(actual, path)
        if (own !== name && s !== undefined && d !== undefined) {
          const entry = sides[side].entries.get(actual) as Entry
          moves.push({
            kind: 'move',
            side,
            from: join(aligned, own),
            to: path,
            entry,
            reason: `spelled ${name} on the ${otherSide(side)}: the same name in another case or Unicode form`,
          })
        }
      }
      if (children.source.has(next.source ?? '\0') || children.destination.has(next.destination ?? '\0'))
        walk(next, path)
    }
  }
  walk({ source: '', destination: '' }, '')

  return {
    source: respell(source, renamed.source, pinned.source),
    destination: respell(destination, renamed.destination, pinned.destination),
    moves,
    collisions,
  }
}

/** The side whose spelling differs from the state's renamed it since: that spelling wins. */
const spellingWinner = (
  parent: string,
  s: string,
  d: string,
  state: SyncState | null,
  mode: ModeShape,
): Side => {
  if (mode.kind === 'one-way') return mode.truth
  const recordedS = state?.entries.has(join(parent, s)) ?? false
  const recordedD = state?.entries.has(join(parent, d)) ?? false
  return recordedD && !recordedS ? 'source' : recordedS && !recordedD ? 'destination' : 'source'
}

/** Whether any name is spelled two ways, on one side or across the two. */
const needsAligning = (source: Snapshot, destination: Snapshot, fold: (p: string) => string): boolean => {
  const seen = new Map<string, string>()
  for (const path of source.entries.keys()) {
    const key = fold(path)
    if (seen.has(key)) return true
    seen.set(key, path)
  }
  const mine = new Set<string>()
  for (const path of destination.entries.keys()) {
    const key = fold(path)
    if (mine.has(key)) return true
    mine.add(key)
    const there = seen.get(key)
    if (there !== undefined && there !== path) return true
  }
  return false
}

const childrenOf = (snapshot: Snapshot): Map<string, string[]> => {
  const out = new Map<string, string[]>()
  for (const path of snapshot.entries.keys()) {
    const parent = parentPath(path)
    const list = out.get(parent)
    if (list === undefined) out.set(parent, [nameOf(path)])
    else list.push(nameOf(path))
  }
  return out
}

/** The snapshot under the aligned spellings; colliding names (and what is below them) set aside. */
const respell = (
  snapshot: Snapshot,
  renamed: ReadonlyMap<string, RelPath>,
  pinned: ReadonlyArray<RelPath>,
): Snapshot => {
  if (renamed.size === 0 && pinned.length === 0) return snapshot
  const aside = (path: string): boolean => pinned.some((p) => path === p || path.startsWith(`${p}/`))
  const respelled = (path: string): string => {
    // The nearest renamed ancestor (or the path itself) carries its new spelling down.
    for (let at = path; at !== ''; at = parentPath(at)) {
      const to = renamed.get(at)
      if (to !== undefined) return `${to}${path.slice(at.length)}`
    }
    return path
  }
  const entries = new Map<RelPath, Entry>()
  for (const [path, entry] of snapshot.entries)
    if (!aside(path)) entries.set(respelled(path) as RelPath, entry)
  const excluded = [
    ...snapshot.excluded.map((p) => respelled(p) as RelPath),
    ...pinned.map((p) => respelled(p) as RelPath),
  ]
  return { ...snapshot, entries, excluded }
}
