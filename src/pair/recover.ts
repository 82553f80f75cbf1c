import * as E from 'fp-ts/lib/Either.js'
import { type RelPath, RelPath as RelPathCodec } from '../core/rel-path.ts'
import { recover } from '../core/settle.ts'
import {
  continuesFrom,
  endsAt,
  type JournalContent,
  type JournalError,
  journalFileOf,
  readJournal,
  removeJournal,
  settledFromJournal,
} from '../state/journal-file.ts'
import { acquireLock, lockFileOf } from '../state/lock-file.ts'
import { loadState, type StateError, saveState } from '../state/state-file.ts'
import type { Sides } from '../storage/sides.ts'
import { isToken } from '../storage/storage.ts'
import { probeRecordOf, removeLeftoverProbes } from './probe-record.ts'

/** Removes staged writes an interrupted apply may have left in the folders it was writing to. */
export const cleanStaged = async (sides: Sides, journal: JournalContent): Promise<void> => {
  const seen = new Set<string>()
  for (const { side, folder } of journal.unfinished) {
    const key = `${side}:${folder}`
    if (seen.has(key) || (folder !== '' && !RelPathCodec.is(folder))) continue
    seen.add(key)
    for (const token of journal.tokens.filter(isToken))
      await sides[side].removeStaged(folder as RelPath | '', token)()
  }
}

/**
 * Folds an interrupted apply's journal into the state: what its finished actions did is recorded, its
 * staged writes are removed, and the journal goes. A journal that ends exactly at the state (an apply
 * stopped on purpose, which saved what it did) is kept as it is: its plan can still be resumed. A journal
 * that names neither the state nor a state it saved is stale and goes.
 */
export const recoverInterrupted = async (
  stateFile: string,
  roots: { readonly source: string; readonly destination: string },
  sides: Sides,
  journal: JournalContent,
): Promise<E.Either<StateError, boolean>> => {
  const state = await loadState(stateFile, roots)()
  if (E.isLeft(state)) return state
  const at = state.right === null ? null : { lineage: state.right.lineage, serial: state.right.serial }
  if (endsAt(journal, at)) return E.right(false)
  await cleanStaged(sides, journal)
  // Effects are what the storages reported; folding them again over a state that has some of them
  // already changes nothing there. A first sync's journal has no state to fold into: its files show up
  // as alike on both sides next time.
  if (continuesFrom(journal, at) && state.right !== null) {
    const saved = await saveState(stateFile, recover(state.right, settledFromJournal(journal)))()
    if (E.isLeft(saved)) return saved
  }
  await removeJournal(journalFileOf(stateFile))
  return E.right(true)
}

/**
 * Before planning: if an apply was interrupted (and is not running now), put what it did into the state,
 * so the plan starts from the truth. Returns whether anything was recovered.
 */
export const recoverBeforePlanning = async (
  stateFile: string,
  roots: { readonly source: string; readonly destination: string },
  sides: Sides,
): Promise<E.Either<StateError | JournalError, boolean>> => {
  await removeLeftoverProbes(probeRecordOf(stateFile), sides)
  const journal = await readJournal(journalFileOf(stateFile))
  if (E.isLeft(journal) || journal.right === null) return E.isLeft(journal) ? journal : E.right(false)
  const release = await acquireLock(lockFileOf(stateFile))
  // An apply holds the lock: the journal is its own, still being written.
  if (E.isLeft(release)) return E.right(false)
  try {
    return await recoverInterrupted(stateFile, roots, sides, journal.right)
  } finally {
    await release.right()
  }
}
