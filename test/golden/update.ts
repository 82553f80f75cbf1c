/**
 * `npm run plans:update`: regenerates plans/<scenario>.json for every golden scenario, removes the plan
 * files of scenarios that no longer exist, and rewrites the table of scenarios in plans/README.md. Review the result with `git diff plans/` before committing.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { planFileNames, planFileOf, planTextOf, README, scenarioTable, withTable } from './plan-files.ts'
import { scenarios } from './scenarios.ts'

const previous = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, 'utf8')
  } catch {
    return undefined
  }
}

const changed: string[] = []
for (const scenario of scenarios) {
  const file = planFileOf(scenario.name)
  const text = await planTextOf(scenario)
  if ((await previous(file)) === text) continue
  await writeFile(file, text)
  changed.push(relative(process.cwd(), file))
}
const readme = await readFile(README, 'utf8')
const updated = withTable(readme, scenarioTable(scenarios))
if (updated !== readme) {
  await writeFile(README, updated)
  changed.push(relative(process.cwd(), README))
}
const names = new Set(scenarios.map((s) => s.name))
const removed: string[] = []
for (const name of await planFileNames()) {
  if (names.has(name)) continue
  await rm(planFileOf(name))
  removed.push(relative(process.cwd(), planFileOf(name)))
}

for (const file of changed) console.log(`wrote   ${file}`)
for (const file of removed) console.log(`removed ${file}`)
const plansWritten = changed.filter((file) => file.endsWith('.json')).length
console.log(
  `${scenarios.length} golden plans: ${plansWritten} written, ${removed.length} removed, ${scenarios.length - plansWritten} unchanged.`,
)
if (changed.length + removed.length > 0) console.log('Review the changes with: git diff plans/')
