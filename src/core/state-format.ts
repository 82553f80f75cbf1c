import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describeErrors, mapFromRecord } from './codec.ts'
import { Entry, type FileEntry } from './entry.ts'
import { comparePaths, RelPath, relPath } from './rel-path.ts'
import type { SyncedPair, SyncState } from './sync-state.ts'

/**
 * The state file, version 3: still one JSON document, but a state holds one record per path and a
 * hundred thousand of them are common, so each is a flat row instead of two objects of named fields.
 *
 *     {"format":"syncengine-state","version":3,"lineage":"…","serial":3,"source":"/s","destination":"/d",
 *      "entries":[[0,"docs",2,0],
 *       [4,"/a.txt",25,120,1700000000000,"02049:081:01700000000123.5","01700000000123.5",
 *                   24,"02049:095:01700000000456.5","01700000000456.5"],
 *       [5,"b.sh",29,9,1700000000000,"4:02:aa201.2","aa201.2",24,"4:06:aa500.1","aa500.1"],
 *       [0,"link",3,"docs/a.txt",0]]}
 *
 * A row is `shared, rest`, the path, written as the number of leading characters it shares with the
 * previous row's path and the characters after them; then the source side; then the destination side.
 * Rows are in path order, so a folder's files share its name.
 *
 * A side starts with a head, `kind + 4 × flags`: kind 1 a file, 2 a folder, 3 a symlink, and 0 (the
 * destination only) "the same as the source but for its id and change stamp", which is what two sides
 * in sync mostly are. The flags say which fields follow: 1 exec (files), 2 an id, 4 a change stamp,
 * 8 a hash (files).
 *   - a file: `head, size, mtimeMs`, then its id, change stamp and hash where its flags say;
 *   - a folder: `head`;
 *   - a symlink: `head, target`;
 *   - the same as the source: `head`, then its own id and change stamp where its flags say.
 * An id and a change stamp are each one string, front-coded part by part: split at ":" (a local id is
 * `device:inode:birth time`), each part is one character saying how many leading characters it shares
 * with the same part of the same field of the previous record on the same side (the one before that
 * holds the field; `0`-`9`, `a`-`z`, `A`-`Z` for 0 to 61), then the rest. The device of every file, and
 * most of the inode and birth time of files made one after another, cost one character each. Version 2
 * wrote each of these fields as two cells, the shared length of the whole string and the rest; it is
 * still read. A hash is written whole.
 *
 * Decoding checks every row by hand, one pass, no codec per entry: a bad row is a problem line naming
 * its index and path, and every path still passes `RelPath`.
 */

export const STATE_VERSION = 3

const FILE = 1
const DIR = 2
const SYMLINK = 3
const SAME = 0

const EXEC = 1
const ID = 2
const CHANGE = 4
const HASH = 8

/** Version 1: the same header, `entries` an object of path → `[source, destination]` entries. */
export const SyncStateV1 = t.type({
  format: t.literal('syncengine-state'),
  version: t.literal(1),
  lineage: t.string,
  serial: t.number,
  source: t.string,
  destination: t.string,
  entries: mapFromRecord(RelPath, t.readonly(t.tuple([Entry, Entry])), 'SyncedEntries'),
})

const HeaderV2 = t.type({
  format: t.literal('syncengine-state'),
  version: t.union([t.literal(2), t.literal(3)]),
  lineage: t.string,
  serial: t.number,
  source: t.string,
  destination: t.string,
  entries: t.UnknownArray,
})

export type StateRow = ReadonlyArray<string | number>

/** The state file's JSON, version 3. */
export interface StateJson {
  readonly format: 'syncengine-state'
  readonly version: 3
  readonly lineage: string
  readonly serial: number
  readonly source: string
  readonly destination: string
  readonly entries: ReadonlyArray<StateRow>
}

/** How many leading code units `a` and `b` share (at most `most`), never splitting a surrogate pair. */
const sharedPrefix = (a: string, b: string, most = Number.POSITIVE_INFINITY): number => {
  const n = Math.min(a.length, b.length, most)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i > 0 && i < b.length) {
    const last = b.charCodeAt(i - 1)
    if (last >= 0xd800 && last <= 0xdbff) i--
  }
  return i
}

/** Front-coding state for one string field: the previous value written. */
interface Previous {
  path: string
  readonly id: [string, string]
  readonly change: [string, string]
}

/** The digits of a part's shared length: one character each, all of them safe in JSON unescaped. */
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const MOST_SHARED = DIGITS.length - 1

/** Where the part of `text` that starts at `from` ends: at the next ":" or the end. */
const partEnd = (text: string, from: number): number => {
  const colon = text.indexOf(':', from)
  return colon < 0 ? text.length : colon
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/**
 * `value` front-coded part by part against `previous` (see the format above). A hundred thousand records
 * make four hundred thousand of these: it walks both strings in place instead of splitting them.
 */
export const partCode = (previous: string, value: string): string => {
  let out = ''
  // Where the current part starts in each; -1 once `previous` has no part left to share.
  let v = 0
  let p = 0
  for (;;) {
    const vEnd = partEnd(value, v)
    const pEnd = p < 0 ? -1 : partEnd(previous, p)
    let shared = 0
    if (p >= 0) {
      const most = Math.min(vEnd - v, pEnd - p, MOST_SHARED)
      while (shared < most && value.charCodeAt(v + shared) === previous.charCodeAt(p + shared)) shared++
      if (shared > 0 && v + shared < vEnd && isHighSurrogate(value.charCodeAt(v + shared - 1))) shared--
    }
    out += DIGITS[shared] + value.slice(v + shared, vEnd)
    if (vEnd === value.length) return out
    out += ':'
    v = vEnd + 1
    p = p >= 0 && pEnd < previous.length ? pEnd + 1 : -1
  }
}

/** The value `partCode` wrote, or why the cell is not one. */
export const partDecode = (previous: string, cell: string): string | { readonly problem: string } => {
  let out = ''
  let c = 0
  let p = 0
  for (let part = 1; ; part++) {
    const cEnd = partEnd(cell, c)
    const pEnd = p < 0 ? -1 : partEnd(previous, p)
    const shared = cEnd === c ? -1 : DIGITS.indexOf(cell.charAt(c))
    if (shared < 0 || shared > (p < 0 ? 0 : pEnd - p)) {
      const from = p < 0 ? '' : previous.slice(p, pEnd)
      return { problem: `part ${part} of ${show(cell)} does not say how much of ${show(from)} it shares` }
    }
    out += (shared === 0 ? '' : previous.slice(p, p + shared)) + cell.slice(c + 1, cEnd)
    if (cEnd === cell.length) return out
    out += ':'
    c = cEnd + 1
    p = p >= 0 && pEnd < previous.length ? pEnd + 1 : -1
  }
}

/** Writes an id or change stamp (see `partCode`), and remembers it for the next record on this side. */
const writeStamp = (row: Array<string | number>, previous: [string, string], side: 0 | 1, value: string) => {
  row.push(partCode(previous[side], value))
  previous[side] = value
}

const sameButStamps = (s: Entry, d: Entry): boolean => {
  if (s.kind === 'file')
    return (
      d.kind === 'file' &&
      d.size === s.size &&
      d.mtimeMs === s.mtimeMs &&
      d.exec === s.exec &&
      d.hash === s.hash
    )
  if (s.kind === 'symlink') return d.kind === 'symlink' && d.target === s.target
  return d.kind === 'dir'
}

const encodeStamps = (row: Array<string | number>, previous: Previous, side: 0 | 1, e: Entry): void => {
  if (e.kind !== 'file') return
  if (e.id !== undefined) writeStamp(row, previous.id, side, e.id)
  if (e.change !== undefined) writeStamp(row, previous.change, side, e.change)
}

const stampFlags = (e: Entry): number =>
  e.kind === 'file' ? (e.id === undefined ? 0 : ID) | (e.change === undefined ? 0 : CHANGE) : 0

const encodeEntry = (row: Array<string | number>, previous: Previous, side: 0 | 1, e: Entry): void => {
  switch (e.kind) {
    case 'dir':
      row.push(DIR)
      return
    case 'symlink':
      row.push(SYMLINK, e.target)
      return
    case 'file': {
      const flags = (e.exec ? EXEC : 0) | stampFlags(e) | (e.hash === undefined ? 0 : HASH)
      row.push(FILE + 4 * flags, e.size, e.mtimeMs)
      encodeStamps(row, previous, side, e)
      if (e.hash !== undefined) row.push(e.hash)
    }
  }
}

/** The state as the JSON of a version 3 state file. */
export const encodeState = (state: SyncState): StateJson => {
  const previous: Previous = { path: '', id: ['', ''], change: ['', ''] }
  const paths = [...state.entries.keys()].sort(comparePaths)
  const entries = paths.map((path) => {
    const [source, destination] = state.entries.get(path) as SyncedPair
    const shared = sharedPrefix(previous.path, path)
    const row: Array<string | number> = [shared, path.slice(shared)]
    previous.path = path
    encodeEntry(row, previous, 0, source)
    if (sameButStamps(source, destination)) {
      row.push(SAME + 4 * stampFlags(destination))
      encodeStamps(row, previous, 1, destination)
    } else encodeEntry(row, previous, 1, destination)
    return row
  })
  return {
    format: state.format,
    version: STATE_VERSION,
    lineage: state.lineage,
    serial: state.serial,
    source: state.source,
    destination: state.destination,
    entries,
  }
}

/** A problem in one row, thrown inside the row loop only and caught there: never past `decodeRows`. */
class RowProblem {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/**
 * Reads one row's cells in order, checking each one's type as it goes. `side` and `what` name the cell
 * in a problem; the line is made only then.
 */
class Cells {
  row: ReadonlyArray<unknown> = []
  at = 0
  side = ''
  readonly partCoded: boolean

  constructor(partCoded: boolean) {
    this.partCoded = partCoded
  }

  private next(what: string): unknown {
    if (this.at >= this.row.length) throw new RowProblem(`ends before ${this.side}${what}`)
    return this.row[this.at++]
  }

  private fail(what: string, expected: string, value: unknown): never {
    throw new RowProblem(`${this.side}${what}: expected ${expected}, found ${show(value)}`)
  }

  number(what: string): number {
    const value = this.next(what)
    return typeof value === 'number' ? value : this.fail(what, 'a number', value)
  }

  count(what: string, most: number): number {
    const value = this.next(what)
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= most
      ? value
      : this.fail(what, `a whole number from 0 to ${most}`, value)
  }

  string(what: string): string {
    const value = this.next(what)
    return typeof value === 'string' ? value : this.fail(what, 'a string', value)
  }

  /** An id or change stamp: part by part in one cell (version 3), or in two cells (version 2). */
  stamp(what: string, previous: string): string {
    if (!this.partCoded) return this.frontCoded(what, `${what}'s shared length`, previous)
    const value = partDecode(previous, this.string(what))
    if (typeof value === 'string') return value
    throw new RowProblem(`${this.side}${what}: ${value.problem}`)
  }

  /** A front-coded string: shared characters of `previous`, then the rest. */
  frontCoded(what: string, sharedWhat: string, previous: string): string {
    const shared = this.count(sharedWhat, previous.length)
    const rest = this.string(what)
    return shared === 0 ? rest : previous.slice(0, shared) + rest
  }
}

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

type Stamped = { -readonly [K in keyof FileEntry]: FileEntry[K] }

/** The id and change stamp its flags say `file` has, read into it. */
const decodeStamps = (
  cells: Cells,
  previous: Previous,
  side: 0 | 1,
  flags: number,
  file: Stamped,
): Stamped => {
  if (flags & ID) {
    file.id = cells.stamp('id', previous.id[side])
    previous.id[side] = file.id
  }
  if (flags & CHANGE) {
    file.change = cells.stamp('change stamp', previous.change[side])
    previous.change[side] = file.change
  }
  return file
}

const MOST_HEAD = 4 * (EXEC | ID | CHANGE | HASH) + 3

const noFlags = (cells: Cells, head: number, what: string): void => {
  if (head >> 2 !== 0) throw new RowProblem(`${cells.side}kind: ${head} is ${what} with flags`)
}

const decodeEntry = (cells: Cells, previous: Previous, side: 0 | 1, source?: Entry): Entry => {
  cells.side = side === 0 ? 'the source ' : 'the destination '
  const head = cells.count('kind', MOST_HEAD)
  const kind = head % 4
  const flags = head >> 2
  switch (kind) {
    case DIR:
      noFlags(cells, head, 'a folder')
      return { kind: 'dir' }
    case SYMLINK:
      noFlags(cells, head, 'a symlink')
      return { kind: 'symlink', target: cells.string('symlink target') }
    case FILE: {
      const size = cells.number('size')
      const mtimeMs = cells.number('mtime')
      const file = decodeStamps(cells, previous, side, flags, {
        kind: 'file',
        size,
        mtimeMs,
        exec: (flags & EXEC) !== 0,
      })
      if (flags & HASH) file.hash = cells.string('hash')
      return file
    }
    default: {
      if (source === undefined)
        throw new RowProblem(
          `the source kind: ${head} is "same as the source", which only the destination can be`,
        )
      if (flags & (EXEC | HASH))
        throw new RowProblem(`${cells.side}kind: ${head} is "same as the source" with exec or hash flags`)
      if (source.kind !== 'file') {
        noFlags(cells, head, '"same as the source" of a non-file')
        return source
      }
      const file: Stamped = { kind: 'file', size: source.size, mtimeMs: source.mtimeMs, exec: source.exec }
      if (source.hash !== undefined) file.hash = source.hash
      return decodeStamps(cells, previous, side, flags, file)
    }
  }
}

const decodeRows = (
  rows: ReadonlyArray<unknown>,
  version: 2 | 3,
): E.Either<string, Map<RelPath, SyncedPair>> => {
  const previous: Previous = { path: '', id: ['', ''], change: ['', ''] }
  const entries = new Map<RelPath, SyncedPair>()
  const cells = new Cells(version === 3)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    const where = `entries[${i}]`
    if (!Array.isArray(row)) return E.left(`${where}: expected a list, found ${show(row)}`)
    let path: string | undefined
    try {
      cells.row = row
      cells.at = 0
      cells.side = 'the '
      path = cells.frontCoded('path', "path's shared length", previous.path)
      const checked = relPath(path)
      if (E.isLeft(checked)) throw new RowProblem(`the path ${checked.left.why}`)
      previous.path = path
      const source = decodeEntry(cells, previous, 0)
      const destination = decodeEntry(cells, previous, 1, source)
      if (cells.at !== row.length) throw new RowProblem(`has ${row.length - cells.at} cells past its end`)
      if (entries.has(checked.right)) throw new RowProblem('repeats a path')
      entries.set(checked.right, [source, destination])
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error
      return E.left(`${where}${path === undefined ? '' : ` (${show(path)})`}: ${error.message}`)
    }
  }
  return E.right(entries)
}

/**
 * A state file's JSON, version 1, 2 or 3, as the state: problems as lines a person can act on, the first
 * bad row by its index and path.
 */
export const decodeState = (json: unknown): E.Either<ReadonlyArray<string>, SyncState> => {
  const version =
    typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined
  if (version === 1) {
    const v1 = SyncStateV1.decode(json)
    return E.isLeft(v1) ? E.left(describeErrors(v1.left)) : E.right({ ...v1.right, version: STATE_VERSION })
  }
  const header = HeaderV2.decode(json)
  if (E.isLeft(header)) return E.left(describeErrors(header.left))
  const entries = decodeRows(header.right.entries, header.right.version)
  if (E.isLeft(entries)) return E.left([entries.left])
  return E.right({ ...header.right, version: STATE_VERSION, entries: entries.right })
}
