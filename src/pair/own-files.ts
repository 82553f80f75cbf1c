import { type Action, matchAction } from '../core/action.ts'
import type { Plan } from '../core/plan-file.ts'
import { isWithin, type RelPath } from '../core/rel-path.ts'
import { otherSide, type Side } from '../core/side.ts'
import { OWN_FILE_NAMES, type PairError } from './pair-errors.ts'
import { probeRecordOf } from './probe-record.ts'
import { type Location, locate, pathInRoot } from './real-location.ts'

/**
 * The files a pair keeps for itself beside its state: the state, its journal, its lock and its probe
 * record (named in `OWN_FILE_NAMES`, in this order). A run never lists them, and no plan may touch them.
 */
export const ownFilesOf = (stateFile: string): ReadonlyArray<string> => [
  stateFile,
  `${stateFile}.journal`,
  `${stateFile}.lock`,
  probeRecordOf(stateFile),
]

/** Where the files a run keeps for itself sit in each root, if they do: left out of both snapshots. */
export const ownPathsIn = (
  roots: { readonly source?: Location; readonly destination?: Location },
  files: ReadonlyArray<Location>,
): { readonly source: ReadonlyArray<RelPath>; readonly destination: ReadonlyArray<RelPath> } => {
  const inside = (root: Location | undefined): ReadonlyArray<RelPath> =>
    root === undefined
      ? []
      : files.map((file) => pathInRoot(root, file)).filter((p): p is RelPath => p !== undefined)
  return { source: inside(roots.source), destination: inside(roots.destination) }
}

type Place = { readonly side: Side; readonly path: RelPath }

/**
 * Where an action reaches: the places it changes (a write, a delete, either end of a move) and the places
 * whose bytes it takes (the from-side of a copy, the origin of a clone).
 */
const reachOf = (
  action: Action,
): { readonly writes: ReadonlyArray<Place>; readonly reads: ReadonlyArray<Place> } =>
  matchAction(action, {
    copy: (a) => {
      const to: Side = a.direction === 'upload' ? 'destination' : 'source'
      return {
        writes: [{ side: to, path: a.path }],
        reads: [{ side: otherSide(to), path: a.from ?? a.path }],
      }
    },
    mkdir: (a) => ({ writes: [{ side: a.side, path: a.path }], reads: [] }),
    delete: (a) => ({ writes: [{ side: a.side, path: a.path }], reads: [] }),
    meta: (a) => ({ writes: [{ side: a.side, path: a.path }], reads: [] }),
    move: (a) => ({
      writes: [
        { side: a.side, path: a.from },
        { side: a.side, path: a.to },
      ],
      reads: [],
    }),
    clone: (a) => ({ writes: [{ side: a.side, path: a.to }], reads: [{ side: a.side, path: a.from }] }),
  })

/**
 * The pair's own files may sit inside a (local) root; no plan, however written, may touch them or a
 * folder holding them in that root, nor copy them out. Found by where they really are, so a root or a
 * state path spelled through a symlink hides nothing. The same path on the other side is not theirs: a
 * folder holding the state in one root is an ordinary folder to create in the other.
 */
export const touchesOwnFiles = async (
  plan: Plan,
  stateFile: string,
  isLocal: (root: string) => boolean,
): Promise<PairError | undefined> => {
  const own = await Promise.all(ownFilesOf(stateFile).map(locate))
  const reaches = plan.actions.map(reachOf)
  for (const side of ['source', 'destination'] as const) {
    if (!isLocal(plan[side].root)) continue
    const root = await locate(plan[side].root)
    for (const [i, file] of own.entries()) {
      const path = pathInRoot(root, file)
      if (path === undefined) continue
      const changes = (p: Place): boolean => p.side === side && (p.path === path || isWithin(path, p.path))
      const takes = (p: Place): boolean => p.side === side && p.path === path
      const touched = reaches.some((r) => r.writes.some(changes) || r.reads.some(takes))
      if (touched) return { _tag: 'PlanTouchesOwnFile', path: file.given, file: OWN_FILE_NAMES[i] ?? 'file' }
    }
  }
  return undefined
}
