import { createHash, randomUUID } from 'node:crypto'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeState, encodeState } from '../core/state-format.ts'
import { newState, type SyncState } from '../core/sync-state.ts'
import { type OwnFileError, ownFileTarget, readOwnFile } from './regular-file.ts'
import { writeFileAtomic } from './write-atomic.ts'

export type StateError =
  | OwnFileError
  | {
      readonly _tag: 'StateUnreadable'
      readonly file: string
      readonly code: string
      readonly message: string
    }
  | { readonly _tag: 'StateCorrupt'; readonly file: string; readonly problems: ReadonlyArray<string> }
  | {
      readonly _tag: 'StateOfOtherPair'
      readonly file: string
      readonly recorded: { readonly source: string; readonly destination: string }
    }
  | {
      readonly _tag: 'StateUnwritable'
      readonly file: string
      readonly code: string
      readonly message: string
    }

/**
 * Where a pair's state lives unless `--state` says otherwise: one file per pair under
 * `$XDG_STATE_HOME/syncengine` (`~/.local/state/syncengine`), named from both roots. Outside both roots,
 * so it is never synced.
 */
export const defaultStateFile = (
  source: string,
  destination: string,
  env: Readonly<Record<string, string | undefined>>,
): string => {
  // The XDG spec: an empty or relative XDG_STATE_HOME counts as unset.
  const xdg = env.XDG_STATE_HOME
  const home = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state')
  const key = createHash('sha256').update(`${source}\n${destination}`).digest('hex').slice(0, 16)
  return join(home, 'syncengine', `${key}.json`)
}

/**
 * The last state file read, by its text: a `sync` reads the state to plan and again to apply (another
 * apply may have run in between), and the second read of the same bytes need not parse a hundred
 * thousand entries again. A state is never changed in place, so the same bytes may share one; it is held
 * weakly, and parsed again if it is gone.
 */
let lastRead: { readonly digest: string; readonly state: WeakRef<SyncState> } | undefined

const digestOf = (text: string): string => createHash('sha256').update(text).digest('base64')

const parseState = (file: string, text: string): E.Either<StateError, SyncState> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return E.left({ _tag: 'StateCorrupt', file, problems: [`not JSON: ${(error as Error).message}`] })
  }
  // Versions 1 to 3; the next save writes version 3.
  const decoded = decodeState(json)
  return E.isLeft(decoded) ? E.left({ _tag: 'StateCorrupt', file, problems: decoded.left }) : decoded
}

/** The state of the pair, or null when the pair has never been synced (no file yet). */
export const loadState =
  (
    file: string,
    roots: { readonly source: string; readonly destination: string },
  ): TE.TaskEither<StateError, SyncState | null> =>
  async () => {
    const read = await readOwnFile(file, 'state file', ({ code, message }) => ({
      _tag: 'StateUnreadable' as const,
      file,
      code,
      message,
    }))
    if (E.isLeft(read)) return read
    const text = read.right
    if (text === null) return E.right(null)
    const digest = digestOf(text)
    const known = lastRead?.digest === digest ? lastRead.state.deref() : undefined
    const decoded = known === undefined ? parseState(file, text) : E.right(known)
    if (E.isLeft(decoded)) return decoded
    const state = decoded.right
    lastRead = { digest, state: new WeakRef(state) }
    if (state.source !== roots.source || state.destination !== roots.destination)
      return E.left({
        _tag: 'StateOfOtherPair',
        file,
        recorded: { source: state.source, destination: state.destination },
      })
    return E.right(state)
  }

export const freshState = (source: string, destination: string): SyncState =>
  newState(randomUUID(), source, destination)

export const saveState =
  (file: string, state: SyncState): TE.TaskEither<StateError, void> =>
  async () => {
    const target = await ownFileTarget(file, 'state file', ({ code, message }) => ({
      _tag: 'StateUnwritable' as const,
      file,
      code,
      message,
    }))
    if (E.isLeft(target)) return target
    try {
      await writeFileAtomic(target.right, `${JSON.stringify(encodeState(state))}\n`)
      return E.right(undefined)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
      return E.left({ _tag: 'StateUnwritable', file, code, message: (error as Error).message })
    }
  }
