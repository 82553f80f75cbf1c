import type { Plan } from '../../src/core/plan-file.ts'
import { type Mode, type Policy, shapeOf } from '../../src/core/policy.ts'
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

/** How many cases each law tries: `FC_RUNS=1000 npx vitest run test/laws` for a longer hunt. */
export const numRuns = Number(process.env.FC_RUNS ?? 200)

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
export const edited = async (scenario: Scenario, start: Start = {}): Promise<Played> => {
  const pair = memoryPair()
  const clock = counterClock()
  const run = session(pair, { ignore: start.ignore ?? [] })
  await plantTree(pair.source, scenario.base, clock)
  if (start.firstSync === true) await plantTree(pair.destination, scenario.base, clock)
  else await run.sync({ mode: 'two-way', conflict: 'keep-both' })
  await applyEdits(pair.source, scenario.source, clock)
  await applyEdits(pair.destination, scenario.destination, clock)
  return { pair, run, clock }
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
