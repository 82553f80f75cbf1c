import { execFileSync } from 'node:child_process'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { localStorage } from '../../src/storage/local.ts'
import { memoryStorage } from '../../src/storage/memory.ts'
import type { Storage } from '../../src/storage/storage.ts'

/** One side of a test pair, on either backend, with the edits a person makes between syncs. */
export interface TestSide {
  readonly storage: Storage
  readonly put: (path: string, content: string, opts?: { mtimeMs?: number; exec?: boolean }) => Promise<void>
  readonly mkdir: (path: string) => Promise<void>
  readonly symlink: (path: string, target: string) => Promise<void>
  readonly remove: (path: string) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  /** Files as text, symlinks as `-> target`, folders as `path/` → ''; sorted. */
  readonly tree: () => Promise<Record<string, string>>
}

export interface TestPair {
  readonly kind: 'memory' | 'local' | 's3' | 'sftp'
  readonly source: TestSide
  readonly destination: TestSide
  /** A scratch folder outside both roots (local only), for state and plan files. */
  readonly scratch: string
  readonly cleanup: () => Promise<void>
}

/** mtimes that always move forward, a minute apart, so "newer" is never a coin toss. */
export const clock = (start = 1_700_000_000_000): (() => number) => {
  let now = start
  return () => {
    now += 60_000
    return now
  }
}

const sorted = (tree: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

export const memorySide = (
  now: () => number,
  options: { exists?: boolean; caseSensitive?: boolean; normalizesUnicode?: boolean } = {},
): TestSide => {
  const storage = memoryStorage({
    root: `memory:/${Math.random().toString(36).slice(2)}`,
    exists: options.exists ?? true,
    caseSensitive: options.caseSensitive ?? true,
    normalizesUnicode: options.normalizesUnicode ?? false,
  })
  return {
    storage,
    put: async (path, content, opts = {}) =>
      storage.put(path, content, { mtimeMs: opts.mtimeMs ?? now(), exec: opts.exec ?? false }),
    mkdir: async (path) => storage.putDir(path),
    symlink: async (path, target) => storage.putSymlink(path, target),
    remove: async (path) => storage.delete(path),
    rename: async (from, to) => {
      const renamed = await storage.rename(from as never, to as never)()
      if (renamed._tag === 'Left') throw new Error(renamed.left.message)
    },
    tree: async () =>
      sorted(
        Object.fromEntries(
          Object.entries(storage.files()).filter(
            ([p]) => !p.split('/').some((s) => s.startsWith('.syncengine-')),
          ),
        ),
      ),
  }
}

export const localSide = (root: string, now: () => number): TestSide => ({
  storage: localStorage(root),
  put: async (path, content, opts = {}) => {
    const file = join(root, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, content)
    await chmod(file, opts.exec === true ? 0o755 : 0o644)
    const mtime = (opts.mtimeMs ?? now()) / 1000
    await utimes(file, mtime, mtime)
  },
  mkdir: async (path) => {
    await mkdir(join(root, path), { recursive: true })
  },
  symlink: async (path, target) => {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await symlink(target, join(root, path))
  },
  remove: (path) => rm(join(root, path), { recursive: true, force: true }),
  rename: (from, to) => rename(join(root, from), join(root, to)),
  tree: () => readTree(root),
})

/** The whole tree under a folder, as `TestSide.tree` describes it; {} when the folder does not exist. */
export const readTree = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    for (const name of names) {
      const full = join(dir, name)
      const rel = prefix === '' ? name : `${prefix}/${name}`
      const info = await lstat(full)
      // Defined, not assigned: a file named `__proto__` is a key like any other.
      const put = (key: string, value: string) =>
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
      if (info.isDirectory()) {
        put(`${rel}/`, '')
        await walk(full, rel)
      } else if (info.isSymbolicLink()) put(rel, `-> ${await readlink(full)}`)
      else put(rel, await readFile(full, 'utf8'))
    }
  }
  await walk(root, '')
  return sorted(out)
}

export const memoryPair = (
  options: { sourceExists?: boolean; destinationExists?: boolean } = {},
): TestPair => {
  const now = clock()
  return {
    kind: 'memory',
    source: memorySide(now, { exists: options.sourceExists ?? true }),
    destination: memorySide(now, { exists: options.destinationExists ?? true }),
    scratch: '',
    cleanup: async () => undefined,
  }
}

export const tempDir = (prefix = 'syncengine-test-'): Promise<string> => mkdtemp(join(tmpdir(), prefix))

export const localPair = async (): Promise<TestPair> => {
  const now = clock()
  const base = await tempDir()
  await Promise.all(['source', 'destination', 'scratch'].map((d) => mkdir(join(base, d))))
  return {
    kind: 'local',
    source: localSide(join(base, 'source'), now),
    destination: localSide(join(base, 'destination'), now),
    scratch: join(base, 'scratch'),
    cleanup: () => rm(base, { recursive: true, force: true }),
  }
}

export const makePair = (kind: 'memory' | 'local'): Promise<TestPair> =>
  kind === 'memory' ? Promise.resolve(memoryPair()) : localPair()

export const isRoot = (): boolean => process.getuid?.() === 0

/** Whether the machine can make fifos (for tests of special files). */
export const hasMkfifo = (): boolean => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** A tree's files only, with conflict copies named by side alone: their time stamps come from the clock. */
export const filesWithoutStamps = (tree: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(tree)
      .filter(([path]) => !path.endsWith('/'))
      .map(([path, content]) => [
        path.replace(/\.conflict-(source|destination)-\d{8}-\d{6}/, '.conflict-$1'),
        content,
      ]),
  )
