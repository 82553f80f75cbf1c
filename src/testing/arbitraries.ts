import fc from 'fast-check'
import { CONFLICT_STRATEGIES, type ConflictStrategy, MODES, type Mode } from '../core/policy.ts'

/**
 * fast-check arbitraries for the laws of syncing: realistic trees, the edits a person makes to one side
 * between syncs, and whole scenarios (a synced base, edits on both sides, a mode and a strategy).
 *
 * Values are plain data, so a failing case prints as something a person can replay by hand. Turning them
 * into files goes through `EditableSide`, which the in-memory and local test sides satisfy. Time comes from
 * a `Clock` passed in: every write gets a strictly later mtime, so runs replay exactly from their seed.
 */

/** Strictly increasing mtimes, in milliseconds. */
export type Clock = () => number

/** A clock that starts at `start` and moves `stepMs` at every call: "newer" is never a coin toss. */
export const counterClock = (start = 1_700_000_000_000, stepMs = 60_000): Clock => {
  let now = start
  return () => {
    now += stepMs
    return now
  }
}

/** What the edits need of one side of a pair: write, make folders, remove, rename, and look. */
export interface EditableSide {
  readonly put: (path: string, content: string, opts: { mtimeMs: number }) => Promise<void>
  /** Makes a folder and any missing folder above it. */
  readonly mkdir: (path: string) => Promise<void>
  /**
   * Makes a symlink (missing folders above it made on the way). A side without it gets no symlinks: trees
   * and edits that hold one skip it.
   */
  readonly symlink?: (path: string, target: string) => Promise<void>
  /** Removes a file, or a folder with everything in it. */
  readonly remove: (path: string) => Promise<void>
  /** Renames within the side; the target's folder exists and nothing is at the target. */
  readonly rename: (from: string, to: string) => Promise<void>
  /** Files as their text, symlinks as `-> target`, folders as `path/` → ''. */
  readonly tree: () => Promise<Record<string, string>>
}

export interface EditablePair {
  readonly source: EditableSide
  readonly destination: EditableSide
}

// ---------------------------------------------------------------------------------------------------------
// names and contents

/**
 * A small pool, so both sides pick the same names often: plain names (folders or files), extensions,
 * names that differ only in case (`c.txt`, `C.txt`), the same accented name in both Unicode forms (`é.txt`
 * as NFC `\u00e9` and as NFD `e\u0301`), and `e.log` for ignore rules to match. A case-sensitive store
 * that keeps names as given (the memory storage, ext4) holds each as its own name.
 */
export const NAMES: ReadonlyArray<string> = [
  'a',
  'b',
  'c.txt',
  'C.txt',
  'd.md',
  'e.log',
  '\u00e9.txt',
  'e\u0301.txt',
  // `caf` and the byte 0xE9: a Latin-1 name, not UTF-8, as a storage reports it (see core/name-bytes.ts).
  'caf\u{10FF69}',
]

/** Where symlinks point: short and relative, to a sibling, into a folder, up a level, or to nothing. */
export const SYMLINK_TARGETS: ReadonlyArray<string> = ['a', 'c.txt', 'a/d.md', '../b', 'missing']

/** Names folders get most often: few of them, so trees overlap. */
const FOLDER_NAMES: ReadonlyArray<string> = ['a', 'b', 'c.txt']

/** Small texts; several share a size (`one`/`two`, `ab`/`ba`), so only the mtime tells them apart. */
export const CONTENTS: ReadonlyArray<string> = ['', 'x', 'y', 'ab', 'ba', 'one', 'two', 'hello world']

export const MAX_DEPTH = 3

export const nameArbitrary: fc.Arbitrary<string> = fc.constantFrom(...NAMES)

export const contentArbitrary: fc.Arbitrary<string> = fc.constantFrom(...CONTENTS)

export const symlinkTargetArbitrary: fc.Arbitrary<string> = fc.constantFrom(...SYMLINK_TARGETS)

/** A relative path of one to three names from the pool, folders drawn mostly from a few names. */
export const pathArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FOLDER_NAMES) }, nameArbitrary), {
      maxLength: MAX_DEPTH - 1,
    }),
    nameArbitrary,
  )
  .map(([folders, name]) => [...folders, name].join('/'))

export const modeArbitrary: fc.Arbitrary<Mode> = fc.constantFrom(...MODES)

export const conflictArbitrary: fc.Arbitrary<ConflictStrategy> = fc.constantFrom(...CONFLICT_STRATEGIES)

// ---------------------------------------------------------------------------------------------------------
// trees

export type TreeNode =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly content: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }

/** Folders before what they hold; every folder is listed, so empty folders are kept. */
export type Tree = ReadonlyArray<TreeNode>

type Child =
  | { readonly kind: 'file'; readonly content: string }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dir'; readonly children: Folder }
type Folder = ReadonlyArray<readonly [string, Child]>

const folderArbitrary = (depth: number, maxChildren: number): fc.Arbitrary<Folder> => {
  const file = fc.oneof(
    { weight: 6, arbitrary: contentArbitrary.map((content): Child => ({ kind: 'file', content })) },
    { weight: 1, arbitrary: symlinkTargetArbitrary.map((target): Child => ({ kind: 'symlink', target })) },
  )
  const child: fc.Arbitrary<Child> =
    depth <= 1
      ? file
      : fc.oneof(
          { weight: 2, arbitrary: file },
          {
            weight: 1,
            arbitrary: folderArbitrary(depth - 1, 3).map((children): Child => ({ kind: 'dir', children })),
          },
        )
  return fc.uniqueArray(fc.tuple(nameArbitrary, child), {
    selector: ([name]) => name,
    maxLength: maxChildren,
  })
}

const flatten = (folder: Folder, prefix: string): Tree =>
  folder.flatMap(([name, child]) => flattenChild(prefix === '' ? name : `${prefix}/${name}`, child))

const flattenChild = (path: string, child: Child): Tree => {
  switch (child.kind) {
    case 'file':
      return [{ kind: 'file', path, content: child.content }]
    case 'symlink':
      return [{ kind: 'symlink', path, target: child.target }]
    case 'dir':
      return [{ kind: 'dir', path }, ...flatten(child.children, path)]
  }
}

/**
 * Nested folders (at most three names deep), empty folders, small text files (several of the same size),
 * and a few symlinks with short relative targets.
 */
export const treeArbitrary: fc.Arbitrary<Tree> = folderArbitrary(MAX_DEPTH, 5).map((root) =>
  flatten(root, ''),
)

/**
 * Writes a tree onto a side, each file with the next mtime of the clock; `mtimeOf` can hand a file the
 * mtime it already has elsewhere (a copy made with `cp -p`), so two sides hold files alike but for the mtime
 * or alike in everything. Returns the mtime each file got.
 */
export const plantTree = async (
  side: EditableSide,
  tree: Tree,
  clock: Clock,
  mtimeOf: (path: string) => number | undefined = () => undefined,
): Promise<ReadonlyMap<string, number>> => {
  const mtimes = new Map<string, number>()
  for (const node of tree) {
    if (node.kind === 'dir') await side.mkdir(node.path)
    else if (node.kind === 'symlink') await side.symlink?.(node.path, node.target)
    else {
      const mtimeMs = mtimeOf(node.path) ?? clock()
      await side.put(node.path, node.content, { mtimeMs })
      mtimes.set(node.path, mtimeMs)
    }
  }
  return mtimes
}

// ---------------------------------------------------------------------------------------------------------
// edits

/**
 * One change a person makes to one side. `pick` chooses among what exists when the edit is made (the
 * paths in order, wrapping around), so an edit means something whatever the tree holds by then.
 */
export type Edit =
  /** Creates or overwrites a file; a file in the way above it, or a folder at its place, is removed first. */
  | { readonly kind: 'write'; readonly path: string; readonly content: string }
  /** Overwrites an existing file; the same content gives a file that differs only in its mtime. */
  | { readonly kind: 'overwrite'; readonly pick: number; readonly content: string }
  /** Writes an existing file again with the content it has: only its mtime changes. */
  | { readonly kind: 'touch'; readonly pick: number }
  /**
   * Overwrites an existing file and sets one of a few fixed mtimes: two sides can each make an edit of
   * the same size and the same mtime with other bytes, which size and mtime alone cannot tell apart.
   */
  | { readonly kind: 'stamped'; readonly pick: number; readonly content: string; readonly stamp: number }
  /** Creates or replaces a symlink, clearing the way as `write` does (skipped on a side without symlinks). */
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  /** Deletes a file, or a folder with everything in it. */
  | { readonly kind: 'delete'; readonly pick: number }
  /** Makes a folder (and the ones above it); a file in the way is removed first. */
  | { readonly kind: 'mkdir'; readonly path: string }
  /** Renames a file or folder; skipped when the new name is taken or lies inside the old one. */
  | { readonly kind: 'rename'; readonly pick: number; readonly to: string }

const pickArbitrary = fc.nat({ max: 63 })

/** The fixed mtimes of `stamped` edits: a second apart, before any clock time. */
const STAMPS_FROM = 1_650_000_000_000

export const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), path: pathArbitrary, content: contentArbitrary }),
  fc.record({ kind: fc.constant('overwrite' as const), pick: pickArbitrary, content: contentArbitrary }),
  fc.record({ kind: fc.constant('touch' as const), pick: pickArbitrary }),
  fc.record({
    kind: fc.constant('stamped' as const),
    pick: pickArbitrary,
    content: contentArbitrary,
    stamp: fc.nat({ max: 2 }),
  }),
  fc.record({ kind: fc.constant('symlink' as const), path: pathArbitrary, target: symlinkTargetArbitrary }),
  fc.record({ kind: fc.constant('delete' as const), pick: pickArbitrary }),
  fc.record({ kind: fc.constant('mkdir' as const), path: pathArbitrary }),
  fc.record({ kind: fc.constant('rename' as const), pick: pickArbitrary, to: pathArbitrary }),
)

export const editsArbitrary = (maxLength = 4): fc.Arbitrary<ReadonlyArray<Edit>> =>
  fc.array(editArbitrary, { maxLength })

const ancestorsOf = (path: string): ReadonlyArray<string> => {
  const names = path.split('/')
  return names.slice(0, -1).map((_, i) => names.slice(0, i + 1).join('/'))
}

const isWithin = (path: string, folder: string): boolean => path.startsWith(`${folder}/`)

type Kind = 'file' | 'dir' | 'symlink'

/** Path → its kind, from a side's tree listing (no content in the pool starts with `-> `). */
const kindsOf = async (side: EditableSide): Promise<ReadonlyMap<string, Kind>> => {
  const kinds = new Map<string, Kind>()
  for (const [key, value] of Object.entries(await side.tree())) {
    if (key.endsWith('/')) kinds.set(key.slice(0, -1), 'dir')
    else kinds.set(key, value.startsWith('-> ') ? 'symlink' : 'file')
  }
  return kinds
}

/** A file or a symlink: something that is not a folder and cannot hold anything. */
const isLeaf = (kind: Kind | undefined): boolean => kind === 'file' || kind === 'symlink'

const picked = (paths: ReadonlyArray<string>, pick: number): string | undefined =>
  paths.length === 0 ? undefined : paths[pick % paths.length]

/** Removes the files that stand where `path` needs folders, as a person would before making them. */
const clearWayTo = async (side: EditableSide, kinds: ReadonlyMap<string, Kind>, path: string) => {
  for (const folder of ancestorsOf(path)) {
    if (isLeaf(kinds.get(folder))) {
      await side.remove(folder)
      return
    }
  }
}

/** Makes one edit; returns false when it did not apply (nothing to pick, or the rename's target is taken). */
export const applyEdit = async (side: EditableSide, edit: Edit, clock: Clock): Promise<boolean> => {
  const kinds = await kindsOf(side)
  const paths = [...kinds.keys()].sort()
  const filePaths = paths.filter((p) => kinds.get(p) === 'file')
  switch (edit.kind) {
    case 'write': {
      await clearWayTo(side, kinds, edit.path)
      // Never write through a symlink: it is replaced, as a folder is.
      if (kinds.get(edit.path) === 'dir' || kinds.get(edit.path) === 'symlink') await side.remove(edit.path)
      await side.put(edit.path, edit.content, { mtimeMs: clock() })
      return true
    }
    case 'touch': {
      const path = picked(filePaths, edit.pick)
      if (path === undefined) return false
      const content = (await side.tree())[path] ?? ''
      await side.put(path, content, { mtimeMs: clock() })
      return true
    }
    case 'symlink': {
      if (side.symlink === undefined) return false
      await clearWayTo(side, kinds, edit.path)
      if (kinds.has(edit.path)) await side.remove(edit.path)
      await side.symlink(edit.path, edit.target)
      return true
    }
    case 'overwrite': {
      const path = picked(filePaths, edit.pick)
      if (path === undefined) return false
      await side.put(path, edit.content, { mtimeMs: clock() })
      return true
    }
    case 'stamped': {
      const path = picked(filePaths, edit.pick)
      if (path === undefined) return false
      await side.put(path, edit.content, { mtimeMs: STAMPS_FROM + edit.stamp * 1000 })
      return true
    }
    case 'delete': {
      const path = picked(paths, edit.pick)
      if (path === undefined) return false
      await side.remove(path)
      return true
    }
    case 'mkdir': {
      await clearWayTo(side, kinds, edit.path)
      if (isLeaf(kinds.get(edit.path))) await side.remove(edit.path)
      await side.mkdir(edit.path)
      return true
    }
    case 'rename': {
      const from = picked(paths, edit.pick)
      if (from === undefined || from === edit.to || isWithin(edit.to, from)) return false
      if (kinds.has(edit.to) || ancestorsOf(edit.to).some((folder) => isLeaf(kinds.get(folder)))) return false
      const parent = ancestorsOf(edit.to).at(-1)
      if (parent !== undefined) await side.mkdir(parent)
      await side.rename(from, edit.to)
      return true
    }
  }
}

export const applyEdits = async (
  side: EditableSide,
  edits: ReadonlyArray<Edit>,
  clock: Clock,
): Promise<void> => {
  for (const edit of edits) await applyEdit(side, edit, clock)
}

// ---------------------------------------------------------------------------------------------------------
// scenarios

/** A base tree synced two-way, then edits on each side, then a sync in `mode` with `conflict`. */
export interface Scenario {
  readonly base: Tree
  readonly source: ReadonlyArray<Edit>
  readonly destination: ReadonlyArray<Edit>
  readonly mode: Mode
  readonly conflict: ConflictStrategy
}

export interface ScenarioOptions {
  readonly modes?: ReadonlyArray<Mode>
  readonly conflicts?: ReadonlyArray<ConflictStrategy>
  /** Edits per side, at most. */
  readonly maxEdits?: number
}

export const scenarioArbitrary = (options: ScenarioOptions = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    base: treeArbitrary,
    source: editsArbitrary(options.maxEdits),
    destination: editsArbitrary(options.maxEdits),
    mode: fc.constantFrom(...(options.modes ?? MODES)),
    conflict: fc.constantFrom(...(options.conflicts ?? CONFLICT_STRATEGIES)),
  })

/**
 * Two sides that never synced: the same base on both, then each side's edits. Where `sameMtime` says so a
 * file's twin has the very same mtime (copied with its time); elsewhere it differs only in its mtime.
 */
export interface Unsynced {
  readonly base: Tree
  /** Per file of the base, in order (wrapping around): whether the destination's copy keeps the mtime. */
  readonly sameMtime: ReadonlyArray<boolean>
  readonly source: ReadonlyArray<Edit>
  readonly destination: ReadonlyArray<Edit>
  readonly conflict: ConflictStrategy
}

export const unsyncedArbitrary = (options: Omit<ScenarioOptions, 'modes'> = {}): fc.Arbitrary<Unsynced> =>
  fc.record({
    base: treeArbitrary,
    sameMtime: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    source: editsArbitrary(options.maxEdits),
    destination: editsArbitrary(options.maxEdits),
    conflict: fc.constantFrom(...(options.conflicts ?? CONFLICT_STRATEGIES)),
  })

/** Plants an unsynced pair: the base on both sides (see `Unsynced.sameMtime`), then each side's edits. */
export const plantUnsynced = async (pair: EditablePair, unsynced: Unsynced, clock: Clock): Promise<void> => {
  const mtimes = await plantTree(pair.source, unsynced.base, clock)
  const files = unsynced.base.filter((node) => node.kind === 'file').map((node) => node.path)
  const keeps = new Set(files.filter((_, i) => unsynced.sameMtime[i % unsynced.sameMtime.length] === true))
  await plantTree(pair.destination, unsynced.base, clock, (path) =>
    keeps.has(path) ? mtimes.get(path) : undefined,
  )
  await applyEdits(pair.source, unsynced.source, clock)
  await applyEdits(pair.destination, unsynced.destination, clock)
}
