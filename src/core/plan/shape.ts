import { isDir } from '../entry.ts'
import type { ConflictStrategy, ModeShape } from '../policy.ts'
import { isWithin, parentOf, type RelPath } from '../rel-path.ts'
import { otherSide, type Side } from '../side.ts'
import {
  type Decided,
  type Decision,
  type Frozen,
  finalOn,
  frozen,
  leftAsIs,
  outcomeOn,
  withOutcome,
} from './decision.ts'
import { entryOn } from './row.ts'

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/**
 * Makes the decided trees well formed, bottom-up: a folder that must hold something afterwards (a file
 * that stays or arrives, an ignored file that is never touched) exists on that side. Deciding each path
 * alone cannot see this: "folder deleted on source" and "file inside it changed on destination" are
 * each clear, and together the change wins, so the folder stays.
 *
 * Where a path must become a file but something must stay below it, the sides cannot both be honoured:
 * two-way keeps the file beside the folder under a conflict name (unless the strategy is manual); the
 * other modes leave the path and everything below it alone and report the conflict.
 *
 * `decided` is in path order; `mustExist` starts with the folders that hold excluded entries.
 */
export const shapeTrees = (
  decided: ReadonlyArray<Decided>,
  mustExist: { readonly source: Set<RelPath>; readonly destination: Set<RelPath> },
  mode: ModeShape,
  strategy: ConflictStrategy,
): ReadonlyArray<Decided> => {
  const shaped = [...decided]
  const twoWay = mode.kind === 'two-way'
  const writes = (side: Side): boolean => mode.kind === 'two-way' || mode.target === side
  for (let i = shaped.length - 1; i >= 0; i--) {
    const { row, decision: decidedAlone } = shaped[i] as Decided
    let decision: Decision = decidedAlone
    for (const side of SIDES) {
      if (!mustExist[side].has(row.path)) continue
      const final = finalOn(row, decision, side)
      if (isDir(final)) continue
      if (final === null && writes(side)) {
        // Nothing at a frozen path is touched, not even to make a folder.
        if (decision.kind === 'frozen') continue
        decision = isDir(entryOn(row, side))
          ? withOutcome(decision, side, 'keep', keptReason(decision, side))
          : withOutcome(decision, side, 'make-dir', `folder for what ${side} must hold`)
        continue
      }
      if (final === null) continue
      // A file or link where a folder must stay.
      const fileSide = entryOn(row, side) !== null && !isDir(entryOn(row, side)) ? side : otherSide(side)
      const folderSide = otherSide(fileSide)
      if (twoWay && strategy !== 'manual' && decision.kind !== 'frozen' && isDir(entryOn(row, folderSide))) {
        const reason = `${fileSide} has a file where ${folderSide} has a folder that keeps changes; the folder keeps the name, the file is kept beside it`
        decision = {
          ...withOutcome(withOutcome(decision, fileSide, 'take'), folderSide, 'keep', reason),
          kept: { how: 'aside', side: fileSide, shared: true },
          conflict: { outcome: 'kept-both', reason },
        }
        continue
      }
      // A backup keeps its folder and everything in it, and gets the truth side's file beside it.
      if (
        mode.kind === 'one-way' &&
        mode.keepsExtras &&
        folderSide === mode.target &&
        decision.kind !== 'frozen' &&
        isDir(entryOn(row, folderSide))
      ) {
        const reason = `${fileSide} has a file where the ${folderSide} backup keeps a folder; the file is kept beside it`
        decision = {
          ...withOutcome(decision, folderSide, 'keep', reason),
          kept: { how: 'beside', side: fileSide },
          conflict: { outcome: 'kept-both', reason },
        }
        continue
      }
      decision = frozen({
        outcome: 'left-alone',
        reason: `${row.path} is a folder on ${side} that holds what must stay, and cannot become a file`,
      })
      freezeBelow(shaped, i)
    }
    // Two-way keeps both sides alike: a folder that had to stay on one side is made on the other.
    if (twoWay && row.inScope && decision.kind !== 'frozen') {
      for (const side of SIDES) {
        if (isDir(finalOn(row, decision, side)) && finalOn(row, decision, otherSide(side)) === null) {
          decision = withOutcome(decision, otherSide(side), 'make-dir', `folder kept on ${side}`)
        }
      }
    }
    shaped[i] = { row, decision }
    // A conflict left for a person freezes what is below it too, state included.
    if (decision.kind === 'frozen' && decision.conflict !== undefined) freezeBelow(shaped, i)
    const parent = parentOf(row.path)
    if (parent !== '') {
      for (const side of SIDES) if (finalOn(row, decision, side) !== null) mustExist[side].add(parent)
    }
  }
  return shaped
}

const keptReason = (decision: Exclude<Decision, Frozen>, side: Side): string => {
  if (outcomeOn(decision, side) === 'take') return `kept on ${side}: it holds what must stay`
  switch (decision.kind) {
    case 'alike':
      return ''
    case 'forced':
    case 'act':
      return decision.reason
  }
}

/** Leaves everything below `shaped[at]` as it is; descendants follow their folder in path order. */
const freezeBelow = (shaped: Decided[], at: number): void => {
  const folder = (shaped[at] as Decided).row.path
  for (let j = at + 1; j < shaped.length; j++) {
    const { row } = shaped[j] as Decided
    if (!isWithin(row.path, folder)) break
    shaped[j] = { row, decision: leftAsIs }
  }
}
