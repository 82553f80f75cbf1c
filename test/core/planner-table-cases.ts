import { createHash } from 'node:crypto'
import type { Action } from '../../src/core/action.ts'
import type { Entry, FileEntry } from '../../src/core/entry.ts'
import type { Conflict } from '../../src/core/plan-file.ts'
import type { Mode } from '../../src/core/policy.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import type { Direction, Side } from '../../src/core/side.ts'
import type { Snapshot } from '../../src/core/snapshot.ts'
import type { SyncState } from '../../src/core/sync-state.ts'

/**
 * Plain values for the planner table (`planner-table.test.ts`): files named by their content, a recorded
 * base, edits on each side, and a compact form of actions and conflicts to compare with what the README
 * promises. Nothing here touches storage or the file system: the planner is a pure function.
 */

/** When the base was synced, and when each side wrote since (the destination later: it is the newer). */
export const T0 = Date.UTC(2024, 0, 1, 0, 0, 0)
export const SOURCE_WRITE = Date.UTC(2024, 0, 2, 3, 4, 5)
export const DESTINATION_WRITE = Date.UTC(2024, 0, 3, 6, 7, 8)

export const hashOf = (content: string): string =>
  `sha256:${createHash('sha256').update(content, 'utf8').digest('hex')}`

/** A file holding `content`: its size, its SHA-256, an mtime and a backend id (the inode on that side). */
export const fileOf = (content: string, mtimeMs: number, id: string): FileEntry => ({
  kind: 'file',
  size: Buffer.byteLength(content, 'utf8'),
  mtimeMs,
  exec: false,
  hash: hashOf(content),
  id,
})

/** The tree both sides held at the last sync, by path and content; every case starts from it. */
export type Tree = Readonly<Record<string, string>>

/**
 * What one side did since the last sync, by path: new content (a write, at that side's write time, with
 * a new id), `null` (deleted), or `{ renamedFrom }` (the very file that was recorded at that path on this
 * side, moved here: same content, mtime and id).
 */
export type Edits = Readonly<Record<string, string | null | { readonly renamedFrom: string }>>

const idOf = (side: Side, path: string, generation: number): string => `${side}:${path}#${generation}`

const baseEntry = (side: Side, path: string, content: string): FileEntry =>
  fileOf(content, T0, idOf(side, path, 0))

const CAPABILITIES: Snapshot['capabilities'] = {
  caseSensitive: true,
  normalizesUnicode: false,
  mtimePrecisionMs: 1,
  symlinks: true,
  execBit: true,
}

export const snapshotOf = (root: string, entries: ReadonlyMap<string, Entry>): Snapshot => ({
  root,
  exists: true,
  capabilities: CAPABILITIES,
  entries: new Map([...entries].map(([path, entry]) => [path as RelPath, entry])),
  excluded: [],
  ignoreFiles: {},
  warnings: [],
  fingerprint: `fingerprint-of-${root}`,
})

/** The state the last sync left: each path of `base` recorded as it was on each side. */
export const stateOf = (base: Tree): SyncState => ({
  format: 'syncengine-state',
  version: 3,
  lineage: 'planner-table',
  serial: 1,
  source: '/source',
  destination: '/destination',
  entries: new Map(
    Object.entries(base).map(([path, content]) => [
      path as RelPath,
      [baseEntry('source', path, content), baseEntry('destination', path, content)] as const,
    ]),
  ),
})

/** One side now: the base as synced, with `edits` made on it. */
export const sideOf = (side: Side, base: Tree, edits: Edits = {}): Snapshot => {
  const entries = new Map<string, Entry>(
    Object.entries(base).map(([path, content]) => [path, baseEntry(side, path, content)]),
  )
  const before = new Map(entries)
  const writeTime = side === 'source' ? SOURCE_WRITE : DESTINATION_WRITE
  for (const [path, edit] of Object.entries(edits)) {
    if (edit === null) entries.delete(path)
    else if (typeof edit === 'string') entries.set(path, fileOf(edit, writeTime, idOf(side, path, 1)))
    else {
      const moved = before.get(edit.renamedFrom)
      if (moved === undefined) throw new Error(`nothing recorded at ${edit.renamedFrom} to rename`)
      entries.set(path, moved)
    }
  }
  return snapshotOf(side === 'source' ? '/source' : '/destination', entries)
}

/**
 * An action as the table states it: what it does, on which side or in which direction, at which paths,
 * and the content it carries (named by the content itself, read back from the hash).
 */
export type Step =
  | {
      readonly kind: 'copy'
      readonly direction: Direction
      readonly path: string
      readonly content: string
      readonly replaces: string | null
      readonly from?: string
    }
  | { readonly kind: 'delete'; readonly side: Side; readonly path: string; readonly content: string }
  | {
      readonly kind: 'move' | 'clone'
      readonly side: Side
      readonly from: string
      readonly to: string
      readonly content: string
    }
  | { readonly kind: 'mkdir'; readonly side: Side; readonly path: string }
  | { readonly kind: 'meta'; readonly side: Side; readonly path: string; readonly content: string }

export interface ConflictStep {
  readonly path: string
  readonly source: string | null
  readonly destination: string | null
  readonly outcome: Conflict['outcome']
}

/** What one mode does in one case: the actions, in any order, and the conflicts it reports. */
export interface Outcome {
  readonly actions: ReadonlyArray<Step>
  readonly conflicts: ReadonlyArray<ConflictStep>
}

export const upload = (path: string, content: string, replaces: string | null = null): Step => ({
  kind: 'copy',
  direction: 'upload',
  path,
  content,
  replaces,
})
export const download = (path: string, content: string, replaces: string | null = null): Step => ({
  kind: 'copy',
  direction: 'download',
  path,
  content,
  replaces,
})
export const remove = (side: Side, path: string, content: string): Step => ({
  kind: 'delete',
  side,
  path,
  content,
})
export const move = (side: Side, from: string, to: string, content: string): Step => ({
  kind: 'move',
  side,
  from,
  to,
  content,
})
export const clone = (side: Side, from: string, to: string, content: string): Step => ({
  kind: 'clone',
  side,
  from,
  to,
  content,
})

export const nothing: Outcome = { actions: [], conflicts: [] }
export const doing = (...actions: ReadonlyArray<Step>): Outcome => ({ actions, conflicts: [] })

/** Reads plans back into the table's words: a file's content is named from its hash. */
export const reader = (contents: Iterable<string>) => {
  const byHash = new Map([...contents].map((content) => [hashOf(content), content]))
  const contentOf = (entry: Entry | null): string | null => {
    if (entry === null) return null
    if (entry.kind !== 'file') return `<${entry.kind}>`
    return (entry.hash === undefined ? undefined : byHash.get(entry.hash)) ?? `<unknown ${entry.hash}>`
  }
  const stepOf = (action: Action): Step => {
    switch (action.kind) {
      case 'copy':
        return {
          kind: 'copy',
          direction: action.direction,
          path: action.path,
          content: contentOf(action.entry) ?? '',
          replaces: contentOf(action.replaces),
          ...(action.from === undefined ? {} : { from: action.from }),
        }
      case 'delete':
        return {
          kind: 'delete',
          side: action.side,
          path: action.path,
          content: contentOf(action.entry) ?? '',
        }
      case 'move':
      case 'clone':
        return {
          kind: action.kind,
          side: action.side,
          from: action.from,
          to: action.to,
          content: contentOf(action.entry) ?? '',
        }
      case 'mkdir':
        return { kind: 'mkdir', side: action.side, path: action.path }
      case 'meta':
        return { kind: 'meta', side: action.side, path: action.path, content: contentOf(action.entry) ?? '' }
    }
  }
  const conflictOf = (conflict: Conflict): ConflictStep => ({
    path: conflict.path,
    source: contentOf(conflict.source),
    destination: contentOf(conflict.destination),
    outcome: conflict.outcome,
  })
  return { stepOf, conflictOf }
}

/** A stable order, so two lists of steps compare as multisets. */
export const sorted = <T>(items: ReadonlyArray<T>): T[] =>
  [...items].sort((a, b) => {
    const x = JSON.stringify(a)
    const y = JSON.stringify(b)
    return x < y ? -1 : x > y ? 1 : 0
  })

/** The mode table of the README (the table under `## Modes`): its mode columns, and its cells by row. */
export interface ReadmeTable {
  readonly modes: ReadonlyArray<string>
  readonly rows: ReadonlyArray<{
    readonly situation: string
    readonly cells: Readonly<Record<string, string>>
  }>
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim())

export const parseModeTable = (markdown: string): ReadmeTable => {
  const lines = markdown.split(/\r?\n/)
  const start = lines.findIndex((line) => line.trim() === '## Modes')
  if (start < 0) throw new Error('no "## Modes" section in the README')
  const section: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break
    section.push(line)
  }
  const first = section.findIndex((line) => line.trim().startsWith('|'))
  if (first < 0) throw new Error('no table under "## Modes"')
  const table: string[] = []
  for (const line of section.slice(first)) {
    if (!line.trim().startsWith('|')) break
    table.push(line)
  }
  const [header, separator, ...body] = table
  if (header === undefined || separator === undefined || !/^[\s|:-]+$/.test(separator))
    throw new Error('the mode table has no header')
  const modes = cellsOf(header)
    .slice(1)
    .map((cell) => {
      const mode = /`([^`]+)`/.exec(cell)?.[1]
      if (mode === undefined) throw new Error(`no mode named in column "${cell}"`)
      return mode
    })
  const rows = body.map((line) => {
    const [situation = '', ...cells] = cellsOf(line)
    if (cells.length !== modes.length) throw new Error(`row "${situation}" has ${cells.length} cells`)
    return { situation, cells: Object.fromEntries(modes.map((mode, i) => [mode, cells[i] as string])) }
  })
  return { modes, rows }
}

/** One case of the table, for one mode. */
export type PerMode<T> = Readonly<Record<Mode, T>>
