import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { readPlanFile } from '../../src/pair/plan-file-io.ts'
import { localStorage } from '../../src/storage/local.ts'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, putTree, runCli } from './run-cli.ts'

/**
 * An apply stopped part way keeps a journal; the same apply run again does not redo what the first one
 * did, and its summary counts those actions as already done, saying the interrupted apply did them.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

/** Applies the plan file through the library, stopping it (as Ctrl-C does) after `after` actions. */
const stopAfter = async (p: CliPair, planFile: string, after: number) => {
  const plan = await readPlanFile(planFile)()
  if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
  const stop = new AbortController()
  let done = 0
  return applyPair({
    plan: plan.right,
    sides: { source: localStorage(p.src), destination: localStorage(p.dst) },
    stateFile: p.stateFile,
    signal: stop.signal,
    transfers: 1,
    onEvent: (event) => {
      if (event.type === 'action' && ++done >= after) stop.abort()
    },
  })()
}

describe('a resumed apply', () => {
  it('counts what the interrupted apply did as already done, and says so', async () => {
    const p = await cliPair()
    pair = p
    await putTree(
      p.source,
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.txt`, `file ${i}`])),
    )
    const planFile = join(p.scratch, 'plan.json')
    expect(
      (await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], { cwd: p.scratch }))
        .code,
    ).toBe(0)
    const stopped = await stopAfter(p, planFile, 2)
    expect(stopped).toMatchObject({ _tag: 'Right', right: { notStarted: 3, resumed: 0 } })

    const resumed = await runCli(['apply', planFile], { cwd: p.scratch })

    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toBe(
      'Apply complete: 3 applied, 2 already done (2 by the interrupted apply this one resumed), 0 skipped (changed since the plan), 0 failed.\n',
    )
    expect(await readTree(p.dst)).toEqual(await readTree(p.src))
  })

  it('the library report says the same: applied is what this apply did', async () => {
    const p = await cliPair()
    pair = p
    await putTree(
      p.source,
      Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`f${i}.txt`, `file ${i}`])),
    )
    const planFile = join(p.scratch, 'plan.json')
    await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], { cwd: p.scratch })
    await stopAfter(p, planFile, 3)

    const resumed = await stopAfter(p, planFile, 100)

    expect(resumed).toMatchObject({
      _tag: 'Right',
      right: { resumed: 3, notStarted: 0, counts: { applied: 1, alreadyDone: 3, drifted: 0, failed: 0 } },
    })
  })
})
