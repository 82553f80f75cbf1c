import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { decodePlan } from '../../src/core/decode-plan.ts'
import { derivedOf } from '../../src/core/plan/derived.ts'
import { Plan } from '../../src/core/plan-file.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from '../cli/run-cli.ts'
import { readTree } from '../support/sides.ts'

/**
 * A plan file that decodes may still be wrong: one action twice, two actions writing one path, a
 * tolerance that makes every file look unchanged. Each is refused where plan files are read (by the
 * library too), and the command line refuses the same values before any plan exists.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

type Json = Record<string, unknown>
type PlanJson = Json & { actions: Json[]; policy: Json }

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

const planned = async (): Promise<{ p: CliPair; planFile: string; json: PlanJson }> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, { 'a.txt': 'alpha', 'b.txt': 'beta', 'docs/c.txt': 'gamma' })
  const planFile = join(p.scratch, 'plan.json')
  expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
  return { p, planFile, json: JSON.parse(await readFile(planFile, 'utf8')) as PlanJson }
}

const uploadOf = (json: PlanJson, path: string): Json => {
  const found = json.actions.find((a) => a.kind === 'copy' && a.path === path)
  if (found === undefined) throw new Error(`no upload of ${path}`)
  return found
}

describe('duplicate actions', () => {
  it.each([
    ['the same action twice', (json: PlanJson) => [...json.actions, uploadOf(json, 'a.txt')], 'a.txt'],
    [
      'two uploads writing one path from different files',
      (json: PlanJson) => [...json.actions, { ...uploadOf(json, 'b.txt'), path: 'a.txt' }],
      'a.txt',
    ],
    [
      'a folder made twice',
      (json: PlanJson) => [
        ...json.actions,
        json.actions.find((a) => a.kind === 'mkdir') ?? { kind: 'mkdir', side: 'destination', path: 'docs' },
      ],
      'docs',
    ],
  ])(
    'a plan with %s is refused by show and apply, naming the path, and nothing is written',
    async (_name, edit, path) => {
      const { p, planFile, json } = await planned()
      await writeFile(planFile, JSON.stringify({ ...json, actions: edit(json) }))

      const shown = await cli(p, ['show', planFile])
      const applied = await cli(p, ['apply', planFile])

      for (const result of [shown, applied]) {
        expect(result.code).toBe(1)
        const line = oneLineError(result.stderr)
        expect(line).toContain('is not a valid plan')
        expect(line).toContain(`writes ${path} on the destination, as actions[`)
      }
      expect(await readTree(p.dst)).toEqual({})
    },
  )

  it('the library refuses it when it decodes the plan', async () => {
    const { json } = await planned()
    const twice = { ...json, actions: [...json.actions, uploadOf(json, 'b.txt')] }

    const decoded = decodePlan(twice)

    expect(E.isLeft(decoded) ? decoded.left.problems.join('; ') : 'accepted').toMatch(
      /^actions\[\d+\] writes b\.txt on the destination, as actions\[\d+\] does/,
    )
  })

  it('a plan that removes one path and then puts something there is still a plan', async () => {
    const { json } = await planned()
    const info = { kind: 'file', size: 5, mtimeMs: 1_700_000_000_000, exec: false }
    const replace = [
      {
        kind: 'delete',
        side: 'destination',
        path: 'x',
        entry: { kind: 'dir' },
        reason: 'a folder became a file',
      },
      { ...uploadOf(json, 'a.txt'), path: 'x', entry: info },
    ]

    // The summary and the guard's verdict are derived from the actions, so they are derived again here.
    const edited = Plan.decode({ ...json, actions: replace })
    if (E.isLeft(edited)) throw new Error('the edited plan does not decode')
    const derived = derivedOf(edited.right)
    const whole = Plan.encode({ ...edited.right, ...derived })

    const decoded = decodePlan(whole)
    expect(E.isLeft(decoded) ? decoded.left.problems : []).toEqual([])
  })
})

describe('the mtime tolerance', () => {
  /** `plan` of a one-file pair with `--mtime-tolerance=value`. */
  const planWithTolerance = async (value: string) => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'a.txt': 'alpha' })
    return cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, `--mtime-tolerance=${value}`])
  }

  it.each(['1e20', '-1', 'NaN', '86400001', '0x10', '1.5', ''])(
    '--mtime-tolerance %j is refused, saying what it takes',
    async (value) => {
      const result = await planWithTolerance(value)

      expect(result.code).toBe(1)
      expect(oneLineError(result.stderr)).toContain(
        '--mtime-tolerance takes whole milliseconds from 0 to 86400000',
      )
    },
  )

  it('--mtime-tolerance 86400000 (a day) is taken', async () => {
    expect((await planWithTolerance('86400000')).code).toBe(0)
  })

  it.each([1e20, -5, 2.5, 86_400_001])(
    'a plan whose mtimeToleranceMs is %d is refused by apply',
    async (tolerance) => {
      const { p, planFile, json } = await planned()
      await writeFile(
        planFile,
        JSON.stringify({ ...json, policy: { ...json.policy, mtimeToleranceMs: tolerance } }),
      )

      const applied = await cli(p, ['apply', planFile])

      expect(applied.code).toBe(1)
      expect(oneLineError(applied.stderr)).toContain(
        'policy.mtimeToleranceMs: expected whole milliseconds from 0 to 86400000',
      )
      expect(await readTree(p.dst)).toEqual({})
    },
  )
})
