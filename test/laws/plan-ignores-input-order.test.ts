import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/core/canonical-json.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy, type Policy } from '../../src/core/policy.ts'
import { Snapshot } from '../../src/core/snapshot.ts'
import { SyncState } from '../../src/core/sync-state.ts'
import { planJson } from '../../src/pair/plan-file-io.ts'
import { takeSnapshot } from '../../src/snapshot/snapshot.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, numRuns } from './play.ts'

/**
 * `plan` is a pure function of its four inputs: the order in which a backend happened to list a folder,
 * or a state file happened to hold its paths, must not change a byte of the plan.
 */

const snapshotOf = async (storage: Storage, ignore: ReadonlyArray<string>): Promise<Snapshot> => {
  const taken = await takeSnapshot(storage, { ignore })()
  if (E.isLeft(taken)) throw new Error(`snapshot failed: ${JSON.stringify(taken.left)}`)
  return taken.right
}

const planned = (source: Snapshot, destination: Snapshot, state: SyncState | null, policy: Policy): Plan => {
  const result = plan(source, destination, state, policy)
  if (E.isLeft(result)) throw new Error(`plan failed: ${JSON.stringify(result.left)}`)
  return result.right
}

/** A random permutation of all the items, drawn inside the property so it shrinks with the rest. */
type Shuffle = <T>(items: ReadonlyArray<T>) => T[]
const shuffleWith =
  (g: fc.GeneratorValue): Shuffle =>
  (items) =>
    g(fc.shuffledSubarray, [...items], { minLength: items.length, maxLength: items.length })

const inputsArbitrary = fc.record({
  scenario: scenarioArbitrary(),
  ignoreLogs: fc.boolean(),
  firstSync: fc.boolean(),
})

type Inputs = typeof inputsArbitrary extends fc.Arbitrary<infer T> ? T : never

/** The pair after the scenario's edits, snapshotted as the planner would see it. */
const inputsOf = async ({ scenario, ignoreLogs, firstSync }: Inputs) => {
  const ignore = ignoreLogs ? ['*.log'] : []
  const { pair, run } = await edited(scenario, { ignore, firstSync })
  const policy: Policy = { ...defaultPolicy, mode: scenario.mode, conflict: scenario.conflict, ignore }
  return {
    source: await snapshotOf(pair.source.storage, ignore),
    destination: await snapshotOf(pair.destination.storage, ignore),
    state: run.state,
    policy,
  }
}

describe('plan ignores input order', () => {
  it('the same entries listed in any order, in the snapshots and in the state, give a byte-identical plan', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArbitrary, fc.gen(), async (inputs, g) => {
        const { source, destination, state, policy } = await inputsOf(inputs)
        const shuffle = shuffleWith(g)
        const reorder = (snapshot: Snapshot): Snapshot => ({
          ...snapshot,
          entries: new Map(shuffle([...snapshot.entries])),
          excluded: shuffle(snapshot.excluded),
        })
        const reordered = {
          source: reorder(source),
          destination: reorder(destination),
          state: state === null ? null : { ...state, entries: new Map(shuffle([...state.entries])) },
        }

        const expected = planJson(planned(source, destination, state, policy))
        const actual = planJson(planned(reordered.source, reordered.destination, reordered.state, policy))
        expect(actual).toBe(expected)
      }),
      { numRuns },
    )
  })

  it('planning twice from the same inputs gives the same plan, byte for byte, and leaves the inputs as they were', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArbitrary, async (inputs) => {
        const { source, destination, state, policy } = await inputsOf(inputs)
        const encoded = () =>
          canonicalJson({
            source: Snapshot.encode(source),
            destination: Snapshot.encode(destination),
            state: state === null ? null : SyncState.encode(state),
            policy,
          })
        const before = encoded()

        const first = planJson(planned(source, destination, state, policy))
        const second = planJson(planned(source, destination, state, policy))
        expect(second).toBe(first)
        expect(encoded()).toBe(before)
      }),
      { numRuns },
    )
  })
})
