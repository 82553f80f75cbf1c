import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { decodeState } from '../../src/core/state-format.ts'
import type { SyncState } from '../../src/core/sync-state.ts'

/** A state file as the program reads it (version 1 or 2): throws on a damaged one. */
export const readStateFile = async (file: string): Promise<SyncState> =>
  stateOfText(await readFile(file, 'utf8'), file)

/** A state file's text as the state: throws on a damaged one. */
export const stateOfText = (text: string, file = 'the state'): SyncState => {
  const decoded = decodeState(JSON.parse(text))
  if (E.isLeft(decoded)) throw new Error(`${file}: ${decoded.left.join('; ')}`)
  return decoded.right
}
