import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Entry, FileEntry } from '../core/entry.ts'
import { comparePaths, isWithin, parentOf, type RelPath, relPath } from '../core/rel-path.ts'
import { describeFailure } from './local.ts'
import {
  type Found,
  isTempOf,
  type Staged,
  type Storage,
  type StorageError,
  storageError,
  tempName,
} from './storage.ts'

/** The operation names both backends put in `StorageError.op`; `failWhen` and `counters` use them too. */
export const storageOps = [
  'stat',
  'list',
  'read',
  'stage',
  'stageSymlink',
  'commit',
  'discard',
  'rename',
  'remove',
  'mkdir',
  'createRoot',
  'setMtime',
  'setExec',
  'removeStaged',
] as const
export type StorageOp = (typeof storageOps)[number]

export interface MemoryOptions {
  readonly root?: string
  /** Whether the root folder exists at the start. */
  readonly exists?: boolean
  readonly caseSensitive?: boolean
  /** Like APFS: the NFC and NFD forms of a name find the same entry, which keeps the form it was made with. */
  readonly normalizesUnicode?: boolean
  readonly mtimePrecisionMs?: number
  /** Gives `put` its default mtime. */
  readonly clock?: () => number
}

export interface MemoryStorage extends Storage {
  /** Writes a file, creating missing parent folders (and the root). */
  readonly put: (
    path: string,
    content: string | Uint8Array,
    opts?: { mtimeMs?: number; exec?: boolean },
  ) => void
  readonly putDir: (path: string) => void
  readonly putSymlink: (path: string, target: string) => void
  readonly readText: (path: string) => string | undefined
  readonly entryAt: (path: string) => Entry | undefined
  /** Removes whatever is at `path`, folders with everything in them; nothing there is fine. */
  readonly delete: (path: string) => void
  /** Every path → text; symlinks as `-> target`, folders as `path/` → ''. Staged temp files are included. */
  readonly files: () => Record<string, string>
  readonly removeRoot: () => void
  /**
   * Replaces the fault injector, asked at the start of every operation (with `from` for a rename, the target
   * path for commit and discard, '' for createRoot); an error it returns is the operation's result.
   */
  readonly failWhen: (predicate: (op: StorageOp, path: string) => StorageError | undefined) => void
  /** Like chmod 000: the folder cannot be listed nor anything in it reached; a file cannot be read. */
  readonly makeUnreadable: (path: string) => void
  /** How many times each operation was called. */
  readonly counters: Readonly<Record<StorageOp, number>>
}

interface FileNode {
  readonly kind: 'file'
  content: Uint8Array
  mtimeMs: number
  exec: boolean
  readonly id: string
  /** Moves on every write and metadata change, like a ctime: nobody can set it back. */
  change: number
  unreadable: boolean
}
interface DirNode {
  readonly kind: 'dir'
  /** Keyed by the folded name, so a case-insensitive tree finds `A` under `a`; the slot keeps the real name. */
  readonly children: Map<string, Slot>
  unreadable: boolean
}
type Node = FileNode | DirNode | { readonly kind: 'symlink'; readonly target: string }
interface Slot {
  readonly name: string
  readonly node: Node
}
interface Located {
  readonly dir: DirNode
  readonly name: string
  readonly slot: Slot | undefined
}

const details: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EACCES: 'permission denied',
  EINVAL: 'invalid argument',
  ELOOP: 'is a symbolic link',
}

/** Raised inside an operation and turned into a StorageError at its edge, like Node's errors in local.ts. */
class Fault extends Error {
  readonly code: string
  constructor(code: string) {
    super(details[code] ?? code)
    this.code = code
  }
}
const fault = (code: string): never => {
  throw new Fault(code)
}

const newDir = (): DirNode => ({ kind: 'dir', children: new Map(), unreadable: false })

const entryOf = (node: Node): Entry =>
  node.kind === 'file'
    ? {
        kind: 'file',
        size: node.content.length,
        mtimeMs: node.mtimeMs,
        exec: node.exec,
        id: node.id,
        change: String(node.change),
      }
    : node.kind === 'dir'
      ? { kind: 'dir' }
      : { kind: 'symlink', target: node.target }

const CHUNK = 64 * 1024

async function* chunksOf(content: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < content.length; i += CHUNK) yield content.slice(i, i + CHUNK)
}

const collect = async (data: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const chunks: Uint8Array[] = []
  for await (const chunk of data) chunks.push(chunk)
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

const valid = (path: string): RelPath =>
  E.getOrElseW((e: { readonly why: string }) => {
    throw new Error(`memory storage: invalid path ${JSON.stringify(path)}: ${e.why}`)
  })(relPath(path))

export const memoryStorage = (options: MemoryOptions = {}): MemoryStorage => {
  const root = options.root ?? 'memory:/'
  const caseSensitive = options.caseSensitive ?? true
  const normalizesUnicode = options.normalizesUnicode ?? false
  const precision = options.mtimePrecisionMs ?? 1
  let tick = 1_700_000_000_000 - 1000
  const clock = options.clock ?? (() => (tick += 1000))
  let tree: DirNode | null = (options.exists ?? true) ? newDir() : null
  let nextId = 0
  let failure: (op: StorageOp, path: string) => StorageError | undefined = () => undefined
  let nextTemp = 0
  const counters = Object.fromEntries(storageOps.map((op) => [op, 0])) as Record<StorageOp, number>

  const fold = (name: string): string => {
    const form = normalizesUnicode ? name.normalize('NFC') : name
    return caseSensitive ? form : form.toLowerCase()
  }
  const keep = (mtimeMs: number): number => Math.floor(Math.round(mtimeMs) / precision) * precision
  const newId = (): string => String(++nextId)
  let changes = 0
  const nextChange = (): number => ++changes
  const where = (path: string): string =>
    path === '' ? root : root.endsWith('/') ? root + path : `${root}/${path}`

  /** Walks to the folder holding `path` the way a kernel would: ENOENT, ENOTDIR, or EACCES on the way. */
  const locate = (path: RelPath, checkAccess = true): Located => {
    const names = path.split('/')
    const name = names.pop() ?? ''
    let dir = tree ?? fault('ENOENT')
    for (const segment of names) {
      if (checkAccess && dir.unreadable) fault('EACCES')
      const next = dir.children.get(fold(segment))?.node ?? fault('ENOENT')
      dir = next.kind === 'dir' ? next : fault('ENOTDIR')
    }
    if (checkAccess && dir.unreadable) fault('EACCES')
    return { dir, name, slot: dir.children.get(fold(name)) }
  }
  const existing = (path: RelPath): Slot => locate(path).slot ?? fault('ENOENT')
  const fileAt = (path: RelPath): FileNode => {
    const { node } = existing(path)
    return node.kind === 'file' ? node : fault(node.kind === 'dir' ? 'EISDIR' : 'ELOOP')
  }
  const dirAt = (path: RelPath | ''): DirNode => {
    const node = path === '' ? (tree ?? fault('ENOENT')) : existing(path).node
    if (node.kind !== 'dir') return fault('ENOTDIR')
    return node.unreadable ? fault('EACCES') : node
  }

  /** rename(2): replaces a file or an empty folder at `to` only when `overwrite`. */
  const move = (from: RelPath, to: RelPath, overwrite: boolean): void => {
    const src = locate(from)
    const moved = src.slot ?? fault('ENOENT')
    const dst = locate(to)
    if (moved.node.kind === 'dir' && isWithin(to, from)) fault('EINVAL')
    const there = dst.slot?.node
    if (there !== undefined && there !== moved.node) {
      if (!overwrite) fault('EEXIST')
      if (there.kind === 'dir' && moved.node.kind !== 'dir') fault('EISDIR')
      if (there.kind !== 'dir' && moved.node.kind === 'dir') fault('ENOTDIR')
      if (there.kind === 'dir' && there.children.size > 0) fault('ENOTEMPTY')
    }
    src.dir.children.delete(fold(src.name))
    dst.dir.children.set(fold(dst.name), { name: dst.name, node: moved.node })
  }

  const run =
    <A>(op: StorageOp, path: RelPath | '', body: () => A | Promise<A>): TE.TaskEither<StorageError, A> =>
    () => {
      counters[op] += 1
      const injected = failure(op, path)
      if (injected !== undefined) return Promise.resolve(E.left(injected))
      return TE.tryCatch(
        async () => body(),
        (err): StorageError => {
          const raw = (err as { readonly code?: unknown } | null)?.code
          const code = typeof raw === 'string' ? raw : 'EIO'
          const detail = err instanceof Error ? err.message : String(err)
          return storageError(op, path, code, describeFailure(op, where(path), detail, code))
        },
      )()
    }

  /** Like a disk: the temp file sits beside the target from the start of the write, and counts as a child. */
  // Staged writes not yet committed or discarded, by their node: list leaves them out, and nothing else.
  const inFlight = new Set<Node>()
  const reserve = (path: RelPath, node: Node, token: string): RelPath => {
    const { dir } = locate(path)
    const temp = tempName(token, (++nextTemp).toString(16).padStart(8, '0'))
    dir.children.set(fold(temp), { name: temp, node })
    inFlight.add(node)
    const parent = parentOf(path)
    return (parent === '' ? temp : `${parent}/${temp}`) as RelPath
  }
  const unlink = (path: RelPath): void => {
    const { dir, name, slot } = locate(path)
    if (slot !== undefined) dir.children.delete(fold(name))
  }
  const staged = (path: RelPath, tempPath: RelPath): Staged => ({
    commit: () =>
      run('commit', path, () => {
        move(tempPath, path, true)
        const { node } = existing(path)
        inFlight.delete(node)
        return entryOf(node)
      }),
    discard: () =>
      run('discard', path, () => {
        const node = peek(tempPath)
        if (node !== undefined) inFlight.delete(node)
        unlink(tempPath)
      }),
  })

  /** Test helpers: no access checks, missing folders made on the way. */
  const ensureDir = (path: RelPath | ''): DirNode => {
    if (path === '') {
      tree ??= newDir()
      return tree
    }
    const { dir, name, slot } = locate(path, false)
    if (slot?.node.kind === 'dir') return slot.node
    if (slot !== undefined) throw new Error(`memory storage: ${path} is not a folder`)
    const made = newDir()
    dir.children.set(fold(name), { name, node: made })
    return made
  }
  const place = (path: string, node: Node): void => {
    const rel = valid(path)
    const names = rel.split('/')
    for (let i = 0; i < names.length; i++) ensureDir(i === 0 ? '' : (names.slice(0, i).join('/') as RelPath))
    const { dir, name } = locate(rel, false)
    dir.children.set(fold(name), { name, node })
  }
  const peek = (path: string): Node | undefined => {
    if (path === '') return tree ?? undefined
    try {
      return locate(valid(path), false).slot?.node
    } catch {
      return undefined
    }
  }

  return {
    root,
    capabilities: {
      caseSensitive,
      normalizesUnicode,
      mtimePrecisionMs: precision,
      symlinks: true,
      execBit: true,
    },
    stat: (path) =>
      run('stat', path, (): Found | null => {
        if (path === '') return tree === null ? null : entryOf(tree)
        try {
          const { slot } = locate(path)
          return slot === undefined ? null : entryOf(slot.node)
        } catch (err) {
          if (err instanceof Fault && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return null
          throw err
        }
      }),
    list: (dir) =>
      run('list', dir, () =>
        [...dirAt(dir).children.values()]
          .filter((slot) => !inFlight.has(slot.node))
          .map((slot) => ({ name: slot.name, entry: entryOf(slot.node) })),
      ),
    removeStaged: (dir, token) =>
      run('removeStaged', dir, () => {
        const folder = dirAt(dir)
        const staged = [...folder.children.entries()].filter(([, slot]) => isTempOf(slot.name, token))
        for (const [key] of staged) folder.children.delete(key)
        return staged.length
      }),
    read: (path) =>
      run('read', path, () => {
        const file = fileAt(path)
        if (file.unreadable) fault('EACCES')
        // The content is taken now: a later write replaces it, and never tears this read.
        const entry = entryOf(file) as FileEntry
        return { entry, data: chunksOf(file.content) }
      }),
    stage: (path, data, meta, token) =>
      run('stage', path, async () => {
        const file: FileNode = {
          kind: 'file',
          content: new Uint8Array(0),
          mtimeMs: 0,
          exec: false,
          id: newId(),
          change: nextChange(),
          unreadable: false,
        }
        const tempPath = reserve(path, file, token)
        try {
          file.content = await collect(data)
        } catch (err) {
          inFlight.delete(file)
          unlink(tempPath)
          throw err
        }
        file.mtimeMs = keep(meta.mtimeMs)
        file.exec = meta.exec
        file.change = nextChange()
        return staged(path, tempPath)
      }),
    stageSymlink: (path, target, token) =>
      run('stageSymlink', path, () => staged(path, reserve(path, { kind: 'symlink', target }, token))),
    rename: (from, to) =>
      run('rename', from, () => {
        // A move never overwrites, though the same node under another case is a case change, not a clash.
        const there = locate(to).slot
        if (there !== undefined && there.node !== locate(from).slot?.node) fault('EEXIST')
        move(from, to, false)
      }),
    remove: (path) =>
      run('remove', path, () => {
        const { dir, name, slot } = locate(path)
        const node = slot?.node ?? fault('ENOENT')
        if (node.kind === 'dir' && node.children.size > 0) fault('ENOTEMPTY')
        dir.children.delete(fold(name))
      }),
    mkdir: (path) =>
      run('mkdir', path, () => {
        const { dir, name, slot } = locate(path)
        if (slot !== undefined) fault('EEXIST')
        dir.children.set(fold(name), { name, node: newDir() })
      }),
    createRoot: () =>
      run('createRoot', '', () => {
        tree ??= newDir()
      }),
    setMtime: (path, mtimeMs) =>
      run('setMtime', path, () => {
        const file = fileAt(path)
        file.mtimeMs = keep(mtimeMs)
        file.change = nextChange()
      }),
    setExec: (path, exec) =>
      run('setExec', path, () => {
        const file = fileAt(path)
        file.exec = exec
        file.change = nextChange()
      }),

    put: (path, content, opts = {}) => {
      // Writing over a file keeps its identity, as writing in place keeps an inode.
      const before = peek(path)
      place(path, {
        kind: 'file',
        content: typeof content === 'string' ? new TextEncoder().encode(content) : content.slice(),
        mtimeMs: keep(opts.mtimeMs ?? clock()),
        exec: opts.exec ?? false,
        id: before?.kind === 'file' ? before.id : newId(),
        change: nextChange(),
        unreadable: false,
      })
    },
    putDir: (path) => {
      if (peek(path)?.kind !== 'dir') place(path, newDir())
    },
    putSymlink: (path, target) => place(path, { kind: 'symlink', target }),
    readText: (path) => {
      const node = peek(path)
      return node?.kind === 'file' ? new TextDecoder().decode(node.content) : undefined
    },
    entryAt: (path) => {
      const node = peek(path)
      return node === undefined ? undefined : entryOf(node)
    },
    delete: (path) => {
      if (peek(path) === undefined) return
      const { dir, name } = locate(valid(path), false)
      dir.children.delete(fold(name))
    },
    files: () => {
      const out: Array<readonly [string, string]> = []
      const walk = (dir: DirNode, prefix: string): void => {
        for (const { name, node } of dir.children.values()) {
          const path = prefix + name
          if (node.kind === 'file') out.push([path, new TextDecoder().decode(node.content)])
          else if (node.kind === 'symlink') out.push([path, `-> ${node.target}`])
          else {
            out.push([`${path}/`, ''])
            walk(node, `${path}/`)
          }
        }
      }
      if (tree !== null) walk(tree, '')
      return Object.fromEntries(out.sort(([a], [b]) => comparePaths(a, b)))
    },
    removeRoot: () => {
      tree = null
    },
    failWhen: (predicate) => {
      failure = predicate
    },
    makeUnreadable: (path) => {
      const node = peek(path)
      if (node === undefined || node.kind === 'symlink')
        throw new Error(`memory storage: no file or folder ${path}`)
      node.unreadable = true
    },
    counters,
  }
}
