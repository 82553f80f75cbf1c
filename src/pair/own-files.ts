import { pathsOf } from '../core/action.ts'
import type { Plan } from '../core/plan-file.ts'
import { isWithin, type RelPath } from '../core/rel-path.ts'
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

/**
 * The pair's own files may sit inside a (local) root; no plan, however written, may touch them or a
 * folder holding them. Found by where they really are, so a root or a state path spelled through a
 * symlink hides nothing.
 */
export const touchesOwnFiles = async (
  plan: Plan,
  stateFile: string,
  isLocal: (root: string) => boolean,
): Promise<PairError | undefined> => {
  const own = await Promise.all(ownFilesOf(stateFile).map(locate))
  for (const side of ['source', 'destination'] as const) {
    if (!isLocal(plan[side].root)) continue
    const root = await locate(plan[side].root)
    for (const [i, file] of own.entries()) {
      const path = pathInRoot(root, file)
      if (path === undefined) continue
      const hits = (p: RelPath): boolean => p === path || isWithin(path, p)
      const touched = plan.actions.some(
        (a) => pathsOf(a).some(hits) || (a.kind === 'copy' && a.from !== undefined && hits(a.from)),
      )
      if (touched) return { _tag: 'PlanTouchesOwnFile', path: file.given, file: OWN_FILE_NAMES[i] ?? 'file' }
    }
  }
  return undefined
}
