import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Action } from '../../src/core/action.ts'
import { canonicalJson } from '../../src/core/canonical-json.ts'
import type { Entry } from '../../src/core/entry.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { Conflict, Plan } from '../../src/core/plan-file.ts'
import { type ConflictStrategy, defaultPolicy, type Mode, type Policy } from '../../src/core/policy.ts'
import type { Side } from '../../src/core/side.ts'
import type { Snapshot } from '../../src/core/snapshot.ts'
import type { SyncState } from '../../src/core/sync-state.ts'
import { takeSnapshot } from '../../src/snapshot/snapshot.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { scenarioArbitrary } from '../../src/testing/arbitraries.ts'
import { edited, lawPolicy, numRuns, showPlan, showViews, viewsOf } from './play.ts'

/**
 * The plan is symmetric (Unison's P10): the planner has no favourite side. Swapping the sides (source ↔
 * destination, their snapshots and their halves of the state) and the policy's side names (mode
 * `source-to-destination` ↔ `destination-to-source`, `source-backup` ↔ `destination-backup`, strategy
 * `source` ↔ `destination`) gives the mirrored plan: the same actions on the same paths, with sides and
 * directions swapped, and the same conflicts with the winner swapped. Conflict copies carry the side's name
 * (`x.conflict-source-….txt`), so their names are swapped too; reasons are prose and are not compared.
 *
 * The one documented asymmetry: where keep-both or newest cannot tell which version is newer (mtimes
 * within the tolerance, or versions that have no mtime to compare, such as two symlinks), the source keeps
 * the name. The arbitraries' clock gives every write a distinct mtime, and the cases with such a tie among
 * their conflicts are left out (`fc.pre`).
 */

const swapSide = (side: Side): Side => (side === 'source' ? 'destination' : 'source')

const MODE_MIRROR: Readonly<Record<Mode, Mode>> = {
  'two-way': 'two-way',
  'source-to-destination': 'destination-to-source',
  'destination-to-source': 'source-to-destination',
  'source-backup': 'destination-backup',
  'destination-backup': 'source-backup',
}

const STRATEGY_MIRROR: Readonly<Record<ConflictStrategy, ConflictStrategy>> = {
  newest: 'newest',
  'keep-both': 'keep-both',
  manual: 'manual',
  source: 'destination',
  destination: 'source',
}

/** `x.conflict-source-….txt` ↔ `x.conflict-destination-….txt`. */
const swapPath = (path: string): string =>
  path.replace(/\.conflict-(source|destination)(?=[-.]|$)/g, (_, side: Side) => `.conflict-${swapSide(side)}`)

const entryText = (entry: Entry | null | undefined): string => (entry == null ? '-' : canonicalJson(entry))

/**
 * One line per action, without its reason; sides, directions and conflict-copy names swapped when `swap`.
 * Read field by field, so an action kind added later is compared too.
 */
const actionText = (action: Action, swap: boolean): string => {
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(action)) {
    if (key === 'reason') continue
    if (!swap || typeof value !== 'string') fields[key] = value
    else if (key === 'side') fields[key] = swapSide(value as Side)
    else if (key === 'direction') fields[key] = value === 'upload' ? 'download' : 'upload'
    else if (key === 'path' || key === 'from' || key === 'to') fields[key] = swapPath(value)
    else fields[key] = value
  }
  return canonicalJson(fields)
}

const OUTCOME_MIRROR: Readonly<Record<Conflict['outcome'], Conflict['outcome']>> = {
  'left-alone': 'left-alone',
  'kept-both': 'kept-both',
  'source-wins': 'destination-wins',
  'destination-wins': 'source-wins',
}

const conflictText = (c: Conflict, swap: boolean): string =>
  swap
    ? `conflict ${swapPath(c.path)} ${OUTCOME_MIRROR[c.outcome]} ${entryText(c.destination)} | ${entryText(c.source)}`
    : `conflict ${c.path} ${c.outcome} ${entryText(c.source)} | ${entryText(c.destination)}`

/** The plan as sorted lines, seen from the other side when `swap`. */
const normalized = (p: Plan, swap: boolean) => ({
  actions: p.actions.map((a) => actionText(a, swap)).sort(),
  conflicts: p.conflicts.map((c) => conflictText(c, swap)).sort(),
  records: p.records
    .map((r) =>
      swap
        ? `record ${r.path} ${entryText(r.destination)} | ${entryText(r.source)}`
        : `record ${r.path} ${entryText(r.source)} | ${entryText(r.destination)}`,
    )
    .sort(),
  forget: [...p.forget].sort(),
  blocked:
    p.blocked === null
      ? null
      : `${swap ? swapSide(p.blocked.side) : p.blocked.side} ${p.blocked.deletes}/${p.blocked.files}`,
})

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

const swapState = (state: SyncState): SyncState => ({
  ...state,
  source: state.destination,
  destination: state.source,
  entries: new Map([...state.entries].map(([path, [s, d]]) => [path, [d, s] as const])),
})

/** keep-both and newest cannot order these two versions by mtime: the source keeps the name. */
const isTie = (c: Conflict, tolerance: number): boolean => {
  const { source: s, destination: d } = c
  if (s === null || d === null || (s.kind === 'dir') !== (d.kind === 'dir')) return false
  return s.kind !== 'file' || d.kind !== 'file' || Math.abs(s.mtimeMs - d.mtimeMs) <= tolerance
}

describe('plan is symmetric', () => {
  it('swapping the sides and the side names in the policy gives the mirrored plan: the same actions and conflicts with sides, directions, winners and conflict-copy names swapped (ties under keep-both and newest, which go to the source, left out)', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary(),
        fc.boolean(),
        fc.boolean(),
        async (scenario, firstSync, ignoreLogs) => {
          const ignore = ignoreLogs ? ['*.log'] : []
          const { pair, run } = await edited(scenario, { firstSync, ignore })
          const source = await snapshotOf(pair.source.storage, ignore)
          const destination = await snapshotOf(pair.destination.storage, ignore)
          const policy: Policy = {
            ...defaultPolicy,
            ...lawPolicy({ ignore }),
            allowMassDelete: false,
            mode: scenario.mode,
            conflict: scenario.conflict,
          }
          const mirroredPolicy: Policy = {
            ...policy,
            mode: MODE_MIRROR[scenario.mode],
            conflict: STRATEGY_MIRROR[scenario.conflict],
          }
          const forward = planned(source, destination, run.state, policy)
          const backward = planned(
            destination,
            source,
            run.state === null ? null : swapState(run.state),
            mirroredPolicy,
          )
          const timed = scenario.conflict === 'keep-both' || scenario.conflict === 'newest'
          fc.pre(!(timed && forward.conflicts.some((c) => isTie(c, policy.mtimeToleranceMs))))
          const context = [
            `mode ${scenario.mode} ↔ ${mirroredPolicy.mode}, conflict ${scenario.conflict} ↔ ${mirroredPolicy.conflict}, first sync ${firstSync}`,
            showViews('now', await viewsOf(pair)),
            showPlan('planned', forward),
            showPlan('planned with the sides swapped', backward),
          ].join('\n')
          expect(normalized(backward, true), context).toEqual(normalized(forward, false))
        },
      ),
      { numRuns },
    )
  })
})
