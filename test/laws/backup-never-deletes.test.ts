import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Mode } from '../../src/core/policy.ts'
import { type Scenario, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import {
  edited,
  FOLDER,
  files,
  isWithinOrAt,
  listingOfSide,
  numRuns,
  oneWaySides,
  policyOf,
  show,
  showPlan,
} from './play.ts'

/**
 * Backups (`source-backup`, `destination-backup`) are `rsync -a` without `--delete`: the protected side
 * (the target) keeps every path it had, and gets every file of the truth side with the truth side's
 * content; the truth side is never written.
 */

const backups: ReadonlyArray<Mode> = ['source-backup', 'destination-backup']

/** `a/b.conflict-destination-20261125-153612.txt` is a copy of `a/b.txt` kept beside it by the destination. */
const keptBeside = (candidate: string, path: string, side: string): boolean => {
  const slash = path.lastIndexOf('/')
  const folder = path.slice(0, slash + 1)
  const name = path.slice(slash + 1)
  const dot = name.lastIndexOf('.')
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  return new RegExp(
    `^${escapeRegExp(folder + stem)}\\.conflict-${side}(-\\d{8}-\\d{6})?(-\\d+)?${escapeRegExp(extension)}$`,
  ).test(candidate)
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe.each(backups)('backup never deletes (%s)', (mode) => {
  const scenarios = scenarioArbitrary({ modes: [mode] })
  const { truth, target } = oneWaySides(mode)

  /** The scenario up to the backup sync, and the sync itself, with both sides listed before and after. */
  const backedUp = async (scenario: Scenario, firstSync: boolean) => {
    const { pair, run } = await edited(scenario, { firstSync })
    const before = { truth: await listingOfSide(pair[truth]), target: await listingOfSide(pair[target]) }
    const { plan } = await run.sync(policyOf(scenario))
    const after = { truth: await listingOfSide(pair[truth]), target: await listingOfSide(pair[target]) }
    const context = [
      show(`${truth} before`, before.truth),
      show(`${target} before`, before.target),
      showPlan('applied', plan),
      show(`${target} after`, after.target),
    ].join('\n')
    return { before, after, plan, context }
  }

  it(`every path on the ${target} before the sync is still there afterwards, and a file keeps its old content or takes the ${truth}'s`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, fc.boolean(), async (scenario, firstSync) => {
        const { before, after, context } = await backedUp(scenario, firstSync)
        for (const [path, content] of before.target) {
          const now = after.target.get(path)
          // A folder may become the truth side's file only when it held nothing: nothing inside is lost.
          if (content === FOLDER) {
            expect(now, `${target} ${path}: folder gone\n${context}`).toBeDefined()
            continue
          }
          // A file may give way to the truth side's folder only if its bytes stay beside it, under a
          // conflict name that says they came from the backup side.
          if (now === FOLDER && before.truth.get(path) === FOLDER) {
            const beside = [...after.target].filter(([p, c]) => keptBeside(p, path, target) && c === content)
            expect(
              beside.length,
              `${target} ${path}: the file's bytes are not kept beside it\n${context}`,
            ).toBe(1)
            continue
          }
          expect(
            [content, before.truth.get(path)].filter((allowed) => allowed !== FOLDER),
            `${target} ${path}: ${content} became ${now}\n${context}`,
          ).toContain(now)
        }
      }),
      { numRuns },
    )
  })

  it(`every file on the ${truth} is on the ${target} afterwards with the ${truth}'s content`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, fc.boolean(), async (scenario, firstSync) => {
        const { before, after, plan, context } = await backedUp(scenario, firstSync)
        // A file where the backup holds a folder cannot be written without deleting the folder: the plan must
        // say so, and only such a clash may be left.
        const clashes = plan.conflicts.map((c) => c.path)
        for (const path of clashes) {
          const [there, here] = [before.truth.get(path), before.target.get(path)]
          const clash = there !== undefined && here !== undefined && (there === FOLDER) !== (here === FOLDER)
          expect(clash, `conflict at ${path} is not a file/folder clash\n${context}`).toBe(true)
        }
        for (const [path, content] of files(before.truth)) {
          if (clashes.some((clash) => isWithinOrAt(path, clash))) continue
          expect(after.target.get(path), `${path} on the ${target}\n${context}`).toBe(content)
        }
      }),
      { numRuns },
    )
  })

  it(`a backup sync never writes to the ${truth}`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, fc.boolean(), async (scenario, firstSync) => {
        const { before, after, context } = await backedUp(scenario, firstSync)
        expect(after.truth, context).toEqual(before.truth)
      }),
      { numRuns },
    )
  })
})
