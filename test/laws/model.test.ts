import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { applyPlan } from '../../src/apply/apply.ts'
import type { ConflictStrategy, Mode } from '../../src/core/policy.ts'
import type { Side } from '../../src/core/side.ts'
import { newState } from '../../src/core/sync-state.ts'
import {
  applyEdit,
  type Clock,
  counterClock,
  type Edit,
  type EditableSide,
  editArbitrary,
  plantTree,
  type Tree,
  treeArbitrary,
} from '../../src/testing/arbitraries.ts'
import { type Session, session } from '../support/session.ts'
import { memoryPair, type TestPair } from '../support/sides.ts'
import {
  bytesOf,
  bytesOnly,
  FOLDER,
  isWithinOrAt,
  lawPolicy,
  leaves,
  numRuns,
  oneWaySides,
  pathOrCopies,
  show,
  showPlan,
  type View,
  viewOfSide,
} from './play.ts'

/**
 * A model-based test (`fc.commands`): a person edits either side, syncs in any mode with any strategy but
 * manual, and sometimes the machine dies in the middle of an apply (the apply stops after k actions; the
 * next sync plans again and so resumes). A model, a plain map of paths per side that the same edits are
 * made to, says what each sync must leave:
 *
 * - two-way: both sides hold the same thing afterwards, conflict copies included;
 * - mirrors: the target holds exactly what the truth side held, and the truth side is untouched;
 * - backups: the truth side is untouched, the target holds every file of the truth side with its content
 *   (beside the target's folder where one stands in the way), and nothing the target held is gone;
 * - and in every mode, planning again right after a sync finds nothing to do.
 *
 * After a sync or a crash the model takes what the sides hold: it cannot foresee conflict names, nor how far
 * a crashed apply got. Between syncs it is the model, not the engine, that says what the sides hold.
 */

type Node =
  | { readonly kind: 'dir' }
  | { readonly kind: 'file'; readonly content: string; readonly mtimeMs: number }
  | { readonly kind: 'symlink'; readonly target: string }

/** One side of the model: a map of paths, with the few operations the edits use. */
class ModelSide implements EditableSide {
  private nodes = new Map<string, Node>()

  private place(path: string, node: Node): void {
    const names = path.split('/')
    for (let i = 1; i < names.length; i++) {
      const folder = names.slice(0, i).join('/')
      const there = this.nodes.get(folder)
      if (there === undefined) this.nodes.set(folder, { kind: 'dir' })
      else if (there.kind !== 'dir') throw new Error(`model: ${folder} is not a folder`)
    }
    if (node.kind !== 'dir' || this.nodes.get(path)?.kind !== 'dir') this.drop(path)
    this.nodes.set(path, node)
  }

  private drop(path: string): void {
    for (const key of [...this.nodes.keys()]) if (isWithinOrAt(key, path)) this.nodes.delete(key)
  }

  readonly put = async (path: string, content: string, opts: { mtimeMs: number }) =>
    this.place(path, { kind: 'file', content, mtimeMs: opts.mtimeMs })
  readonly mkdir = async (path: string) => this.place(path, { kind: 'dir' })
  readonly symlink = async (path: string, target: string) => this.place(path, { kind: 'symlink', target })
  readonly remove = async (path: string) => this.drop(path)
  readonly rename = async (from: string, to: string) => {
    const moved = [...this.nodes].filter(([key]) => isWithinOrAt(key, from))
    this.drop(from)
    for (const [key, node] of moved) this.nodes.set(to + key.slice(from.length), node)
  }
  readonly tree = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      [...this.nodes].map(([path, node]) =>
        node.kind === 'dir'
          ? [`${path}/`, '']
          : node.kind === 'file'
            ? [path, node.content]
            : [path, `-> ${node.target}`],
      ),
    )

  /** The side as `viewOfSide` shows a real one. */
  view(): View {
    return new Map(
      [...this.nodes].map(([path, node]) => [
        path,
        node.kind === 'dir'
          ? FOLDER
          : node.kind === 'file'
            ? `${JSON.stringify(node.content)} @${node.mtimeMs}`
            : `-> ${node.target}`,
      ]),
    )
  }

  /** Takes what a real side holds. */
  load(view: View): void {
    this.nodes = new Map(
      [...view].map(([path, value]): [string, Node] => {
        if (value === FOLDER) return [path, { kind: 'dir' }]
        if (value.startsWith('-> ')) return [path, { kind: 'symlink', target: value.slice(3) }]
        const at = value.lastIndexOf(' @')
        return [
          path,
          { kind: 'file', content: JSON.parse(value.slice(0, at)), mtimeMs: Number(value.slice(at + 2)) },
        ]
      }),
    )
  }
}

interface Model {
  readonly source: ModelSide
  readonly destination: ModelSide
  /** Runs in step with the real clock: the same edits ask it the same number of times. */
  readonly clock: Clock
  readonly log: string[]
}

interface Real {
  readonly pair: TestPair
  readonly run: Session
  readonly clock: Clock
}

const SIDES: ReadonlyArray<Side> = ['source', 'destination']

const followReal = async (model: Model, real: Real): Promise<void> => {
  for (const side of SIDES) model[side].load(await viewOfSide(real.pair[side]))
}

const context = async (model: Model, real: Real, more: ReadonlyArray<string> = []): Promise<string> =>
  [
    `commands: ${model.log.join('; ')}`,
    ...more,
    show('source now', await viewOfSide(real.pair.source)),
    show('destination now', await viewOfSide(real.pair.destination)),
  ].join('\n')

class EditCommand implements fc.AsyncCommand<Model, Real> {
  readonly side: Side
  readonly edit: Edit
  constructor(side: Side, edit: Edit) {
    this.side = side
    this.edit = edit
  }
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    model.log.push(this.toString())
    await applyEdit(real.pair[this.side], this.edit, real.clock)
    await applyEdit(model[this.side], this.edit, model.clock)
    expect(await viewOfSide(real.pair[this.side]), await context(model, real)).toEqual(
      model[this.side].view(),
    )
  }
  toString = () => `edit ${this.side} ${JSON.stringify(this.edit)}`
}

class SyncCommand implements fc.AsyncCommand<Model, Real> {
  readonly mode: Mode
  readonly conflict: ConflictStrategy
  constructor(mode: Mode, conflict: ConflictStrategy) {
    this.mode = mode
    this.conflict = conflict
  }
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    model.log.push(this.toString())
    const policy = { mode: this.mode, conflict: this.conflict }
    const { plan, report } = await real.run.sync(policy)
    const timed = {
      source: await viewOfSide(real.pair.source),
      destination: await viewOfSide(real.pair.destination),
    }
    // Contents as bytes: files alike in bytes are alike whatever their mtimes, and are left as they are.
    const after = bytesOf(timed)
    const again = await real.run.plan(policy)
    const why = await context(model, real, [
      show('model source before', model.source.view()),
      show('model destination before', model.destination.view()),
      showPlan('applied', plan),
      showPlan('planned again', again),
    ])

    expect(report.counts, why).toMatchObject({ drifted: 0, failed: 0 })
    expect(again.actions, why).toEqual([])
    if (this.mode === 'two-way') expect(after.source, why).toEqual(after.destination)
    else {
      const { truth, target } = oneWaySides(this.mode)
      expect(timed[truth], `the ${truth} was written\n${why}`).toEqual(model[truth].view())
      const expected = bytesOnly(model[truth].view())
      if (this.mode === 'source-to-destination' || this.mode === 'destination-to-source')
        expect(after[target], why).toEqual(expected)
      else {
        for (const [path, value] of leaves(expected)) {
          const kept = pathOrCopies(after[target], path).some((p) => after[target].get(p) === value)
          expect(kept, `${truth} ${path} ${value} not on the ${target}\n${why}`).toBe(true)
        }
        for (const [path, value] of bytesOnly(model[target].view())) {
          const now = after[target].get(path)
          expect(now, `${target} ${path} gone\n${why}`).toBeDefined()
          if (value === FOLDER || now === value || now === expected.get(path)) continue
          const beside = pathOrCopies(after[target], path).some((p) => after[target].get(p) === value)
          expect(beside, `${target} ${path} ${value} lost\n${why}`).toBe(true)
        }
      }
    }
    await followReal(model, real)
  }
  toString = () => `sync ${this.mode} ${this.conflict}`
}

class CrashCommand implements fc.AsyncCommand<Model, Real> {
  readonly mode: Mode
  readonly conflict: ConflictStrategy
  readonly after: number
  constructor(mode: Mode, conflict: ConflictStrategy, after: number) {
    this.mode = mode
    this.conflict = conflict
    this.after = after
  }
  check = () => true
  async run(model: Model, real: Real): Promise<void> {
    const { pair, run } = real
    const plan = await run.plan({ mode: this.mode, conflict: this.conflict })
    const k = this.after % (plan.actions.length + 1)
    model.log.push(`${this.toString()} (stopped after ${k} of ${plan.actions.length})`)
    const stop = new AbortController()
    if (k === 0) stop.abort()
    let done = 0
    const applied = await applyPlan(
      plan,
      { source: pair.source.storage, destination: pair.destination.storage },
      {
        current: run.state,
        fresh: () => newState('lineage-model', pair.source.storage.root, pair.destination.storage.root),
        signal: stop.signal,
        onEvent: (event) => {
          if (event.type === 'action' && ++done >= k) stop.abort()
        },
      },
    )()
    if (E.isLeft(applied)) throw new Error(`apply failed: ${JSON.stringify(applied.left)}`)
    run.state = applied.right.state
    if (this.mode !== 'two-way') {
      const { truth } = oneWaySides(this.mode)
      expect(await viewOfSide(pair[truth]), await context(model, real, [showPlan('crashed', plan)])).toEqual(
        model[truth].view(),
      )
    }
    await followReal(model, real)
  }
  toString = () => `crash ${this.mode} ${this.conflict} after ${this.after}`
}

const sideArbitrary = fc.constantFrom<Side>('source', 'destination')
const modeArbitrary = fc.constantFrom<Mode>(
  'two-way',
  'source-to-destination',
  'source-backup',
  'destination-to-source',
  'destination-backup',
)
const strategyArbitrary = fc.constantFrom<ConflictStrategy>('newest', 'source', 'destination', 'keep-both')

const commands = fc.commands(
  [
    fc.tuple(sideArbitrary, editArbitrary).map(([side, edit]) => new EditCommand(side, edit)),
    fc.tuple(sideArbitrary, editArbitrary).map(([side, edit]) => new EditCommand(side, edit)),
    fc.tuple(modeArbitrary, strategyArbitrary).map(([mode, conflict]) => new SyncCommand(mode, conflict)),
    fc
      .tuple(modeArbitrary, strategyArbitrary, fc.nat({ max: 15 }))
      .map(([mode, conflict, after]) => new CrashCommand(mode, conflict, after)),
  ],
  { maxCommands: 20, size: 'large' },
)

const start = async (base: Tree): Promise<{ model: Model; real: Real }> => {
  const pair = memoryPair()
  const real: Real = { pair, run: session(pair, lawPolicy()), clock: counterClock() }
  const model: Model = {
    source: new ModelSide(),
    destination: new ModelSide(),
    clock: counterClock(),
    log: [],
  }
  await plantTree(pair.source, base, real.clock)
  await plantTree(model.source, base, model.clock)
  return { model, real }
}

describe('model: edits, syncs and crashes in any order', () => {
  it('after every sync the sides are what the model says the mode makes of them, whatever came before: edits on either side, syncs in other modes, applies stopped half way', async () => {
    await fc.assert(
      fc.asyncProperty(treeArbitrary, commands, async (base, cmds) => {
        const { model, real } = await start(base)
        await fc.asyncModelRun(() => ({ model, real }), cmds)
      }),
      { numRuns },
    )
  })
})
