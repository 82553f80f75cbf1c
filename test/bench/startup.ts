/**
 * Start-up of the built command line (dist/cli/bin.js, what `npx syncengine` runs), beside a bare
 * `node -e 0`: `--help`, and a plan of two empty folders. Each figure is the median of 10 runs after 2 warm-up
 * runs. Targets on the 2-core development machine: `--help` within 0.15 s, the empty plan within 0.3 s.
 * Builds first (incrementally), so it measures the sources as they are.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const REPO = join(import.meta.dirname, '..', '..')
const BIN = join(REPO, 'dist', 'cli', 'bin.js')
const RUNS = 10
const WARM_UP = 2

const report = (name: string, value: string): void => console.log(`${name.padEnd(44)} ${value}`)

/** The median wall time of `node args`, in seconds; each run must exit 0 and print `expected`. */
const median = (args: ReadonlyArray<string>, expected: string): number => {
  const times: number[] = []
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    const start = process.hrtime.bigint()
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' })
    const took = Number(process.hrtime.bigint() - start) / 1e9
    if (run.status !== 0 || !run.stdout.includes(expected))
      throw new Error(`node ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`)
    if (i >= WARM_UP) times.push(took)
  }
  times.sort((a, b) => a - b)
  return ((times[RUNS / 2 - 1] ?? 0) + (times[RUNS / 2] ?? 0)) / 2
}

const ms = (seconds: number): string => `${(seconds * 1000).toFixed(0)} ms`

execFileSync(
  process.execPath,
  [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: REPO,
    stdio: 'inherit',
  },
)
const base = await mkdtemp(join(tmpdir(), 'syncengine-startup-'))
try {
  const [source, destination] = [join(base, 'source'), join(base, 'destination')]
  await mkdir(source)
  await mkdir(destination)
  const bare = median(['-e', 'console.log("ok")'], 'ok')
  const help = median([BIN, '--help'], 'Usage: syncengine')
  const plan = median([BIN, 'plan', source, destination, '--state', join(base, 'state.json')], 'No changes')
  report('start-up: node -e 0', ms(bare))
  report('start-up: syncengine --help', `${ms(help)} (${ms(help - bare)} over node; target 150 ms)`)
  report('start-up: plan of two empty folders', `${ms(plan)} (${ms(plan - bare)} over node; target 300 ms)`)
} finally {
  await rm(base, { recursive: true, force: true })
}
