// A custom Storage: a wrapper that logs every operation of the storage it wraps, synced through like any backend. Run: npm run example:custom-storage
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import {
  createSyncEngine,
  describeError,
  localStorage,
  type MemoryStorage,
  memoryStorage,
  type Staged,
  type Storage,
  type StorageError,
} from '../../src/index.ts'

/**
 * Every backend implements the same small interface (stat, list, read, stage + commit for atomic writes,
 * rename, remove, mkdir, ...), declares what it can do in `capabilities`, and returns errors as values.
 * This one adds nothing but a log line before each operation it passes on. To check a real backend, run
 * the conformance suite on it: `describeStorageConformance` from 'syncengine/testing', in a vitest file.
 */
const loggingStorage = (inner: Storage, log: (line: string) => void): Storage => {
  const logged =
    <A>(op: string, path: string, task: TE.TaskEither<StorageError, A>): TE.TaskEither<StorageError, A> =>
    () => {
      log(`${op} ${path === '' ? '(root)' : path}`)
      return task()
    }
  // A staged write is not visible until it is committed: log both halves.
  const loggedStaged = (path: string, staged: Staged): Staged => ({
    commit: () => logged('commit', path, staged.commit()),
    discard: () => logged('discard', path, staged.discard()),
  })
  return {
    root: inner.root,
    capabilities: inner.capabilities,
    stat: (path) => logged('stat', path, inner.stat(path)),
    list: (dir) => logged('list', dir, inner.list(dir)),
    read: (path) => logged('read', path, inner.read(path)),
    stage: (path, data, meta, token) =>
      pipe(
        logged('stage', path, inner.stage(path, data, meta, token)),
        TE.map((staged) => loggedStaged(path, staged)),
      ),
    stageSymlink: (path, target, token) =>
      pipe(
        logged('stageSymlink', path, inner.stageSymlink(path, target, token)),
        TE.map((staged) => loggedStaged(path, staged)),
      ),
    rename: (from, to) => logged('rename', `${from} → ${to}`, inner.rename(from, to)),
    remove: (path) => logged('remove', path, inner.remove(path)),
    mkdir: (path) => logged('mkdir', path, inner.mkdir(path)),
    createRoot: () => logged('createRoot', '', inner.createRoot()),
    removeStaged: (dir, token) => logged('removeStaged', dir, inner.removeStaged(dir, token)),
    setMtime: (path, mtimeMs) => logged('setMtime', path, inner.setMtime(path, mtimeMs)),
    setExec: (path, exec) => logged('setExec', path, inner.setExec(path, exec)),
  }
}

const base = await mkdtemp(join(tmpdir(), 'syncengine-custom-storage-'))
const documents = join(base, 'documents')
const stateFile = join(base, 'state.json')

const write = async (path: string, text: string): Promise<void> => {
  await mkdir(dirname(join(documents, path)), { recursive: true })
  await writeFile(join(documents, path), text)
}

const remote: MemoryStorage = memoryStorage({ root: 'memory://logged' })
let lines: string[] = []
const destination = loggingStorage(remote, (line) => lines.push(line))

const sync = async (title: string): Promise<void> => {
  lines = []
  const synced = await createSyncEngine().syncPair({
    source: localStorage(documents),
    destination,
    stateFile,
    policy: { mode: 'source-to-destination' },
  })()
  // Errors are values: describeError gives the line the command line would print.
  if (synced._tag === 'Left') throw new Error(describeError(synced.left))
  const writes = lines.filter((line) => !/^(stat|list|read) /.test(line))
  console.log(`\n== ${title}: ${synced.right.report.counts.applied} actions applied`)
  console.log(`the destination storage saw ${lines.length} operations, ${writes.length} of them writes:`)
  for (const line of writes) console.log(`  ${line}`)
}

try {
  await write('letters/bank.txt', 'Dear bank,\n')
  await write('cv.md', '# CV\n')
  await sync('first sync')
  await sync('second sync, nothing changed')
  const same = remote.readText('letters/bank.txt') === 'Dear bank,\n'
  console.log(
    `\nthe wrapped storage holds ${Object.keys(remote.files()).join(', ')}; contents match: ${same}`,
  )
} finally {
  await rm(base, { recursive: true, force: true })
}
