import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type ApplyReport, applyPlan } from '../../src/apply/apply.ts'
import type { Entry } from '../../src/core/entry.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import type { Side } from '../../src/core/side.ts'
import { newState, type SyncedPair } from '../../src/core/sync-state.ts'
import { type Scenario, scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, FOLDER, numRuns, type Played, policyOf, showPlan, showViews, viewsOf } from './play.ts'

/**
 * An interrupted apply is safe (Unison's C7, P12): stopped after any number of actions, every path on
 * each side holds either what it held before the apply or what it holds after a full apply of the same
 * plan (where a folder becomes a file or the other way round, the path may also be empty: no storage
 * swaps the two in one step); the state the stopped apply returns never claims more than the storages hold; and planning again
 * and applying that plan finishes the job, so a third plan is empty.
 *
 * The full apply runs on a second pair built from the same scenario: the clock and the memory storage are
 * deterministic, so both pairs hold the same trees with the same mtimes and get the same plan.
 */

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

/** The storage holds what the state entry says: same kind, and for a file the same size, mtime and exec bit. */
const holds = (recorded: Entry, now: Entry | null): boolean => {
  if (now === null || now.kind !== recorded.kind) return false
  if (recorded.kind === 'file' && now.kind === 'file')
    return recorded.size === now.size && recorded.mtimeMs === now.mtimeMs && recorded.exec === now.exec
  if (recorded.kind === 'symlink' && now.kind === 'symlink') return recorded.target === now.target
  return true
}

const stat = async (played: Played, side: Side, path: string): Promise<Entry | null> => {
  const found = await played.pair[side].storage.stat(path as RelPath)()
  if (E.isLeft(found)) throw new Error(`stat ${path}: ${found.left.message}`)
  return found.right === null || found.right.kind === 'special' ? null : (found.right as Entry)
}

const sameRecord = (a: SyncedPair | undefined, b: SyncedPair | undefined): boolean =>
  JSON.stringify(a) === JSON.stringify(b)

/** The scenario's plan, applied but stopped once `stopAfter` actions have finished. */
const applyStopped = async (played: Played, scenario: Scenario, stopAfter: number) => {
  const plan = await played.run.plan(policyOf(scenario))
  const k = stopAfter % (plan.actions.length + 1)
  const stop = new AbortController()
  if (k === 0) stop.abort()
  let done = 0
  const { pair } = played
  const applied = await applyPlan(
    plan,
    { source: pair.source.storage, destination: pair.destination.storage },
    {
      current: played.run.state,
      fresh: () => newState('lineage-interrupted', pair.source.storage.root, pair.destination.storage.root),
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'action' && ++done >= k) stop.abort()
      },
    },
  )()
  if (E.isLeft(applied)) throw new Error(`apply failed: ${JSON.stringify(applied.left)}`)
  return { plan, k, report: applied.right as ApplyReport }
}

/** The scenario's sync stopped after some actions; with `twin`, also synced in full on a twin pair. */
const interrupted = async (scenario: Scenario, firstSync: boolean, stopAfter: number, twin = false) => {
  const full = twin ? await edited(scenario, { firstSync }) : undefined
  await full?.run.sync(policyOf(scenario))
  const final = full === undefined ? { source: new Map(), destination: new Map() } : await viewsOf(full.pair)

  const cut = await edited(scenario, { firstSync })
  const before = await viewsOf(cut.pair)
  const stateBefore = cut.run.state
  const { plan, k, report } = await applyStopped(cut, scenario, stopAfter)
  const now = await viewsOf(cut.pair)
  const context = (more: ReadonlyArray<string> = []) =>
    [
      `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}, stopped after ${k} of ${plan.actions.length} actions`,
      showViews('before', before),
      showPlan('plan', plan),
      showViews('when stopped', now),
      ...(twin ? [showViews('after a full apply', final)] : []),
      ...more,
    ].join('\n')
  expect(report.finished.length, context()).toBe(k)
  return { cut, before, final, now, stateBefore, report, context }
}

const cases = fc.tuple(scenarioArbitrary(), fc.boolean(), fc.nat({ max: 63 }))

describe('interrupted apply', () => {
  it('stopped after any k actions, each path on each side holds what it held before the apply or what a full apply leaves there (or nothing, between a folder and a file)', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([scenario, firstSync, stopAfter]) => {
        const { before, final, now, context } = await interrupted(scenario, firstSync, stopAfter, true)
        for (const side of SIDES) {
          const paths = new Set([...before[side].keys(), ...final[side].keys(), ...now[side].keys()])
          for (const path of paths) {
            const [was, will] = [before[side].get(path), final[side].get(path)]
            // No storage swaps a folder and a file in one step: the old one goes, then the new one comes.
            const kindChange =
              was !== undefined && will !== undefined && (was === FOLDER) !== (will === FOLDER)
            const allowed = kindChange ? [was, will, undefined] : [was, will]
            expect(
              allowed,
              `${side} ${path} holds ${now[side].get(path) ?? '(nothing)'}\n${context()}`,
            ).toContain(now[side].get(path))
          }
        }
      }),
      { numRuns },
    )
  })

  it('stopped after any k actions, every entry the returned state records anew is what the storages hold on both sides', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([scenario, firstSync, stopAfter]) => {
        const { cut, stateBefore, report, context } = await interrupted(scenario, firstSync, stopAfter)
        for (const [path, pair] of report.state.entries) {
          if (sameRecord(stateBefore?.entries.get(path), pair)) continue
          for (const [i, side] of SIDES.entries()) {
            const recorded = pair[i] as Entry
            const there = await stat(cut, side, path)
            expect(
              holds(recorded, there),
              `state records ${path} on ${side} as ${JSON.stringify(recorded)}, storage holds ${JSON.stringify(there)}\n${context()}`,
            ).toBe(true)
          }
        }
      }),
      { numRuns },
    )
  })

  it('stopped after any k actions, planning again and applying that plan converges: a third plan has no action, and no conflict but those left for a person', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([scenario, firstSync, stopAfter]) => {
        const { cut, report, context } = await interrupted(scenario, firstSync, stopAfter)
        cut.run.state = report.state
        const resumed = await cut.run.sync(policyOf(scenario))
        const third = await cut.run.plan(policyOf(scenario))
        const more = [
          showPlan('planned again and applied', resumed.plan),
          showViews('then', await viewsOf(cut.pair)),
          showPlan('third plan', third),
        ]
        expect(third.actions, context(more)).toEqual([])
        expect(
          third.conflicts.filter((c) => c.outcome !== 'left-alone'),
          context(more),
        ).toEqual([])
      }),
      { numRuns },
    )
  })
})
