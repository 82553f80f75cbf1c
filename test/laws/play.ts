import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { Plan } from '../../src/core/plan-file.ts'
import { type Mode, type Policy, shapeOf } from '../../src/core/policy.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import { render } from '../../src/core/render.ts'
import type { Side } from '../../src/core/side.ts'
import {
  applyEdits,
  type Clock,
  counterClock,
  plantTree,
  type Scenario,
} from '../../src/testing/arbitraries.ts'
import { type Session, session } from '../support/session.ts'
import { memoryPair, type TestPair, type TestSide } from '../support/sides.ts'

const isSet = (value: string | undefined): boolean =>
  value !== undefined && value !== '' && value !== '0' && value !== 'false'

/**
 * How many cases each law tries: 1000 on CI (`CI` set), 200 otherwise; `FC_RUNS=5000 npx vitest run
 * test/laws` for a longer hunt. Every law passes `{ numRuns }` to `fc.assert`, and the global setting below
 * covers any that forgets. On a failure fast-check prints the seed and the path of the shrunk case.
 */
export const numRuns = Number(process.env.FC_RUNS ?? (isSet(process.env.CI) ? 1000 : 200))

/** `FC_SEED=<seed> [FC_PATH=<path>] npx vitest run test/laws -t '<law>'` replays a failure fast-check printed. */
const replay = {
  ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }),
  ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }),
}

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns, ...replay })

export interface Played {
  readonly pair: TestPair
  readonly run: Session
  readonly clock: Clock
}

export interface Start {
  /** Ignore patterns for every sync of the pair, the first one included. */
  readonly ignore?: ReadonlyArray<string>
  /**
   * No sync before the edits, so no state: the base is written on both sides, the destination's files
   * later, so they differ from the source's only in their mtimes.
   */
  readonly firstSync?: boolean
}

/**
 * A scenario up to the sync under test: the base on the source, synced two-way to make a state (unless
 * `firstSync`), then each side's edits. The mode and strategy are left for the caller to use.
 */
export const edited = async (scenario: Scenario, start: Start = {}): Promise<Played> =>
  editSides(await based(scenario, start), scenario)

/** The scenario up to O, the last synced state: the base planted, and synced unless `firstSync`. */
export const based = async (scenario: Scenario, start: Start = {}): Promise<Played> => {
  const pair = memoryPair()
  const clock = counterClock()
  const run = session(pair, lawPolicy(start))
  await plantTree(pair.source, scenario.base, clock)
  if (start.firstSync === true) await plantTree(pair.destination, scenario.base, clock)
  else await run.sync({ mode: 'two-way', conflict: 'keep-both' })
  return { pair, run, clock }
}

/**
 * What every sync of a law runs with. The delete guard (a plan that deletes more than half a side is
 * refused until the reviewer allows it) is a gate in front of apply, tested on its own; a law states what
 * the sync does once it runs, so the laws allow mass deletes.
 */
export const lawPolicy = (start: Start = {}): Partial<Policy> => ({
  ignore: start.ignore ?? [],
  allowMassDelete: true,
})

/** Each side's edits of the scenario, on a pair made by `based`. */
export const editSides = async (played: Played, scenario: Scenario): Promise<Played> => {
  await applyEdits(played.pair.source, scenario.source, played.clock)
  await applyEdits(played.pair.destination, scenario.destination, played.clock)
  return played
}

/** The policy of the sync under test. */
export const policyOf = (scenario: Scenario, extra: Partial<Policy> = {}): Partial<Policy> => ({
  mode: scenario.mode,
  conflict: scenario.conflict,
  ...extra,
})

/** The side a one-way mode copies from (`truth`) and the side it writes (`target`). */
export const oneWaySides = (mode: Mode): { readonly truth: Side; readonly target: Side } => {
  const shape = shapeOf(mode)
  if (shape.kind !== 'one-way') throw new Error(`${mode} is not a one-way mode`)
  return { truth: shape.truth, target: shape.target }
}

/** Path (without a trailing `/`) → `(folder)` or the file's content in quotes. */
export type Listing = ReadonlyMap<string, string>

export const FOLDER = '(folder)'

export const listingOf = (tree: Record<string, string>): Listing =>
  new Map(
    Object.entries(tree).map(([path, content]) =>
      path.endsWith('/') ? [path.slice(0, -1), FOLDER] : [path, JSON.stringify(content)],
    ),
  )

export const listingOfSide = async (side: TestSide): Promise<Listing> => listingOf(await side.tree())

export const isWithinOrAt = (path: string, folder: string): boolean =>
  path === folder || path.startsWith(`${folder}/`)

export const isFolder = (listing: Listing, path: string): boolean => listing.get(path) === FOLDER

export const files = (listing: Listing): ReadonlyArray<readonly [string, string]> =>
  [...listing].filter(([, content]) => content !== FOLDER)

/** Two listings as text, for a failure message a person can read. */
export const show = (label: string, listing: Listing): string =>
  `${label}:\n${[...listing].map(([path, content]) => `  ${path} ${content}`).join('\n') || '  (empty)'}`

export const showPlan = (label: string, plan: Plan): string =>
  `${label}:\n${render(plan)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`

/**
 * What a side holds, mtimes included: path → `(folder)`, `-> target` for a symlink, or `"content" @mtime`
 * for a file. A copy keeps the mtime, so a file copied across reads the same on both sides. Names are
 * compared as they are spelled: the memory storage is case-sensitive and keeps `\u00e9` and `e\u0301`
 * apart, and so does the planner on it.
 */
export type View = ReadonlyMap<string, string>

export const viewOfSide = async (side: TestSide): Promise<View> => {
  const view = new Map<string, string>()
  for (const [path, value] of Object.entries(await side.tree())) {
    if (path.endsWith('/')) {
      view.set(path.slice(0, -1), FOLDER)
      continue
    }
    const found = await side.storage.stat(path as RelPath)()
    if (E.isLeft(found)) throw new Error(`stat ${path}: ${found.left.message}`)
    const entry = found.right
    view.set(path, entry?.kind === 'file' ? `${JSON.stringify(value)} @${entry.mtimeMs}` : value)
  }
  return view
}

/**
 * The view without mtimes: what a person would call the content. Two files with the same bytes are alike
 * whatever their mtimes (the planner hashes them when the size matches and the mtime does not), and a
 * touch that leaves the bytes as they were is no change to keep.
 */
export const bytesOnly = (view: View): View =>
  new Map([...view].map(([path, value]) => [path, value.replace(/ @-?\d+$/, '')]))

export interface Views {
  readonly source: View
  readonly destination: View
}

/** Both views without mtimes (see `bytesOnly`). */
export const bytesOf = (views: Views): Views => ({
  source: bytesOnly(views.source),
  destination: bytesOnly(views.destination),
})

/**
 * O, the last synced state, as views: what each side held right after the last sync, at the paths the
 * state recorded (what it left alone is not in it). Nothing at all before a first sync.
 */
export const lastSynced = async (played: Played): Promise<Views> => {
  const recorded = new Set<string>(played.run.state?.entries.keys() ?? [])
  const only = (view: View): View => new Map([...view].filter(([path]) => recorded.has(path)))
  const views = await viewsOf(played.pair)
  return { source: only(views.source), destination: only(views.destination) }
}

export const viewsOf = async (pair: TestPair): Promise<Views> => ({
  source: await viewOfSide(pair.source),
  destination: await viewOfSide(pair.destination),
})

/** Files and symlinks: what a side holds that is not a folder. */
export const leaves = (view: View): ReadonlyArray<readonly [string, string]> =>
  [...view].filter(([, value]) => value !== FOLDER)

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `dir/name.conflict-<side>[-<stamp>][-n].ext` beside `path`, as the planner names a version it keeps
 * beside the one that keeps the name.
 */
export const isConflictCopyOf = (candidate: string, path: string): boolean => {
  const slash = path.lastIndexOf('/')
  const folder = path.slice(0, slash + 1)
  const base = path.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  const [stem, extension] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  return new RegExp(
    `^${escapeRegExp(folder + stem)}\\.conflict-(source|destination)(-\\d{8}-\\d{6})?(-\\d+)?${escapeRegExp(extension)}$`,
  ).test(candidate)
}

/** The path itself and every conflict copy of it that `view` holds. */
export const pathOrCopies = (view: View, path: string): ReadonlyArray<string> => [
  path,
  ...[...view.keys()].filter((candidate) => isConflictCopyOf(candidate, path)),
]

const CONFLICT_LABEL = /\.conflict-(source|destination)(-\d{8}-\d{6})?(-\d+)?(?=(\.[^./]*)?$)/

/** Whether the name is one the planner gives a version it keeps beside another. */
export const isConflictCopy = (path: string): boolean =>
  CONFLICT_LABEL.test(path.slice(path.lastIndexOf('/') + 1))

/** The path a conflict copy was kept beside: `a/b.conflict-source-20231114-221320.txt` → `a/b.txt`. */
export const originalOf = (copy: string): string => {
  const slash = copy.lastIndexOf('/')
  return copy.slice(0, slash + 1) + copy.slice(slash + 1).replace(CONFLICT_LABEL, '')
}

export const showViews = (label: string, views: Views): string =>
  [show(`source ${label}`, views.source), show(`destination ${label}`, views.destination)].join('\n')

/** A scenario synced once in its mode: O, A and A' as bytes, the same with mtimes, the plan applied, and a printout. */
export interface Synced {
  readonly o: Views
  readonly before: Views
  readonly after: Views
  /** With mtimes: a touch is a change to the planner (a conservative update detector). */
  readonly timed: { readonly o: Views; readonly before: Views; readonly after: Views }
  readonly plan: Plan
  readonly context: string
}

export const syncScenario = async (scenario: Scenario, firstSync: boolean): Promise<Synced> => {
  const played = await based(scenario, { firstSync })
  const o = await lastSynced(played)
  await editSides(played, scenario)
  const before = await viewsOf(played.pair)
  const { plan } = await played.run.sync(policyOf(scenario))
  const after = await viewsOf(played.pair)
  const context = [
    `mode ${scenario.mode}, conflict ${scenario.conflict}, first sync ${firstSync}`,
    showViews('at O', o),
    showViews('before', before),
    showPlan('applied', plan),
    showViews('after', after),
  ].join('\n')
  // Contents as bytes: a rename the planner recognises by content moves the side's own copy, mtime and all.
  return {
    o: bytesOf(o),
    before: bytesOf(before),
    after: bytesOf(after),
    timed: { o, before, after },
    plan,
    context,
  }
}
