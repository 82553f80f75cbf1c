import * as E from 'fp-ts/lib/Either.js'
import type { Comparison } from '../compare.ts'
import { type Entry, isDir } from '../entry.ts'
import { isIgnoreFile, scopeOf } from '../ignore-rules.ts'
import { PLAN_FORMAT, PLAN_VERSION, type Plan } from '../plan-file.ts'
import { type Policy, shapeOf } from '../policy.ts'
import { comparePaths, parentOf, type RelPath } from '../rel-path.ts'
import type { Side } from '../side.ts'
import type { Snapshot } from '../snapshot.ts'
import type { SyncState } from '../sync-state.ts'
import { isConflictNameOf } from './conflict-name.ts'
import { decideOneWay } from './decide-one-way.ts'
import { decideTwoWay } from './decide-two-way.ts'
import { alike, type Decided, type Decision } from './decision.ts'
import { guardDeletes } from './delete-guard.ts'
import { emit } from './emit.ts'
import { forcedTake } from './force.ts'
import { alignNames } from './names.ts'
import { orderActions } from './order.ts'
import { recogniseRenames } from './renames.ts'
import type { Row } from './row.ts'
import { shapeTrees } from './shape.ts'
import { summarize } from './summary.ts'

export type PlanError = {
  readonly _tag: 'RootMissing'
  readonly side: Side
  readonly root: string
  /** How many paths the last sync recorded there. */
  readonly synced: number
  /**
   * Why a missing root stops the plan: it vanished after a sync (`synced` > 0), or it is the side a
   * mirror or backup copies from, and reading it as empty would delete or restore the other side.
   */
  readonly role: 'synced' | 'truth'
}

/**
 * The whole planner: `(source, destination, state, policy) → plan`, a pure function. The same inputs
 * give the same plan, byte for byte, whatever order the snapshots were listed in.
 */
export const plan = (
  sourceAsListed: Snapshot,
  destinationAsListed: Snapshot,
  state: SyncState | null,
  policy: Policy,
): E.Either<PlanError, Plan> => {
  const shape = shapeOf(policy.mode)
  const aligned = alignNames(sourceAsListed, destinationAsListed, state, shape)
  const { source, destination } = aligned
  const synced = state?.entries.size ?? 0
  // A root that vanished after a sync is an unmounted disk or a typo far more often than a wish to
  // delete everything: stop before planning anything.
  // The side a mirror or backup copies from must be there even on a first sync: a mistyped source read
  // as empty would mirror emptiness onto the destination. Only a side the plan writes into may be made.
  for (const [side, snapshot] of [
    ['source', source],
    ['destination', destination],
  ] as const) {
    if (snapshot.exists) continue
    if (synced > 0) return E.left({ _tag: 'RootMissing', side, root: snapshot.root, synced, role: 'synced' })
    if (shape.kind === 'one-way' && shape.truth === side)
      return E.left({ _tag: 'RootMissing', side, root: snapshot.root, synced, role: 'truth' })
  }

  const how: Comparison = {
    mtimeToleranceMs: Math.max(
      policy.mtimeToleranceMs,
      source.capabilities.mtimePrecisionMs,
      destination.capabilities.mtimePrecisionMs,
    ),
    execBit: source.capabilities.execBit && destination.capabilities.execBit,
  }
  const { rows, mustExist, occupied } = gather(source, destination, state, policy)
  const decide = (row: Row): Decision => {
    if (!row.inScope) return alike
    const forced = forcedTake(row, how, policy.force, shape)
    if (forced !== undefined) return forced
    return shape.kind === 'two-way' ? decideTwoWay(row, how, policy.conflict) : decideOneWay(row, how, shape)
  }
  const decided = rows.map((row): Decided => ({ row, decision: decide(row) }))
  const emitted = emit(
    shapeTrees(decided, mustExist, shape, policy.conflict),
    {
      taken: (p) => occupied.has(p),
      keptBeside: (path, side, target) => keptBeside(target === 'source' ? source : destination, path, side),
    },
    how,
  )
  const { records, forget } = emitted
  const conflicts = [...aligned.collisions, ...emitted.conflicts]
  // The spellings are aligned first: every other action names paths as they are spelled afterwards.
  const actions = [
    ...aligned.moves,
    ...orderActions(recogniseRenames(emitted, { state, source, destination, how })),
  ]
  const warnings = [
    ...source.warnings.map((w) => ({ path: w.path, message: `source: ${w.message}` })),
    ...destination.warnings.map((w) => ({ path: w.path, message: `destination: ${w.message}` })),
  ]
  const roots = {
    source: {
      files: countFiles(rows, 'source'),
      listed: sourceAsListed.entries.size + sourceAsListed.excluded.length,
      recorded: countRecorded(rows, 0),
    },
    destination: {
      files: countFiles(rows, 'destination'),
      listed: destinationAsListed.entries.size + destinationAsListed.excluded.length,
      recorded: countRecorded(rows, 1),
    },
  }
  return E.right({
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    source: { root: source.root, existed: source.exists, ...roots.source, fingerprint: source.fingerprint },
    destination: {
      root: destination.root,
      existed: destination.exists,
      ...roots.destination,
      fingerprint: destination.fingerprint,
    },
    state: state === null ? null : { lineage: state.lineage, serial: state.serial },
    policy,
    actions,
    conflicts,
    records,
    forget,
    warnings,
    summary: summarize(actions, conflicts, records),
    blocked: guardDeletes(
      actions,
      {
        source: { ...roots.source, root: source.root },
        destination: { ...roots.destination, root: destination.root },
      },
      policy,
    ),
  })
}

const keptBeside = (snapshot: Snapshot, path: RelPath, side: Side): ReadonlyArray<Entry> =>
  [...snapshot.entries].filter(([p]) => isConflictNameOf(p, path, side)).map(([, entry]) => entry)

const countFiles = (rows: ReadonlyArray<Row>, side: Side): number =>
  rows.filter((row) => row.inScope && row[side] !== null && row[side]?.kind !== 'dir').length

const countRecorded = (rows: ReadonlyArray<Row>, at: 0 | 1): number =>
  rows.filter((row) => row.inScope && row.synced !== undefined && row.synced[at].kind !== 'dir').length

interface Gathered {
  readonly rows: ReadonlyArray<Row>
  /** Folders that must exist afterwards on each side because they hold what is never touched. */
  readonly mustExist: { readonly source: Set<RelPath>; readonly destination: Set<RelPath> }
  /** Every name in use on either side, synced or not: conflict copies go elsewhere. */
  readonly occupied: ReadonlySet<RelPath>
}

/** Joins both snapshots and the state into one row per path, and sets aside what the run must not touch. */
const gather = (
  source: Snapshot,
  destination: Snapshot,
  state: SyncState | null,
  policy: Policy,
): Gathered => {
  const scope = scopeOf(
    { files: source.ignoreFiles, patterns: policy.ignore },
    { files: destination.ignoreFiles, patterns: policy.ignore },
    policy.include,
  )
  const mustExist = { source: new Set<RelPath>(), destination: new Set<RelPath>() }
  const occupied = new Set<RelPath>()
  const pin = (side: Side, path: RelPath): void => {
    occupied.add(path)
    const parent = parentOf(path)
    if (parent !== '') mustExist[side].add(parent)
  }
  for (const path of source.excluded) pin('source', path)
  for (const path of destination.excluded) pin('destination', path)
  // What one side sets aside (a fifo, the pair's own files, a file being written) is left alone on both:
  // taken from the other side alone, it would look created there, or deleted here.
  const setAside = new Set<RelPath>([...source.excluded, ...destination.excluded])

  // The state's paths first: they are in path order, so the sort below finds one long sorted run and
  // has only the paths new since the last sync to place.
  const paths = new Set<RelPath>(state?.entries.keys())
  for (const path of source.entries.keys()) paths.add(path)
  for (const path of destination.entries.keys()) paths.add(path)
  const excludedAs = (path: RelPath, e: Entry | null | undefined): boolean =>
    e != null && scope.excluded(path, e.kind === 'dir')
  const rows: Row[] = []
  for (const path of paths) {
    const s = source.entries.get(path) ?? null
    const d = destination.entries.get(path) ?? null
    const o = state?.entries.get(path)
    if (s !== null || d !== null) occupied.add(path)
    const folder = isDir(s) || isDir(d) || isDir(o?.[0]) || isDir(o?.[1])
    const excluded =
      isIgnoreFile(path) ||
      setAside.has(path) ||
      excludedAs(path, s) ||
      excludedAs(path, d) ||
      excludedAs(path, o?.[0]) ||
      excludedAs(path, o?.[1])
    const inScope = !excluded && scope.included(path, folder)
    if (excluded || (!inScope && !folder)) {
      if (s !== null) pin('source', path)
      if (d !== null) pin('destination', path)
      continue
    }
    rows.push({ path, source: s, destination: d, synced: o, inScope })
  }
  rows.sort((a, b) => comparePaths(a.path, b.path))
  return { rows, mustExist, occupied }
}
