import type { Action } from '../action.ts'
import type { Blocked } from '../plan-file.ts'
import type { Policy } from '../policy.ts'
import type { Side } from '../side.ts'

/** A percentage limit never blocks this many deletes or fewer: tidying a small folder is not a disaster. */
export const MIN_GUARDED_DELETES = 10

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/**
 * The delete guard, on the final plan: moves are not deletes, so renaming a folder never trips it. Counts
 * files and symlinks (folders only ever go once they are empty) against what the side holds now.
 */
export const guardDeletes = (
  actions: ReadonlyArray<Action>,
  files: Readonly<Record<Side, number>>,
  policy: Policy,
): Blocked | null => {
  if (policy.allowMassDelete) return null
  const { limit, unit } = policy.maxDelete
  for (const side of SIDES) {
    const deletes = actions.filter(
      (a) => a.kind === 'delete' && a.side === side && a.entry.kind !== 'dir',
    ).length
    const allowed =
      unit === 'files' ? limit : Math.max(MIN_GUARDED_DELETES, Math.floor((files[side] * limit) / 100))
    if (deletes > allowed)
      return { side, deletes, files: files[side], limit: `${limit}${unit === 'percent' ? '%' : ''}` }
  }
  return null
}
