/**
 * `npm run bench`: syncengine side by side with rsync, Unison, rclone and cp on real folders in a temp
 * folder (on the disk of $BENCH_DIR, or the system's temp folder). Prints the tables, and after a full
 * run writes them with the raw figures to test/bench/results/latest.{md,json} and into the README.
 *
 *   BENCH_QUICK=1        10,000 files, no peers, one round: checks that every scenario still runs right
 *   BENCH_ONLY=a,b       only these scenarios (keys: see SCENARIOS below)
 *   BENCH_FILES=N        N files instead of 100,000 in the large pair (to try a change quickly)
 *   BENCH_DIR=/path      where the temp folder goes
 *   BENCH_KEEP=1         keep the temp folder
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import type { Bench } from './bench.ts'
import { copyLarge, copySmall } from './copy-scenarios.ts'
import { makePair, type Pair } from './fixtures.ts'
import { BenchmarkFailure, runScenario, type Scenario, type ScenarioResult } from './harness.ts'
import { hashing, scale } from './library-scenarios.ts'
import { gnuTime, rusageFileIn } from './measure.ts'
import { checksum, noChange, startup } from './plan-scenarios.ts'
import { cpuRows, mainRows, markdownTable, rssRows } from './report.ts'
import { mirror, twoWay } from './sync-scenarios.ts'
import { findPeers, type Peer, REPO } from './tools.ts'

const quick = process.env.BENCH_QUICK === '1'
const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '')
const files = Number(process.env.BENCH_FILES ?? (quick ? 10_000 : 100_000))
if (!Number.isInteger(files) || files < 100)
  throw new Error(`BENCH_FILES: not a number of files: ${process.env.BENCH_FILES}`)
const started = Date.now()
const log = (line: string): void => console.log(line)

const SCENARIOS = (bench: Bench): ReadonlyArray<Scenario> => [
  ...startup(bench),
  hashing(bench),
  ...(bench.files === 10_000 ? [] : [noChange(bench, 10_000, 'noop-10k')]),
  noChange(bench, bench.files, 'noop'),
  checksum(bench, bench.files),
  twoWay(bench, bench.files),
  mirror(bench, bench.files),
  copySmall(bench, bench.files),
  copyLarge(bench),
  scale(bench),
]

// The command line is measured as users run it, built: build it now, so it is never a stale one.
const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' })
if (built.status !== 0) throw new Error('the build failed: the benchmark measures the built command line')

const installed = findPeers()
const peers = new Set<Peer>(
  quick ? [] : (Object.keys(installed) as Peer[]).filter((peer) => installed[peer] !== null),
)
const base = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'syncengine-bench-'))
const pairs = new Map<number, Promise<Pair>>()
const bench: Bench = {
  quick,
  base,
  files,
  peers,
  log,
  rounds: (full, warmup = true) => (quick ? { rounds: 1, warmup: false } : { rounds: full, warmup }),
  pair: (files) => {
    const known = pairs.get(files)
    if (known !== undefined) return known
    log(`preparing a synced pair of ${files} files`)
    const made = makePair(base, files, { unison: peers.has('unison'), log })
    pairs.set(files, made)
    return made
  },
}

const scenarios = SCENARIOS(bench)
const unknown = only.filter((key) => !scenarios.some((s) => s.key === key))
if (unknown.length > 0) {
  console.error(
    `BENCH_ONLY: no scenario ${unknown.join(', ')}; the scenarios are ${[...new Set(scenarios.map((s) => s.key))].join(', ')}`,
  )
  process.exit(2)
}

const notes: string[] = []
if (quick) notes.push('BENCH_QUICK=1: 10,000 files, syncengine alone, one round; figures are not comparable.')
for (const peer of Object.keys(installed) as Peer[])
  if (!quick && installed[peer] === null)
    notes.push(`${peer} is not installed: skipped (bash test/bench/setup.sh)`)
if (!gnuTime)
  notes.push('GNU time (/usr/bin/time) is missing: no CPU time or peak RSS (bash test/bench/setup.sh)')
for (const note of notes) log(`note: ${note}`)

const results: ScenarioResult[] = []
const loadBefore = loadavg()
let failed = false
try {
  for (const scenario of scenarios) {
    if (only.length > 0 && !only.includes(scenario.key)) continue
    log(`\n${scenario.title}`)
    const result = await runScenario(scenario, rusageFileIn(base), log)
    log(`  (${(result.elapsedMs / 1000).toFixed(0)} s)`)
    results.push(result)
  }
} catch (error) {
  failed = true
  if (!(error instanceof BenchmarkFailure)) throw error
  console.error(`\nBENCHMARK FAILED: ${error.message}`)
} finally {
  if (process.env.BENCH_KEEP === '1') log(`kept ${base}`)
  else await rm(base, { recursive: true, force: true })
}
if (failed) process.exit(1)

const elapsedMs = Date.now() - started
const fsType = spawnSync('stat', ['-f', '-c', '%T', process.env.BENCH_DIR ?? tmpdir()], { encoding: 'utf8' })
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  fileSystem: fsType.stdout.trim(),
  loadBefore: loadBefore.map((n) => Number(n.toFixed(2))),
  loadAfter: loadavg().map((n) => Number(n.toFixed(2))),
}
const wrong = results.flatMap((r) =>
  r.contenders
    .filter((c) => c.wrong.length > 0)
    .map((c) => `${r.title}: ${c.label} was wrong: ${c.wrong.join('; ')}`),
)
const main = markdownTable(mainRows(results))
const when = new Date().toISOString().slice(0, 10)
const summary =
  `${when}, ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ` +
  `${machine.fileSystem}, Node ${machine.node}. The whole run took ${(elapsedMs / 60_000).toFixed(1)} minutes ` +
  `(load average ${machine.loadBefore[0]} before, ${machine.loadAfter[0]} after).`
const versions = (Object.keys(installed) as Peer[])
  .filter((p) => peers.has(p))
  .map((p) => `${p}: ${installed[p]}`)
const markdown = [
  '# Benchmark results',
  '',
  summary,
  '',
  'Wall time, median of the measured rounds (after a warm-up round, tools alternating A B C, A B C); the',
  'syncengine column runs the command line as a user would. The floor is the least the work takes: `node -e 0`',
  'for start-up, a bare readdir + lstat walk for a plan, `sha256sum` for hashing. ✗ marks a result that was wrong.',
  '',
  main,
  '',
  '## CPU time (user + sys, median)',
  '',
  markdownTable(cpuRows(results)),
  '',
  '## Peak RSS (median)',
  '',
  'For tools that run several processes (rsync, cp runs one), the largest one.',
  '',
  markdownTable(rssRows(results)),
  '',
  '## Notes',
  '',
  ...[...notes, ...wrong, ...versions].map((n) => `- ${n}`),
  ...results.map(
    (r) =>
      `- ${r.title}: ${r.warmup ? 'a warm-up round and ' : ''}${r.rounds} measured round${r.rounds === 1 ? '' : 's'}, ${(r.elapsedMs / 1000).toFixed(0)} s in all; ` +
      r.contenders.map((c) => `\`${c.label}\``).join(', '),
  ),
  '',
].join('\n')

log(`\n${main}\n`)
for (const line of [...notes, ...wrong]) log(`note: ${line}`)
log(`the whole run took ${(elapsedMs / 1000).toFixed(0)} s`)

const json = {
  generatedAt: new Date().toISOString(),
  quick,
  only,
  elapsedMs,
  machine,
  peers: installed,
  gnuTime,
  results: results.map((r) => ({
    ...r,
    contenders: r.contenders.map((c) => ({
      ...c,
      runs: c.runs.map(({ stdout, stderr, ...run }) => ({
        ...run,
        ...(r.key === 'scale' ? { stdout } : {}),
        ...(c.wrong.length > 0 ? { stderr } : {}),
      })),
    })),
  })),
}
const complete = !quick && only.length === 0 && process.env.BENCH_FILES === undefined
const folder = join(REPO, 'test', 'bench', 'results')
mkdirSync(folder, { recursive: true })
const name = complete ? 'latest' : 'last-run'
writeFileSync(join(folder, `${name}.md`), markdown)
writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`)
log(`wrote test/bench/results/${name}.md and .json`)

if (complete) {
  // The README shows the latest full run, between two markers.
  const readmePath = join(REPO, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const [begin, end] = ['<!-- bench:begin -->', '<!-- bench:end -->']
  const from = readme.indexOf(begin)
  const to = readme.indexOf(end)
  if (from >= 0 && to > from) {
    const table = `${begin}\n${summary}\n\n${main}\n${end}`
    writeFileSync(readmePath, readme.slice(0, from) + table + readme.slice(to + end.length))
    log('updated the Performance section of README.md')
  }
}
