/** The benchmark's tables (markdown) and its raw figures (JSON). */
import { COLUMNS, type Column, type ContenderResult, PEERS, type ScenarioResult } from './harness.ts'
import { parseScale } from './library-scenarios.ts'

export interface Row {
  readonly title: string
  readonly cells: Partial<Record<Column, string>>
  /** syncengine's figure over the best peer's (or the floor's, where no peer runs). */
  readonly ratio: string
}

const HEADINGS: Readonly<Record<Column, string>> = {
  syncengine: 'syncengine',
  rsync: 'rsync',
  unison: 'Unison',
  rclone: 'rclone',
  cp: 'cp -a',
  floor: 'floor',
}

export const seconds = (ms: number): string =>
  Number.isNaN(ms) ? '–' : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`

const mebibytes = (kib: number): string => `${(kib / 1024).toFixed(kib < 10 * 1024 ? 1 : 0)} MiB`

type Measure = (c: ContenderResult) => number | null

const wall: Measure = (c) => c.median.wallMs
const cpu: Measure = (c) => c.median.cpuMs
const rss: Measure = (c) => c.median.maxRssKiB

/** The row of one scenario for one measure: each contender's median, and how syncengine compares. */
const rowOf = (title: string, result: ScenarioResult, measure: Measure, show: (n: number) => string): Row => {
  const cells: Partial<Record<Column, string>> = {}
  for (const c of result.contenders) {
    const value = measure(c)
    cells[c.column] = value === null ? 'n/a' : `${show(value)}${c.wrong.length > 0 ? ' ✗' : ''}`
  }
  const mine = result.contenders.find((c) => c.column === 'syncengine')
  const valued = (columns: ReadonlyArray<Column>) =>
    result.contenders
      .filter((c) => columns.includes(c.column) && c.wrong.length === 0 && measure(c) !== null)
      .sort((a, b) => (measure(a) ?? 0) - (measure(b) ?? 0))[0]
  const best = valued(PEERS) ?? valued(['floor'])
  const [ours, theirs] = [
    mine === undefined ? null : measure(mine),
    best === undefined ? null : measure(best),
  ]
  const ratio =
    ours === null || theirs === null || best === undefined || theirs === 0
      ? ''
      : `${(ours / theirs).toFixed(ours / theirs < 10 ? 1 : 0)}× ${HEADINGS[best.column]}`
  return { title, cells, ratio }
}

const only = (title: string, text: string): Row => ({ title, cells: { syncengine: text }, ratio: '' })

/** The main table: wall time of every scenario, plus memory, state size and the scale run. */
export const mainRows = (results: ReadonlyArray<ScenarioResult>): Row[] =>
  results.flatMap((result): Row[] => {
    if (result.key === 'scale') {
      const run = result.contenders[0]?.runs[0]
      const figures = run === undefined ? null : parseScale(run.stdout)
      if (run === undefined || figures === null) return []
      const what = `${result.title}:`
      return [
        only(
          `${what} first plan (${figures.entries.toLocaleString('en')} entries to copy)`,
          seconds(figures.planMs),
        ),
        only(`${what} apply`, seconds(figures.applyMs)),
        only(`${what} no-change plan`, seconds(figures.replanMs)),
        only(`${what} peak RSS (whole process)`, run.maxRssKiB === null ? 'n/a' : mebibytes(run.maxRssKiB)),
      ]
    }
    if (result.key === 'hash') {
      const bytes = result.facts.bytes ?? 0
      const rate = (ms: number) =>
        `${seconds(ms)} (${((bytes / 1024 / 1024) * (1000 / ms)).toFixed(0)} MiB/s)`
      return [rowOf(result.title, result, wall, rate)]
    }
    const rows = [rowOf(result.title, result, wall, seconds)]
    if (result.key === 'noop' || result.key === 'two-way')
      rows.push(rowOf(`peak RSS: ${result.title.replace(/ \(.*\)$/, '')}`, result, rss, mebibytes))
    if (result.key === 'checksum') {
      const { stateBytes, stateBytesWithHashes, entries } = result.facts
      if (stateBytes !== undefined && stateBytesWithHashes !== undefined && entries !== undefined) {
        const size = (bytes: number) => `${mebibytes(bytes / 1024)}, ${(bytes / entries).toFixed(0)} B/entry`
        const n = entries.toLocaleString('en')
        rows.push(only(`state file, ${n} entries, without hashes`, size(stateBytes)))
        rows.push(only(`state file, ${n} entries, with hashes`, size(stateBytesWithHashes)))
      }
    }
    return rows
  })

const perRun = (
  results: ReadonlyArray<ScenarioResult>,
  measure: Measure,
  show: (n: number) => string,
): Row[] => results.filter((r) => r.key !== 'scale').map((r) => rowOf(r.title, r, measure, show))

export const cpuRows = (results: ReadonlyArray<ScenarioResult>): Row[] => perRun(results, cpu, seconds)
export const rssRows = (results: ReadonlyArray<ScenarioResult>): Row[] =>
  perRun(
    results.filter((r) => r.key !== 'hash'),
    rss,
    mebibytes,
  )

export const markdownTable = (rows: ReadonlyArray<Row>, ratioHeading = 'syncengine ÷ best peer'): string => {
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  const lines = [
    `| scenario | ${COLUMNS.map((c) => HEADINGS[c]).join(' | ')} | ${ratioHeading} |`,
    `| --- | ${COLUMNS.map(() => '---:').join(' | ')} | ---: |`,
    ...rows.map(
      (row) =>
        `| ${cell(row.title)} | ${COLUMNS.map((c) => row.cells[c] ?? '').join(' | ')} | ${row.ratio} |`,
    ),
  ]
  return lines.join('\n')
}
