import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { planFileNames, planFileOf, planTextOf, README, scenarioTable, tableIn } from './plan-files.ts'
import { scenarios } from './scenarios.ts'

/**
 * plans/ holds the plan of every golden scenario, so a change to planning shows up as a JSON diff a person
 * reviews. These tests fail when the planner's output and the committed files part ways.
 */

const UPDATE = 'Run `npm run plans:update` and review the diff (`git diff plans/`) before committing it.'

const committed = async (name: string): Promise<string | undefined> => {
  try {
    return await readFile(planFileOf(name), 'utf8')
  } catch {
    return undefined
  }
}

describe('golden plans', () => {
  it('has a scenario for each plan file in plans/ and a plan file for each scenario', async () => {
    const names = scenarios.map((s) => s.name)
    expect(new Set(names).size, 'two scenarios share a name').toBe(names.length)
    expect(await planFileNames(), `plans/ and the scenarios differ. ${UPDATE}`).toEqual([...names].sort())
  })

  it.each(scenarios)(
    '$name: the committed plan is byte for byte the one the planner makes now',
    async (scenario) => {
      const expected = await committed(scenario.name)
      expect(expected, `plans/${scenario.name}.json is missing. ${UPDATE}`).toBeDefined()
      const actual = await planTextOf(scenario)
      expect(actual, `plans/${scenario.name}.json is out of date. ${UPDATE}`).toBe(expected)
    },
  )

  it.each(scenarios)('$name: the same scenario gives the same bytes every time', async (scenario) => {
    expect(await planTextOf(scenario)).toBe(await planTextOf(scenario))
  })

  it('plans/README.md lists the scenarios as they are', async () => {
    const table = tableIn(await readFile(README, 'utf8'))
    expect(table, 'plans/README.md lost the markers around its table of scenarios').toBeDefined()
    expect(table, `the table of scenarios in plans/README.md is out of date. ${UPDATE}`).toBe(
      scenarioTable(scenarios),
    )
  })
})
