import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { planJson } from '../../src/pair/plan-file-io.ts'
import type { GoldenScenario } from './scenarios.ts'

/** Where the golden plans live, and the files there that are not plans of a scenario. */
export const PLANS_DIR = join(import.meta.dirname, '..', '..', 'plans')
export const NOT_PLANS: ReadonlySet<string> = new Set(['README.md', 'plan.schema.json'])

export const planFileOf = (name: string): string => join(PLANS_DIR, `${name}.json`)

/** The scenario's plan as the canonical JSON that `syncengine plan --out` writes. */
export const planTextOf = async (scenario: GoldenScenario): Promise<string> => planJson(await scenario.plan())

/** The names of the plan files in plans/, without `.json`. */
export const planFileNames = async (): Promise<ReadonlyArray<string>> =>
  (await readdir(PLANS_DIR))
    .filter((name) => name.endsWith('.json') && !NOT_PLANS.has(name))
    .map((name) => name.slice(0, -'.json'.length))
    .sort()

export const README = join(PLANS_DIR, 'README.md')
const TABLE_START = '<!-- The table is written by `npm run plans:update` from test/golden/scenarios.ts. -->\n'
const TABLE_END = '<!-- end of the table -->\n'

/** The table of scenarios in plans/README.md, as it should read. */
export const scenarioTable = (scenarios: ReadonlyArray<GoldenScenario>): string =>
  [
    '| plan | what happens |',
    '| --- | --- |',
    ...scenarios.map((s) => `| [${s.name}](${s.name}.json) | ${s.about} |`),
    '',
  ].join('\n')

/** The README's table as it is, or undefined when its markers are gone. */
export const tableIn = (readme: string): string | undefined => {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  return start < 0 || end < start ? undefined : readme.slice(start + TABLE_START.length, end)
}

/** The README with its table replaced. */
export const withTable = (readme: string, table: string): string => {
  const current = tableIn(readme)
  if (current === undefined)
    throw new Error(`plans/README.md lost the markers around its table: ${TABLE_START}`)
  const start = readme.indexOf(TABLE_START) + TABLE_START.length
  return `${readme.slice(0, start)}${table}${readme.slice(start + current.length)}`
}
