import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Entry } from '../core/entry.ts'
import { IGNORE_FILE, type Matcher, matcherOf, patternsOf } from '../core/ignore-rules.ts'
import type { ProgressListener } from '../core/progress-event.ts'
import { child, comparePaths, type RelPath } from '../core/rel-path.ts'
import type { Side } from '../core/side.ts'
import type { Snapshot, Warning } from '../core/snapshot.ts'
import { nextTurn, type Storage, type StorageError } from '../storage/storage.ts'

export type SnapshotError =
  | {
      readonly _tag: 'Unreadable'
      readonly root: string
      readonly path: string
      readonly cause: StorageError
    }
  | { readonly _tag: 'RootNotAFolder'; readonly root: string }

export interface SnapshotOptions {
  /** gitignore patterns from the command line. */
  readonly ignore: ReadonlyArray<string>
  /** Paths never listed, whatever the rules say: the state and plan files when they sit inside a root. */
  readonly exclude?: ReadonlyArray<RelPath>
  /** How many folders are listed at once. */
  readonly concurrency?: number
  /** `scan-start` and `scan-complete` for each folder, named as `side`. */
  readonly onProgress?: ProgressListener
  readonly side?: Side
  /**
   * The tag of the probe file a storage may make to learn how it treats names; the caller records it
   * first, so that a probe left by a crash can be removed. Without one, nothing is probed: the storage's
   * own capabilities stand.
   */
  readonly probeToken?: string
}

const MAX_IGNORE_FILE_BYTES = 1 << 20
/** Folders listed between two turns of the event loop. */
const YIELD_EVERY = 128

/**
 * Walks one storage into a Snapshot. Folders that this side's rules ignore are not entered; their
 * names are kept as `excluded` so the planner leaves them, and the folders holding them, in place.
 * A folder that cannot be listed stops the walk: read as empty, it would look like a mass deletion.
 */
export const takeSnapshot =
  (storage: Storage, options: SnapshotOptions): TE.TaskEither<SnapshotError, Snapshot> =>
  async () => {
    const unreadable = (path: string, cause: StorageError): E.Either<SnapshotError, never> =>
      E.left({ _tag: 'Unreadable', root: storage.root, path, cause })
    const rootStat = await storage.stat('')()
    if (E.isLeft(rootStat)) return unreadable('', rootStat.left)
    const capabilities = storage.capabilities
    const base = { root: storage.root, capabilities: { ...capabilities } as Snapshot['capabilities'] }
    if (rootStat.right === null) {
      return E.right({
        ...base,
        exists: false,
        entries: new Map(),
        excluded: [],
        ignoreFiles: {},
        warnings: [],
        fingerprint: fingerprintOf(new Map()),
      })
    }
    if (rootStat.right.kind !== 'dir') return E.left({ _tag: 'RootNotAFolder', root: storage.root })
    const names =
      storage.probeNames === undefined || options.probeToken === undefined
        ? {}
        : await storage.probeNames(options.probeToken)
    base.capabilities = { ...base.capabilities, ...names }

    const entries = new Map<RelPath, Entry>()
    const excluded: RelPath[] = []
    const ignoreFiles: Record<string, string> = {}
    const warnings: Warning[] = []
    if (capabilities.keepsMtime === false)
      warnings.push({
        path: '',
        message:
          'this side cannot keep modification times: files written there get the time of the write, so they are compared by size and by what the last sync recorded',
      })
    const never = new Set<string>(options.exclude ?? [])
    // A digest of each folder's entries as it is listed, so the fingerprint needs no sort of the whole tree.
    const digests = new Map<RelPath | '', string>()

    type Folder = { readonly path: RelPath | ''; readonly files: Record<string, string> }
    const queue: Folder[] = [{ path: '', files: {} }]
    const concurrency = options.concurrency ?? 16
    let failure: E.Either<SnapshotError, never> | undefined

    const side = options.side ?? 'source'
    const visit = async (folder: Folder): Promise<void> => {
      options.onProgress?.({ type: 'scan-start', side, folder: folder.path })
      const listed = await storage.list(folder.path)()
      if (E.isLeft(listed)) {
        failure ??= unreadable(folder.path, listed.left)
        return
      }
      let files = folder.files
      const rules = listed.right.find((c) => c.name === IGNORE_FILE && c.entry.kind === 'file')
      if (rules !== undefined) {
        const text = await readText(storage, child(folder.path, IGNORE_FILE))
        if (E.isLeft(text)) {
          failure ??= unreadable(child(folder.path, IGNORE_FILE), text.left)
          return
        }
        files = { ...files, [folder.path]: text.right }
        ignoreFiles[folder.path] = text.right
      }
      const ignored: Matcher = matcherOf(patternsOf({ files, patterns: options.ignore }))
      const kept: Array<readonly [string, Entry]> = []
      for (const { name, entry, warning } of listed.right) {
        const path = child(folder.path, name)
        if (name === IGNORE_FILE || never.has(path)) {
          excluded.push(path)
          continue
        }
        if (entry.kind === 'special') {
          warnings.push({
            path,
            message: `skipped ${entry.what}: only files, folders and symlinks are synced`,
          })
          excluded.push(path)
          continue
        }
        if (ignored(path, entry.kind === 'dir')) {
          excluded.push(path)
          continue
        }
        entries.set(path, entry)
        kept.push([name, entry])
        if (warning !== undefined) warnings.push({ path, message: warning })
        if (entry.kind === 'dir') queue.push({ path, files })
        if (entry.kind === 'symlink' && leavesRoot(folder.path, entry.target))
          warnings.push({
            path,
            message: `symlink to ${entry.target} points outside the root; it is synced as a link and never followed`,
          })
      }
      if (kept.length > 0) digests.set(folder.path, folderDigest(kept))
      const folders = listed.right.filter((c) => c.entry.kind === 'dir').length
      options.onProgress?.({
        type: 'scan-complete',
        side,
        folder: folder.path,
        files: listed.right.length - folders,
        folders,
      })
    }

    const running = new Set<Promise<void>>()
    let started = 0
    while ((queue.length > 0 || running.size > 0) && failure === undefined) {
      while (queue.length > 0 && running.size < concurrency) {
        const task = visit(queue.pop() as Folder).finally(() => running.delete(task))
        running.add(task)
        // A local folder lists synchronously: let timers, signals and progress in now and then.
        if (++started % YIELD_EVERY === 0) await nextTurn()
      }
      if (running.size > 0) await Promise.race(running)
    }
    await Promise.all(running)
    if (failure !== undefined) return failure
    excluded.sort(comparePaths)
    return E.right({
      ...base,
      exists: true,
      entries,
      excluded,
      ignoreFiles,
      warnings: warnings.sort((a, b) => comparePaths(a.path, b.path)),
      fingerprint: fingerprintOf(digests),
    })
  }

const readText = async (storage: Storage, path: RelPath): Promise<E.Either<StorageError, string>> => {
  const opened = await storage.read(path)()
  if (E.isLeft(opened)) return opened
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of opened.right.data) {
      size += chunk.byteLength
      if (size > MAX_IGNORE_FILE_BYTES) break
      chunks.push(chunk)
    }
  } catch (error) {
    return E.left({ _tag: 'StorageError', op: 'read', path, code: 'EIO', message: String(error) })
  }
  return E.right(Buffer.concat(chunks).toString('utf8'))
}

/** Whether a link's target, read from its folder, lands outside the root. */
export const leavesRoot = (folder: string, target: string): boolean => {
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return true
  let depth = folder === '' ? 0 : folder.split('/').length
  for (const segment of target.split(/[\\/]/)) {
    if (segment === '..') depth--
    else if (segment !== '' && segment !== '.') depth++
    if (depth < 0) return true
  }
  return false
}

/** One line per entry, by name; no name or target holds a NUL. */
const lineOf = (name: string, e: Entry): string =>
  e.kind === 'file'
    ? `${name}\0f\0${e.size}\0${e.mtimeMs}\0${e.exec ? 1 : 0}\0${e.id ?? ''}\0${e.change ?? ''}\0${e.hash ?? ''}\n`
    : e.kind === 'dir'
      ? `${name}\0d\n`
      : `${name}\0l\0${e.target}\n`

const byName = (a: readonly [string, Entry], b: readonly [string, Entry]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0

/** sha256 of one folder's entries, in code-unit order of their names. */
const folderDigest = (kept: Array<readonly [string, Entry]>): string => {
  let text = ''
  for (const [name, entry] of kept.sort(byName)) text += lineOf(name, entry)
  return createHash('sha256').update(text).digest('base64')
}

/**
 * sha256 over the folders' digests in code-unit order of their paths (any fixed order will do):
 * two snapshots with the same fingerprint hold the same tree.
 */
const fingerprintOf = (digests: ReadonlyMap<RelPath | '', string>): string => {
  const hash = createHash('sha256')
  for (const folder of [...digests.keys()].sort()) hash.update(`${folder}\0${digests.get(folder)}\n`)
  return `sha256:${hash.digest('hex')}`
}
