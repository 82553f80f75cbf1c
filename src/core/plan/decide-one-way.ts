import { type Comparison, isChanged, sameAcross, statusOf } from '../compare.ts'
import { isDir } from '../entry.ts'
import type { Side } from '../side.ts'
import { type Decision, inSync, take } from './decision.ts'
import { describeStatus } from './describe.ts'
import { entryOn, type Row } from './row.ts'

export interface OneWay {
  /** The side whose content wins. */
  readonly truth: Side
  /** The side that is written. */
  readonly target: Side
  /** Backups: the target keeps what the truth side lacks, and nothing is ever deleted there. */
  readonly keepsExtras: boolean
}

const index = (side: Side): 0 | 1 => (side === 'source' ? 0 : 1)

/**
 * Mirrors and backups: the target follows the truth side. The state only shapes the reason, so a
 * reviewer reads "changed on destination since last sync; restored from source" rather than a bare copy.
 */
export const decideOneWay = (row: Row, how: Comparison, mode: OneWay): Decision => {
  const truthEntry = entryOn(row, mode.truth)
  const targetEntry = entryOn(row, mode.target)
  if (sameAcross(truthEntry, targetEntry, how)) return inSync
  if (truthEntry === null && mode.keepsExtras) return inSync

  const truthStatus = statusOf(row.synced?.[index(mode.truth)], truthEntry)
  const targetStatus = statusOf(row.synced?.[index(mode.target)], targetEntry)
  // Neither side moved away from what the last sync left there: they differ only as the backends keep
  // them (a server that gave the copy the time of its upload), and copying again would change nothing.
  if (!isChanged(truthStatus) && !isChanged(targetStatus)) return inSync
  const truthSays = describeStatus(truthStatus, mode.truth)
  const targetSays = describeStatus(targetStatus, mode.target)
  const targetChanged = isChanged(targetStatus)

  const reason = (() => {
    if (!targetChanged) return truthSays ?? `differs from ${mode.truth}`
    if (truthEntry === null) return `${targetSays}; not on ${mode.truth}`
    const restored = `restored from ${mode.truth}`
    return truthSays === undefined
      ? `${targetSays}; ${restored}`
      : `${truthSays}, ${targetSays}; ${mode.truth} wins`
  })()
  // A backup never destroys what it holds: a file in the way of the truth side's folder is kept beside it.
  if (mode.keepsExtras && isDir(truthEntry) && targetEntry !== null && !isDir(targetEntry)) {
    const because = `${reason}; the ${mode.target} file is kept beside the folder`
    return take(mode.target, because, {
      aside: { side: mode.target, shared: false },
      conflict: { outcome: 'kept-both', reason: because },
    })
  }
  return take(mode.target, reason)
}
