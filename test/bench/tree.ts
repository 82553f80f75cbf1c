/**
 * The benchmark's trees: a realistic mix of folders, names and file sizes (about 8 KiB on average), built
 * from a seed so that every run and every tool gets the same tree, and the same edits of it.
 */
import { createHash } from 'node:crypto'
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'

/** mulberry32: small, fast and good enough to pick sizes and names. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TreeFile {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
  readonly exec: boolean
}

export interface Layout {
  /** Every folder, parents before children. */
  readonly dirs: ReadonlyArray<string>
  readonly files: ReadonlyArray<TreeFile>
}

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Sizes as a source tree, a documents folder or a home folder has them: mostly small files, a few
 * large ones. The mean is about 8 KiB.
 */
const pickSize = (random: () => number): number => {
  const r = random()
  const within = (low: number, high: number) => low + Math.floor(random() * (high - low))
  if (r < 0.02) return 0
  if (r < 0.4) return within(1, KiB)
  if (r < 0.7) return within(KiB, 4 * KiB)
  if (r < 0.9) return within(4 * KiB, 16 * KiB)
  if (r < 0.99) return within(16 * KiB, 64 * KiB)
  return within(64 * KiB, 256 * KiB)
}

const folderWords = [
  'src',
  'docs',
  'assets',
  'Photos 2019',
  'lib',
  'test',
  'notes',
  'Projects',
  'café',
  'data',
]
const fileWords = [
  'index',
  'report',
  'IMG',
  'main',
  'README',
  'config',
  'résumé',
  'draft copy',
  'util',
  'data',
]
const extensions = ['txt', 'md', 'ts', 'json', 'jpg', 'png', 'pdf', 'c', 'h', 'csv', 'html', 'log']

const pick = <A>(random: () => number, from: ReadonlyArray<A>): A => {
  const chosen = from[Math.floor(random() * from.length)]
  if (chosen === undefined) throw new Error('pick from an empty list')
  return chosen
}

/** About 16 files a folder, folders up to 6 deep, every folder holding at least one file. */
export const layout = (fileCount: number, seed = 1): Layout => {
  const random = prng(seed)
  const dirCount = Math.max(1, Math.round(fileCount / 16))
  const dirs: string[] = []
  const depths: number[] = []
  for (let j = 0; j < dirCount; j++) {
    let parent = -1
    if (j >= 8) {
      parent = Math.floor(random() * j)
      if ((depths[parent] ?? 0) >= 5) parent = Math.floor(random() * 8)
    }
    const name = `${pick(random, folderWords)}-${j}`
    dirs.push(parent < 0 ? name : `${dirs[parent]}/${name}`)
    depths.push(parent < 0 ? 0 : (depths[parent] ?? 0) + 1)
  }
  const base = 1_700_000_000_000
  const threeYears = 3 * 365 * 24 * 3600 * 1000
  const files: TreeFile[] = []
  for (let i = 0; i < fileCount; i++) {
    const dir = i < dirCount ? dirs[i] : random() < 0.001 ? '' : pick(random, dirs)
    const name = `${pick(random, fileWords)}-${i}.${pick(random, extensions)}`
    files.push({
      path: dir === '' || dir === undefined ? name : `${dir}/${name}`,
      size: pickSize(random),
      mtimeMs: base - Math.floor(random() * threeYears),
      exec: random() < 0.005,
    })
  }
  return { dirs, files }
}

/** Random bytes to cut file contents from; files stay distinct through a header naming them. */
const pool = (() => {
  const random = prng(42)
  const bytes = Buffer.alloc(4 * MiB)
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(Math.floor(random() * 2 ** 32), i)
  return bytes
})()

const offsetOf = (text: string, room: number): number =>
  createHash('sha1').update(text).digest().readUInt32LE(0) % Math.max(1, room)

/** The bytes of `path` at `version` (0 as generated; an edit makes another), `size` long. */
export const contentOf = (path: string, size: number, version = 0): Buffer => {
  const header = Buffer.from(`${path} #${version}\n`)
  if (size <= header.length) return header.subarray(0, size)
  const rest = size - header.length
  const start = offsetOf(`${path}#${version}`, pool.length - rest)
  return Buffer.concat([header, pool.subarray(start, start + rest)], size)
}

const writeFile = (abs: string, content: Buffer, mtimeMs: number, exec: boolean): void => {
  writeFileSync(abs, content, { mode: exec ? 0o755 : 0o644 })
  // writeFile's mode passes through the umask; the exec bit must not.
  if (exec) chmodSync(abs, 0o755)
  utimesSync(abs, new Date(mtimeMs), new Date(mtimeMs))
}

export const writeTree = (root: string, tree: Layout): void => {
  mkdirSync(root, { recursive: true })
  for (const dir of tree.dirs) mkdirSync(join(root, dir), { recursive: true })
  for (const f of tree.files) writeFile(join(root, f.path), contentOf(f.path, f.size), f.mtimeMs, f.exec)
}

/** Large files of `size` bytes each, `big-00.bin`, …, each with its own contents. */
export const writeLargeFiles = (root: string, count: number, size: number): void => {
  mkdirSync(root, { recursive: true })
  for (let i = 0; i < count; i++) {
    const name = `big-${String(i).padStart(2, '0')}.bin`
    const chunk = Buffer.from(pool)
    chunk.write(`${name}\n`, 0)
    const parts: Buffer[] = []
    for (let at = 0; at < size; at += chunk.length) {
      const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, size - at)))
      piece.writeUInt32LE(at / chunk.length, 64)
      parts.push(piece)
    }
    writeFile(join(root, name), Buffer.concat(parts), 1_700_000_000_000 + i * 1000, false)
  }
}

/** What one side's user did since the last sync. Edits, deletes and renames of both sides never overlap. */
export interface SideChanges {
  readonly side: string
  readonly edited: ReadonlyArray<TreeFile & { readonly version: number }>
  readonly added: ReadonlyArray<TreeFile>
  readonly deleted: ReadonlyArray<TreeFile>
  readonly renamed: ReadonlyArray<{ readonly from: TreeFile; readonly to: string }>
}

export interface ChangeRates {
  readonly edit: number
  readonly add: number
  readonly delete: number
  readonly rename: number
}

/** The standard mix: 1% of the files edited, 0.5% added, 0.5% deleted, 0.5% renamed or moved. */
export const usualRates: ChangeRates = { edit: 0.01, add: 0.005, delete: 0.005, rename: 0.005 }

/** The changes each named side makes, drawn from the seed: the same every time for the same tree. */
export const changesFor = (
  tree: Layout,
  sides: ReadonlyArray<string>,
  rates: ChangeRates = usualRates,
  seed = 7,
): ReadonlyArray<SideChanges> => {
  const random = prng(seed)
  const order = tree.files.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const [a, b] = [order[i] ?? 0, order[j] ?? 0]
    order[i] = b
    order[j] = a
  }
  const n = tree.files.length
  let next = 0
  const take = (count: number): TreeFile[] => {
    const from = next
    next += Math.round(count)
    return order.slice(from, next).flatMap((i) => tree.files[i] ?? [])
  }
  return sides.map((side, s) => {
    const edited = take(n * rates.edit).map((f) => ({ ...f, size: pickSize(random), version: s + 1 }))
    const deleted = take(n * rates.delete)
    const renamed = take(n * rates.rename).map((from, k) => {
      const name = from.path.slice(from.path.lastIndexOf('/') + 1)
      // Half stay in their folder under a new name, half move to another folder.
      const folder = random() < 0.5 ? dirname(from.path) : pick(random, tree.dirs)
      const to = `renamed-${side}-${k}-${name}`
      return { from, to: folder === '.' ? to : `${folder}/${to}` }
    })
    const added = Array.from({ length: Math.round(n * rates.add) }, (_, k): TreeFile => {
      // One in ten goes into one of five new folders.
      const base = pick(random, tree.dirs)
      const folder = random() < 0.1 ? `${base}/new-folder-${side}-${k % 5}` : base
      return {
        path: `${folder}/new-${side}-${k}.${pick(random, extensions)}`,
        size: pickSize(random),
        mtimeMs: 0,
        exec: false,
      }
    })
    return { side, edited, added, deleted, renamed }
  })
}

/**
 * Makes the changes on disk, as an editor saves: a new file renamed over the old one. That also keeps
 * the benchmark's templates safe when `root` is a tree of hard links to them.
 */
export const applyChanges = (root: string, changes: SideChanges, nowMs: number): void => {
  const replace = (path: string, content: Buffer, exec: boolean): void => {
    const abs = join(root, path)
    const temp = join(dirname(abs), `.bench-edit-${process.pid}`)
    writeFile(temp, content, nowMs, exec)
    renameSync(temp, abs)
  }
  for (const f of changes.edited) replace(f.path, contentOf(f.path, f.size, f.version), f.exec)
  for (const f of changes.deleted) unlinkSync(join(root, f.path))
  for (const { from, to } of changes.renamed) renameSync(join(root, from.path), join(root, to))
  for (const f of changes.added) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true })
    writeFile(join(root, f.path), contentOf(f.path, f.size), nowMs, false)
  }
}

/** Where `root` does not show `changes` (edits, additions, deletions and renames), one line each. */
export const missingChanges = (root: string, changes: SideChanges): string[] => {
  const problems: string[] = []
  const holds = (path: string, expected: Buffer, what: string): void => {
    let actual: Buffer | null = null
    try {
      actual = readFileSync(join(root, path))
    } catch {
      actual = null
    }
    if (actual === null || !actual.equals(expected))
      problems.push(`${root}: ${path} does not hold the ${what} of side ${changes.side}`)
  }
  const absent = (path: string, what: string): void => {
    try {
      readFileSync(join(root, path))
      problems.push(`${root}: ${path} is still there after its ${what} on side ${changes.side}`)
    } catch {}
  }
  for (const f of changes.edited) holds(f.path, contentOf(f.path, f.size, f.version), 'edit')
  for (const f of changes.added) holds(f.path, contentOf(f.path, f.size), 'new file')
  for (const f of changes.deleted) absent(f.path, 'deletion')
  for (const { from, to } of changes.renamed) {
    absent(from.path, 'rename')
    holds(to, contentOf(from.path, from.size), 'renamed file')
  }
  return problems
}

/** How many files a tree holds after the changes. */
export const fileCountAfter = (tree: Layout, changes: ReadonlyArray<SideChanges>): number =>
  changes.reduce((n, c) => n + c.added.length - c.deleted.length, tree.files.length)
