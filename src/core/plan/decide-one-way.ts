import { type Comparison, contentDiffers, isChanged, sameAcross, statusOf } from '../compare.ts'
import { isDir } from '../entry.ts'
import type { Side } from '../side.ts'
import { alike, type Decision, take } from './decision.ts'
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
  if (sameAcross(truthEntry, targetEntry, how)) return alike
  if (truthEntry === null && mode.keepsExtras) return alike

  const truthStatus = statusOf(row.synced?.[index(mode.truth)], truthEntry)
  const targetStatus = statusOf(row.synced?.[index(mode.target)], targetEntry)
  // Neither side moved from what the last sync left alike: they differ only as the backends keep them
  // (an mtime one cannot set), unless their bytes provably differ.
  if (
    !isChanged(truthStatus) &&
    !isChanged(targetStatus) &&
    truthEntry !== null &&
    targetEntry !== null &&
    !contentDiffers(truthEntry, targetEntry)
  )
    return alike
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
      kept: { how: 'aside', side: mode.target, shared: false },
      conflict: { outcome: 'kept-both', reason: because },
    })
  }
  return take(mode.target, reason)
}
