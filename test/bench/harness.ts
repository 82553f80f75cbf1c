/**
 * Runs a scenario's contenders in alternating rounds (A B C, A B C, …), a warm-up round first, and keeps
 * the medians. Every run starts from the same reset and with the page cache flushed of dirty pages;
 * syncengine's result is checked after every run, a peer's after its first.
 */
import { type Command, flush, measure, type Run } from './measure.ts'

/** The table's columns: syncengine, its peers, and the floor (the least any program could do). */
export const COLUMNS = ['syncengine', 'rsync', 'unison', 'rclone', 'cp', 'floor'] as const
export type Column = (typeof COLUMNS)[number]
export const PEERS: ReadonlyArray<Column> = ['rsync', 'unison', 'rclone', 'cp']

export interface Contender {
  readonly column: Column
  /** What ran, as a person would type it. */
  readonly label: string
  /** Untimed, before every run: puts the trees and the tool's own state back as the scenario starts. */
  readonly reset?: () => Promise<void> | void
  /** A process to time, or work to time in this process. */
  readonly command?: () => Command
  readonly here?: () => Promise<Run>
  readonly exitCodes?: ReadonlyArray<number>
  /** What is wrong with the result, one line each: empty when it is right. */
  readonly check?: (run: Run, round: number) => Promise<ReadonlyArray<string>> | ReadonlyArray<string>
  readonly captureStdout?: boolean
}

export interface Scenario {
  readonly key: string
  readonly title: string
  /** Measured rounds, after the warm-up round when there is one. */
  readonly rounds: number
  readonly warmup: boolean
  /** Builds what the contenders need; returns them. Skipped peers are left out, with a note. */
  readonly prepare: () => Promise<ReadonlyArray<Contender>>
  /** After the last round: checks that hold across runs (templates untouched). */
  readonly finish?: () => Promise<void> | void
  /** Figures found on the way (sizes, counts), kept with the result. */
  readonly facts?: () => Readonly<Record<string, number>>
}

export interface Median {
  readonly wallMs: number
  readonly cpuMs: number | null
  readonly maxRssKiB: number | null
}

export interface ContenderResult {
  readonly column: Column
  readonly label: string
  readonly runs: ReadonlyArray<Run & { readonly warmup: boolean }>
  readonly median: Median
  /** What was wrong with a peer's result: its figure is shown but marked. */
  readonly wrong: ReadonlyArray<string>
}

export interface ScenarioResult {
  readonly key: string
  readonly title: string
  readonly rounds: number
  readonly warmup: boolean
  readonly contenders: ReadonlyArray<ContenderResult>
  readonly facts: Readonly<Record<string, number>>
  readonly elapsedMs: number
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

const medianOrNull = (values: ReadonlyArray<number | null>): number | null =>
  values.some((v) => v === null) || values.length === 0 ? null : median(values as number[])

export class BenchmarkFailure extends Error {}

const describeRun = (run: Run): string =>
  `exit ${run.exitCode}${run.stderr.trim() === '' ? '' : `: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`}`

export const runScenario = async (
  scenario: Scenario,
  rusageFile: string,
  log: (line: string) => void,
): Promise<ScenarioResult> => {
  const started = Date.now()
  const contenders = await scenario.prepare()
  const runs = new Map<Contender, Array<Run & { warmup: boolean }>>(contenders.map((c) => [c, []]))
  const wrong = new Map<Contender, string[]>(contenders.map((c) => [c, []]))
  const total = scenario.rounds + (scenario.warmup ? 1 : 0)
  for (let round = 0; round < total; round++) {
    for (const contender of contenders) {
      await contender.reset?.()
      flush()
      let run: Run
      if (contender.here !== undefined) run = await contender.here()
      else if (contender.command !== undefined)
        run = await measure(contender.command(), rusageFile, { stdout: contender.captureStdout === true })
      else throw new Error(`${contender.label}: neither a command nor work to time`)
      const mine = contender.column === 'syncengine'
      const problems: string[] = []
      if (!(contender.exitCodes ?? [0]).includes(run.exitCode)) problems.push(describeRun(run))
      else if (contender.check !== undefined && (mine || round === 0))
        problems.push(...(await contender.check(run, round)))
      if (problems.length > 0) {
        if (mine || contender.column === 'floor')
          throw new BenchmarkFailure(`${scenario.title}: ${contender.label}:\n  ${problems.join('\n  ')}`)
        wrong.get(contender)?.push(...problems)
        log(`  ${contender.label}: WRONG: ${problems.slice(0, 3).join('; ')}`)
      }
      const warmup = scenario.warmup && round === 0
      runs.get(contender)?.push({ ...run, warmup })
      log(
        `  ${warmup ? 'warm-up' : `round ${scenario.warmup ? round : round + 1}`}  ${contender.label}: ` +
          `${(run.wallMs / 1000).toFixed(2)} s wall` +
          (run.userMs === null || run.sysMs === null
            ? ''
            : `, ${((run.userMs + run.sysMs) / 1000).toFixed(2)} s cpu`) +
          (run.maxRssKiB === null ? '' : `, ${(run.maxRssKiB / 1024).toFixed(0)} MiB`),
      )
    }
  }
  await scenario.finish?.()
  return {
    key: scenario.key,
    title: scenario.title,
    rounds: scenario.rounds,
    warmup: scenario.warmup,
    elapsedMs: Date.now() - started,
    facts: scenario.facts?.() ?? {},
    contenders: contenders.map((c) => {
      const measured = (runs.get(c) ?? []).filter((r) => !r.warmup)
      return {
        column: c.column,
        label: c.label,
        runs: runs.get(c) ?? [],
        wrong: wrong.get(c) ?? [],
        median: {
          wallMs: median(measured.map((r) => r.wallMs)),
          cpuMs: medianOrNull(
            measured.map((r) => (r.userMs === null || r.sysMs === null ? null : r.userMs + r.sysMs)),
          ),
          maxRssKiB: medianOrNull(measured.map((r) => r.maxRssKiB)),
        },
      }
    }),
  }
}
