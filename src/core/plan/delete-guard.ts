import type { Action } from '../action.ts'
import type { Blocked, RootInfo } from '../plan-file.ts'
import type { Policy } from '../policy.ts'
import { otherSide, type Side } from '../side.ts'

/** A percentage limit never blocks this many deletes or fewer: tidying a small folder is not a disaster. */
export const MIN_GUARDED_DELETES = 10

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/**
 * The delete guard, on the final plan: moves are not deletes, so renaming a folder never trips it. Counts
 * files and symlinks (folders only ever go once they are empty) against what the side holds now. Whatever
 * the count, it blocks a plan that loses every file a side holds, and a plan that deletes while the other
 * side, which held files at the last sync, is empty now (nothing at all in it, ignored files included):
 * an unmounted disk leaves an empty folder.
 */
export const guardDeletes = (
  actions: ReadonlyArray<Action>,
  roots: Readonly<Record<Side, Pick<RootInfo, 'files' | 'listed' | 'recorded' | 'root'>>>,
  policy: Policy,
): Blocked | null => {
  if (policy.allowMassDelete) return null
  const { limit, unit } = policy.maxDelete
  const deletes = { source: 0, destination: 0 }
  /** Deletes that lose a file: one whose version is first kept beside it (a conflict's loser) is not lost. */
  const lost = { source: 0, destination: 0 }
  const keptBeside = { source: new Set<string>(), destination: new Set<string>() }
  for (const action of actions)
    if (action.kind === 'clone' && action.peer === undefined) keptBeside[action.side].add(action.from)
  for (const action of actions) {
    if (action.kind !== 'delete' || action.entry.kind === 'dir') continue
    deletes[action.side]++
    if (!keptBeside[action.side].has(action.path)) lost[action.side]++
  }
  const shown = `${limit}${unit === 'percent' ? '%' : ''}`
  const verdictOn = (side: Side): Blocked | null => {
    if (deletes[side] === 0) return null
    const files = roots[side].files
    const blocked = (rule: Blocked['rule']): Blocked => ({
      rule,
      side,
      deletes: deletes[side],
      files,
      limit: shown,
    })
    const other = roots[otherSide(side)]
    if (other.listed === 0 && other.recorded > 0) return blocked('side-emptied')
    if (lost[side] > 0 && lost[side] >= files) return blocked('every-file')
    const allowed =
      unit === 'files' ? limit : Math.max(MIN_GUARDED_DELETES, Math.floor((files * limit) / 100))
    return deletes[side] > allowed ? blocked('limit') : null
  }
  // Both sides may be blocked: the graver rule is named, then the side losing more. The last tie goes by
  // the roots' names, not by which is the source, so a plan and its mirror (the sides swapped) agree.
  const verdicts = SIDES.flatMap((side) => verdictOn(side) ?? [])
  verdicts.sort(
    (a, b) =>
      RULE_RANK[b.rule] - RULE_RANK[a.rule] ||
      b.deletes - a.deletes ||
      (roots[a.side].root < roots[b.side].root ? -1 : roots[a.side].root > roots[b.side].root ? 1 : 0),
  )
  return verdicts[0] ?? null
}

const RULE_RANK: Readonly<Record<Blocked['rule'], number>> = { 'side-emptied': 3, 'every-file': 2, limit: 1 }

/** Why the guard blocks a plan, in words that follow "the plan is blocked: ". */
export const describeBlocked = (blocked: Blocked): string => {
  switch (blocked.rule) {
    case 'limit':
      return `it deletes ${blocked.deletes} of ${blocked.files} files on the ${blocked.side} (limit ${blocked.limit})`
    case 'every-file':
      return `it deletes every file the ${blocked.side} holds (${blocked.deletes} of ${blocked.files})`
    case 'side-emptied':
      return `it deletes ${blocked.deletes} ${blocked.deletes === 1 ? 'file' : 'files'} on the ${blocked.side} because the ${otherSide(blocked.side)} is empty now, though it held files at the last sync (an unmounted disk, or a wrong path?)`
  }
}
