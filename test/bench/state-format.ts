/**
 * The state file's size and speed, version 1 against the current version (3): bytes per entry (with and without
 * hashes) and the time to save and load it. `npx tsx test/bench/state-format.ts [entries-for-size]
 * [entries-for-time] [v1-state-file…]`: the states are the benchmark's trees, with ids and change
 * stamps as the local storage makes them (`dev:ino:birthtime`, the ctime) for files written one after
 * another on both sides; a real version 1 state file given after the counts is measured too.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Entry, FileEntry } from '../../src/core/entry.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import { decodeState, encodeState, SyncStateV1 } from '../../src/core/state-format.ts'
import type { SyncedPair, SyncState } from '../../src/core/sync-state.ts'
import { loadState, saveState } from '../../src/state/state-file.ts'
import { writeFileAtomic } from '../../src/state/write-atomic.ts'
import { layout } from './tree.ts'

const syntheticState = (files: number): SyncState => {
  const tree = layout(files)
  const entries = new Map<RelPath, SyncedPair>()
  for (const dir of tree.dirs) entries.set(dir as RelPath, [{ kind: 'dir' }, { kind: 'dir' }])
  // Each side written in tree order: inodes and ctimes rise as the files are made.
  const stampOf = (dev: number, ino: number, i: number) => {
    const ctime = (1_796_214_770_000 + i * 0.31).toFixed(3).replace(/\.?0+$/, '')
    return { id: `${dev}:${ino + i}:${ctime}`, change: ctime }
  }
  tree.files.forEach((f, i) => {
    const hash = `sha256:${createHash('sha256').update(f.path).digest('hex')}`
    const file: FileEntry = { kind: 'file', size: f.size, mtimeMs: f.mtimeMs, exec: f.exec, hash }
    entries.set(f.path as RelPath, [
      { ...file, ...stampOf(65024, 2_354_000, i) },
      { ...file, ...stampOf(65024, 2_454_000, i + files) },
    ])
  })
  return {
    format: 'syncengine-state',
    version: 3,
    lineage: '735bd853-a6f8-4352-9426-3d124f1a316c',
    serial: 1,
    source: '/home/someone/source',
    destination: '/mnt/backup/destination',
    entries,
  }
}

const withoutHashes = (state: SyncState): SyncState => {
  const bare = (e: Entry): Entry => {
    if (e.kind !== 'file') return e
    const { hash: _, ...rest } = e
    return rest
  }
  return {
    ...state,
    entries: new Map([...state.entries].map(([p, [s, d]]) => [p, [bare(s), bare(d)] as const])),
  }
}

const v1Text = (state: SyncState): string =>
  `${JSON.stringify(SyncStateV1.encode({ ...state, version: 1 }))}\n`
const v2Text = (state: SyncState): string => `${JSON.stringify(encodeState(state))}\n`

const perEntry = (text: string, state: SyncState): string =>
  (Buffer.byteLength(text) / state.entries.size).toFixed(1)

const sizes = (label: string, state: SyncState): void => {
  const bare = withoutHashes(state)
  console.log(
    `${label}, ${state.entries.size} entries, bytes per entry: ` +
      `v1 ${perEntry(v1Text(bare), bare)} → v3 ${perEntry(v2Text(bare), bare)} without hashes; ` +
      `v1 ${perEntry(v1Text(state), state)} → v3 ${perEntry(v2Text(state), state)} with hashes`,
  )
}

const best = async (rounds: number, run: () => Promise<void>): Promise<number> => {
  let least = Number.POSITIVE_INFINITY
  for (let i = 0; i < rounds; i++) {
    const at = performance.now()
    await run()
    least = Math.min(least, performance.now() - at)
  }
  return least
}

const times = async (state: SyncState, what = 'with hashes'): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'state-format-'))
  const roots = { source: state.source, destination: state.destination }
  try {
    const file = join(dir, 'state.json')
    const load = async () => {
      const loaded = await loadState(file, roots)()
      if (E.isLeft(loaded) || loaded.right?.entries.size !== state.entries.size) throw new Error('not loaded')
    }
    const saveV1 = await best(3, () => writeFileAtomic(file, v1Text(state)))
    const sizeV1 = statSync(file).size
    const loadV1 = await best(3, load)
    const saveV2 = await best(3, async () => {
      if (E.isLeft(await saveState(file, state)())) throw new Error('not saved')
    })
    const sizeV2 = statSync(file).size
    const loadV2 = await best(3, load)
    const ms = (n: number) => `${n.toFixed(0)} ms`
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
    console.log(
      `${state.entries.size} entries ${what} (best of 3): ` +
        `v1 ${mb(sizeV1)}, save ${ms(saveV1)}, load ${ms(loadV1)}; ` +
        `v3 ${mb(sizeV2)}, save ${ms(saveV2)}, load ${ms(loadV2)}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const [sizeCount = '10000', timeCount = '100000', ...files] = process.argv.slice(2)
sizes('synthetic', syntheticState(Number(sizeCount)))
for (const file of files) {
  const decoded = decodeState(JSON.parse(readFileSync(file, 'utf8')))
  if (E.isLeft(decoded)) throw new Error(`${file}: ${decoded.left.join('; ')}`)
  sizes(file, decoded.right)
}
const big = syntheticState(Number(timeCount))
await times(big)
await times(withoutHashes(big), 'without hashes')
