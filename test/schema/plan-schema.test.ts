import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodePlan } from '../../src/core/decode-plan.ts'
import { ConflictOutcome, type Plan } from '../../src/core/plan-file.ts'
import { CONFLICT_STRATEGIES, Compare, defaultPolicy, MODES, type Policy } from '../../src/core/policy.ts'
import { Direction, Side } from '../../src/core/side.ts'
import { planJson } from '../../src/pair/plan-file-io.ts'
import {
  applyEdits,
  counterClock,
  plantTree,
  type Scenario,
  scenarioArbitrary,
} from '../../src/testing/arbitraries.ts'
import { planFileOf } from '../golden/plan-files.ts'
import { scenarios } from '../golden/scenarios.ts'
import { session } from '../support/session.ts'
import { memoryPair } from '../support/sides.ts'
import { breakages, broken, codecPathOf } from './broken-plans.ts'
import { explain, judge, judgePath, schema } from './plan-schema.ts'

/**
 * plans/plan.schema.json is written by hand, for people and for tools outside TypeScript; the io-ts codec
 * is what `apply` trusts. These tests hold the two to the same verdict on every document they are shown.
 */

const goldenPlan = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(planFileOf(name), 'utf8'))

const numRuns = Number(process.env.FC_RUNS ?? (process.env.CI ? 1000 : 100))

describe('the plan schema', () => {
  it.each(scenarios.map((s) => s.name))('accepts the golden plan %s, and so does the codec', async (name) => {
    const verdicts = judge(await goldenPlan(name))
    expect(verdicts.schema, explain(verdicts)).toBe(true)
    expect(verdicts.codec, explain(verdicts)).toBe(true)
  })

  it.each(breakages)('refuses $name ($at), and so does the codec, naming the field', async (breakage) => {
    const verdicts = judge(broken(await goldenPlan(breakage.base), breakage))
    expect(verdicts.schema, explain(verdicts)).toBe(false)
    expect(verdicts.codec, explain(verdicts)).toBe(false)
    expect(verdicts.codecErrors.join('\n')).toContain(codecPathOf(breakage.at))
  })

  it('refuses a document that is not a plan at all, and so does the codec', () => {
    for (const document of [null, [], 'plan', 42, {}]) {
      const verdicts = judge(document)
      expect([verdicts.schema, verdicts.codec], `${JSON.stringify(document)}\n${explain(verdicts)}`).toEqual([
        false,
        false,
      ])
    }
  })

  it('accepts what the codec tolerates: fields it does not know, numbers outside any range', async () => {
    const base = (await goldenPlan('file-folder-clash')) as Plan & Record<string, unknown>
    const tolerated: ReadonlyArray<unknown> = [
      { ...base, comment: 'reviewed by Ada' },
      { ...base, actions: base.actions.map((a) => ({ ...a, note: 'extra' })) },
      { ...base, source: { ...base.source, files: -1 } },
    ]
    for (const document of tolerated) {
      const verdicts = judge(document)
      expect([verdicts.schema, verdicts.codec], explain(verdicts)).toEqual([true, true])
    }
  })

  it('describes every field, so it documents the format', () => {
    const defs = schema.$defs as Record<string, { description?: string }>
    const undescribed: string[] = []
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return
      const { properties } = node as { properties?: Record<string, { description?: string; $ref?: string }> }
      for (const [name, field] of Object.entries(properties ?? {})) {
        const referenced = field.$ref?.replace('#/$defs/', '')
        const described =
          field.description !== undefined || (referenced !== undefined && defs[referenced]?.description)
        // `kind` is a constant that names its object, which has the description.
        if (name !== 'kind' && !described) undescribed.push(`${at}.${name}`)
      }
      for (const [key, value] of Object.entries(node)) walk(value, key === 'properties' ? at : `${at}/${key}`)
    }
    walk(schema, '')
    expect(undescribed).toEqual([])
  })

  it('lists the same names as the codec for modes, strategies, comparisons, outcomes, sides and directions', () => {
    const defs = schema.$defs as Record<string, { properties?: Record<string, unknown>; enum?: unknown }>
    const policy = defs.Policy?.properties as Record<string, { enum?: unknown }>
    const conflict = defs.Conflict?.properties as Record<string, { enum?: unknown }>
    const copy = defs.CopyAction?.properties as Record<string, { enum?: unknown }>
    expect(policy.mode?.enum).toEqual(MODES)
    expect(policy.conflict?.enum).toEqual(CONFLICT_STRATEGIES)
    expect(policy.compare?.enum).toEqual(Object.keys(Compare.keys))
    expect(conflict.outcome?.enum).toEqual(Object.keys(ConflictOutcome.keys))
    expect(defs.Side?.enum).toEqual(Object.keys(Side.keys))
    expect(copy.direction?.enum).toEqual(Object.keys(Direction.keys))
  })
})

/** The rest of a policy, drawn so that plans hold hashes, forced copies, limits hit, paths left out. */
const policyArbitrary: fc.Arbitrary<Partial<Policy>> = fc.record({
  ignore: fc.subarray(['*.log', 'b/', '!a']),
  include: fc.oneof(fc.constant([]), fc.subarray(['a/', '*.txt'], { minLength: 1 })),
  compare: fc.constantFrom(...(Object.keys(Compare.keys) as ReadonlyArray<Compare>)),
  force: fc.record({ upload: fc.boolean(), download: fc.boolean() }),
  maxDelete: fc.oneof(
    fc.constant(defaultPolicy.maxDelete),
    fc.record({ limit: fc.nat({ max: 2 }), unit: fc.constant('files' as const) }),
  ),
})

/** The plan the real planner makes for a scenario: a two-way sync of the base, edits, then a plan. */
const plannedFor = async (scenario: Scenario, policy: Partial<Policy>, firstSync: boolean): Promise<Plan> => {
  const pair = memoryPair()
  const clock = counterClock()
  const run = session(pair, { ignore: policy.ignore ?? [] })
  await plantTree(pair.source, scenario.base, clock)
  if (firstSync) await plantTree(pair.destination, scenario.base, clock)
  else await run.sync({ mode: 'two-way', conflict: 'keep-both' })
  await applyEdits(pair.source, scenario.source, clock)
  await applyEdits(pair.destination, scenario.destination, clock)
  return run.plan({ ...policy, mode: scenario.mode, conflict: scenario.conflict })
}

describe('the plan schema and the codec agree', () => {
  it('on which strings are relative paths', () => {
    const pieces = [
      'a',
      'b.txt',
      '.',
      '..',
      '/',
      '\\',
      '\u0000',
      'C:',
      ':',
      '\n',
      ' ',
      '\u00e9',
      '\ud800',
      '...',
    ]
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), (parts) => {
        const path = parts.join('')
        const verdicts = judgePath(path)
        expect(verdicts.schema, `${JSON.stringify(path)}: the codec says ${verdicts.codec}`).toBe(
          verdicts.codec,
        )
      }),
      { numRuns: numRuns * 20 },
    )
  })

  it('both accept every plan the planner makes, and decoding it gives back the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary(),
        policyArbitrary,
        fc.boolean(),
        async (scenario, policy, firstSync) => {
          const text = planJson(await plannedFor(scenario, policy, firstSync))
          const document: unknown = JSON.parse(text)
          const verdicts = judge(document)
          expect(verdicts.schema, `${explain(verdicts)}\n${text}`).toBe(true)
          expect(verdicts.codec, `${explain(verdicts)}\n${text}`).toBe(true)
          const decoded = decodePlan(document)
          expect(E.isRight(decoded) ? planJson(decoded.right) : undefined).toBe(text)
        },
      ),
      { numRuns },
    )
  })
})
