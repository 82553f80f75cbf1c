import type { Action } from '../action.ts'
import { comparePaths } from '../rel-path.ts'
import type { Side } from '../side.ts'
import type { WithRenames } from './renames.ts'

const bySide = (a: { side: Side }, b: { side: Side }): number =>
  a.side === b.side ? 0 : a.side === 'source' ? -1 : 1

/**
 * The order actions run in, each made possible by those before it:
 * 1. conflict losers are copied beside their names;
 * 2. files and links are deleted;
 * 3. folders are made, parents first;
 * 4. renames and local copies, into folders that now exist;
 * 5. folders are deleted, deepest first, emptied by 2 and 4;
 * 6. copies across;
 * 7. mtimes and exec bits of files whose bytes are already alike.
 * Within each step, paths in depth-first order, source before destination: the same plan every time.
 */
export const orderActions = (plan: WithRenames): ReadonlyArray<Action> => {
  const asides = [...plan.asides].sort((a, b) => comparePaths(a.from, b.from) || bySide(a, b))
  const deletes = [...plan.deletes].sort((a, b) => comparePaths(b.path, a.path) || bySide(a, b))
  const mkdirs = [...plan.mkdirs].sort((a, b) => comparePaths(a.path, b.path) || bySide(a, b))
  const local = [...plan.renames, ...plan.clones].sort(
    (a, b) => comparePaths(a.to, b.to) || bySide(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0),
  )
  const copies = [...plan.copies].sort(
    (a, b) =>
      comparePaths(a.path, b.path) || (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0),
  )
  return [
    ...asides,
    ...deletes.filter((d) => d.entry.kind !== 'dir'),
    ...mkdirs,
    ...local,
    ...deletes.filter((d) => d.entry.kind === 'dir'),
    ...copies,
    ...[...plan.metas].sort((a, b) => comparePaths(a.path, b.path) || bySide(a, b)),
  ]
}
