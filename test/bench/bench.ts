/** What every scenario is given: the run's settings, the installed peers, the shared pairs of trees. */
import { spawnSync } from 'node:child_process'
import { treeDifferences } from './compare-trees.ts'
import type { Pair } from './fixtures.ts'
import { type Peer, quietly, syncengine, type ToolEnv } from './tools.ts'

export interface Bench {
  /** BENCH_QUICK=1: 10,000 files, no peers, one round; checks every result all the same. */
  readonly quick: boolean
  readonly base: string
  /** Files in the large pair: 100,000, or 10,000 when quick. */
  readonly files: number
  /** Peers installed and taking part. */
  readonly peers: ReadonlySet<Peer>
  /** The pair of trees of that many files, built on first use. */
  readonly pair: (files: number) => Promise<Pair>
  readonly log: (line: string) => void
  /** Rounds for a scenario: as given (after a warm-up round) in a full run, one when quick. */
  readonly rounds: (full: number, warmup?: boolean) => { readonly rounds: number; readonly warmup: boolean }
}

/** "100k" for 100000: the scenario titles' way of counting files. */
export const count = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n)

/** A plan made right after a sync must be empty: `--detailed-exitcode` exits 0 only then. */
export const secondPlanProblems = (
  source: string,
  destination: string,
  stateFile: string,
  env: ToolEnv,
  more: ReadonlyArray<string> = [],
): string[] => {
  const command = syncengine(
    ['plan', source, destination, '--state', stateFile, '--detailed-exitcode', ...quietly, ...more],
    env,
  )
  const done = spawnSync(command.file, command.args, {
    env: { ...process.env, ...env.vars },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (done.status === 0) return []
  const lines = `${done.stdout}\n${done.stderr}`.split('\n').filter((l) => l.trim() !== '')
  return [`the plan after it is not empty (exit ${done.status}): ${lines.slice(0, 8).join(' | ')}`]
}

export { treeDifferences }
