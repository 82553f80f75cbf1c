/**
 * Benchmarks: hashing throughput against `sha256sum`, a no-change plan against a bare walk of both trees,
 * and apply throughput. Prints one line per figure; `BENCH_QUICK=1` makes the data small enough for CI.
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream, lstatSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import * as E from 'fp-ts/lib/Either.js'
import { applyPlan } from '../../src/apply/apply.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import { newState, type SyncState } from '../../src/core/sync-state.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { hashFile } from '../../src/snapshot/hash.ts'
import { localStorage } from '../../src/storage/local.ts'

const quick = process.env.BENCH_QUICK === '1'
const MiB = 1024 * 1024

const seconds = async <A>(run: () => Promise<A>): Promise<[A, number]> => {
  const start = process.hrtime.bigint()
  const result = await run()
  return [result, Number(process.hrtime.bigint() - start) / 1e9]
}

const report = (name: string, value: string): void => console.log(`${name.padEnd(44)} ${value}`)

const hashing = async (base: string): Promise<void> => {
  const size = (quick ? 64 : 512) * MiB
  const file = join(base, 'big.bin')
  const out = createWriteStream(file)
  const block = Buffer.alloc(MiB)
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24
  for (let i = 0; i < size / MiB; i++) out.write(block)
  out.end()
  await finished(out)
  const storage = localStorage(base)
  await hashFile(storage, 'big.bin' as RelPath) // warm the page cache, as sha256sum gets it warm too
  const [ours, took] = await seconds(() => hashFile(storage, 'big.bin' as RelPath))
  if (E.isLeft(ours)) throw new Error(ours.left.message)
  const start = process.hrtime.bigint()
  const theirs = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]
  const tookThem = Number(process.hrtime.bigint() - start) / 1e9
  if (`sha256:${theirs}` !== ours.right) throw new Error('sha256sum disagrees with hashFile')
  report(`hash ${size / MiB} MiB: syncengine (node:crypto sha256)`, `${(size / MiB / took).toFixed(0)} MiB/s`)
  report(`hash ${size / MiB} MiB: sha256sum`, `${(size / MiB / tookThem).toFixed(0)} MiB/s`)
  await rm(file)
}

const makeTree = async (root: string, files: number): Promise<void> => {
  for (let d = 0; d < files / 100; d++) {
    const folder = join(root, `d${d % 20}`, `sub${d}`)
    await mkdir(folder, { recursive: true })
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => writeFile(join(folder, `f${i}.txt`), `file ${d}/${i}`)),
    )
  }
}

/** The least any sync tool does to see a tree: list every folder and stat every entry. */
const walk = async (root: string): Promise<number> => {
  let n = 0
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    for (const e of entries) lstatSync(join(dir, e.name))
    n += entries.length
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => visit(join(dir, e.name))))
  }
  await visit(root)
  return n
}

const planning = async (base: string): Promise<void> => {
  const files = quick ? 10_000 : 100_000
  const [source, destination] = [join(base, 'source'), join(base, 'destination')]
  await makeTree(source, files)
  await mkdir(destination)
  const sides = { source: localStorage(source), destination: localStorage(destination) }
  const policy = defaultPolicy
  let state: SyncState | null = null

  const [first, planTook] = await seconds(() => planPair({ sides, state, policy })())
  if (E.isLeft(first)) throw new Error(JSON.stringify(first.left))
  report(`first plan of ${files} files`, `${planTook.toFixed(2)} s`)
  for (const transfers of [4]) {
    const [applied, took] = await seconds(() =>
      applyPlan(first.right, sides, {
        current: null,
        fresh: () => newState('bench', source, destination),
        transfers,
      })(),
    )
    if (E.isLeft(applied)) throw new Error(JSON.stringify(applied.left))
    state = applied.right.state
    report(
      `apply: copy ${files} small files (--transfers ${transfers})`,
      `${(files / took).toFixed(0)} files/s`,
    )
  }
  const [, walked] = await seconds(async () => (await walk(source)) + (await walk(destination)))
  const heap = process.memoryUsage().heapUsed
  const [again, noChange] = await seconds(() => planPair({ sides, state, policy })())
  if (E.isLeft(again) || again.right.actions.length > 0) throw new Error('the second plan is not empty')
  report('walk both trees (readdir + lstat)', `${walked.toFixed(2)} s`)
  report(
    `no-change plan of ${files} files`,
    `${noChange.toFixed(2)} s (${(noChange / walked).toFixed(1)}x the walk)`,
  )
  const perEntry = (process.memoryUsage().heapUsed - heap) / (files * 2)
  report('memory per entry during a plan (approx.)', `${Math.max(0, perEntry).toFixed(0)} B`)
}

const base = await mkdtemp(join(tmpdir(), 'syncengine-bench-'))
try {
  await hashing(base)
  await planning(base)
} finally {
  await rm(base, { recursive: true, force: true })
}
