import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodePlan } from '../../src/core/decode-plan.ts'
import { plan } from '../../src/core/plan/plan.ts'
import { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import { snapshot } from '../support/snapshots.ts'

const sample = (): Plan => {
  const made = plan(
    snapshot('/src', { 'a.txt': [1, 1_700_000_000_000], 'dir/': null }),
    snapshot('/dst', { 'b.txt': [2, 1_700_000_000_000] }),
    null,
    defaultPolicy,
  )
  if (E.isLeft(made)) throw new Error('plan failed')
  return made.right
}

const problemsOf = (json: unknown): ReadonlyArray<string> => {
  const decoded = decodePlan(json)
  return E.isLeft(decoded) ? decoded.left.problems : []
}

describe('the plan file', () => {
  it('round-trips through JSON and its codec', () => {
    const original = sample()
    const decoded = decodePlan(JSON.parse(JSON.stringify(Plan.encode(original))))
    expect(decoded).toEqual(E.right(original))
  })

  it.each([
    [
      'an escaping path',
      (p: Record<string, unknown>) =>
        (((p.actions as Array<Record<string, unknown>>)[0] as Record<string, unknown>).path = '../escape'),
      'actions[0].path',
    ],
    [
      'an absolute path',
      (p: Record<string, unknown>) =>
        (((p.actions as Array<Record<string, unknown>>)[0] as Record<string, unknown>).path = '/etc/passwd'),
      'actions[0].path',
    ],
    [
      'an unknown action kind',
      (p: Record<string, unknown>) =>
        (((p.actions as Array<Record<string, unknown>>)[0] as Record<string, unknown>).kind = 'copyy'),
      'actions[0].kind',
    ],
    ['a future version', (p: Record<string, unknown>) => (p.version = 99), 'version'],
    [
      'a bad mode',
      (p: Record<string, unknown>) => ((p.policy as Record<string, unknown>).mode = 'sideways'),
      'policy.mode',
    ],
    ['a missing summary', (p: Record<string, unknown>) => delete p.summary, 'summary'],
  ])('is refused with %s, naming the field', (_, breakIt, field) => {
    const json = JSON.parse(JSON.stringify(Plan.encode(sample()))) as Record<string, unknown>
    breakIt(json)
    const problems = problemsOf(json)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: expected`))
  })

  it('an entry of an unknown kind is named by its place', () => {
    const json = JSON.parse(JSON.stringify(Plan.encode(sample()))) as {
      actions: Array<{ entry?: { kind: string } }>
    }
    const copy = json.actions.find((a) => a.entry !== undefined)
    if (copy?.entry === undefined) throw new Error('sample has no copy')
    copy.entry.kind = 'socket'
    expect(problemsOf(json)[0]).toMatch(
      /^actions\[\d+\]\.entry\.kind: expected file \| dir \| symlink, found "socket"/,
    )
  })
})
