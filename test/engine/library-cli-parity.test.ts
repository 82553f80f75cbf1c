import { lstat, mkdir, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type ConflictStrategy,
  createSyncEngine,
  describeError,
  isComplete,
  type Mode,
  type PairSpec,
} from '../../src/index.ts'
import { type CliPair, cliEnv, cliPair, runCli } from '../cli/run-cli.ts'
import { bytesTree } from '../support/bytes-tree.ts'
import { readTree } from '../support/sides.ts'

/**
 * The same scenarios through the library's front door (`createSyncEngine().syncPair`) and through the
 * command line (`syncengine sync` with the equivalent flags), each on a fresh pair of real folders: both
 * must report the same outcome and leave the same trees, byte for byte and name for name (conflict
 * copies included), with the same mtimes. Every file is written with an explicit mtime, so the two runs
 * see the same times and conflict copies, which are named by their mtime, get the same names. Each
 * scenario also checks something absolute about the trees, so that both ways broken alike fails too.
 */

type Tree = Readonly<Record<string, string>>
type Where = 'source' | 'destination' | 'both'

/** A person's edit, in order: each write gets the next mtime of the run's own clock. */
type Op =
  | { readonly side: Where; readonly put: string; readonly content: string }
  | { readonly side: Where; readonly remove: string }
  | { readonly side: Where; readonly rename: string; readonly to: string }

type Outcome = 'complete' | 'incomplete' | 'error'

interface Trees {
  readonly source: Tree
  readonly destination: Tree
}

interface Scenario {
  readonly name: string
  readonly mode: Mode
  readonly conflict?: ConflictStrategy
  readonly allowMassDelete?: boolean
  /** Both trees before the first sync. */
  readonly start: ReadonlyArray<Op>
  /** Edits on both sides between the first sync and the second. */
  readonly edits: ReadonlyArray<Op>
  /** What both syncs report, through either door. */
  readonly outcomes: readonly [Outcome, Outcome]
  /** Something absolute about the files at the end (text, files only), besides library = CLI. */
  readonly check: (files: Trees, model: Trees) => void
}

const T0 = 1_700_000_000_000

const put = (side: Where, path: string, content: string): Op => ({ side, put: path, content })
const remove = (side: Where, path: string): Op => ({ side, remove: path })
const move = (side: Where, path: string, to: string): Op => ({ side, rename: path, to })

/** The run's edits on disk: writes get mtimes from a clock a minute apart, the same in every run. */
const applyOps = async (p: CliPair, ops: ReadonlyArray<Op>, clock: { t: number }): Promise<void> => {
  for (const op of ops) {
    const roots = op.side === 'both' ? [p.src, p.dst] : [op.side === 'source' ? p.src : p.dst]
    if ('put' in op) clock.t += 60_000
    for (const root of roots) {
      if ('put' in op) {
        const file = join(root, op.put)
        await mkdir(dirname(file), { recursive: true })
        await writeFile(file, op.content)
        await utimes(file, clock.t / 1000, clock.t / 1000)
      } else if ('remove' in op) await rm(join(root, op.remove), { recursive: true, force: true })
      else {
        await mkdir(dirname(join(root, op.to)), { recursive: true })
        await rename(join(root, op.rename), join(root, op.to))
      }
    }
  }
}

/** The same edits on plain records: what each side holds when no sync touches it. */
const modelOf = (ops: ReadonlyArray<Op>, start: Trees = { source: {}, destination: {} }): Trees => {
  const trees = { source: { ...start.source }, destination: { ...start.destination } }
  for (const op of ops)
    for (const side of op.side === 'both' ? (['source', 'destination'] as const) : [op.side]) {
      const tree: Record<string, string> = trees[side]
      if ('put' in op) tree[op.put] = op.content
      else if ('remove' in op) delete tree[op.remove]
      else {
        tree[op.to] = tree[op.rename] ?? ''
        delete tree[op.rename]
      }
    }
  return trees
}

/** Files only (no folders), as text. */
const filesOf = (tree: Tree): Tree =>
  Object.fromEntries(Object.entries(tree).filter(([p]) => !p.endsWith('/')))

/** mtime (whole ms) and mode of every file and symlink: what both runs must agree on besides bytes. */
const metaTree = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const name of await readdir(root, { recursive: true })) {
    const info = await lstat(join(root, name))
    if (!info.isDirectory()) out[name] = `${Math.floor(info.mtimeMs)} ${(info.mode & 0o777).toString(8)}`
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

interface Run {
  readonly outcomes: ReadonlyArray<Outcome>
  /** Why a run failed, in the words the library and the CLI use, with the pair's folder as `<pair>`. */
  readonly errors: ReadonlyArray<string>
  readonly bytes: { readonly source: Tree; readonly destination: Tree }
  readonly meta: { readonly source: Tree; readonly destination: Tree }
  readonly files: Trees
  /** What the library plans for the pair afterwards, from the state the run left: its actions, or blocked. */
  readonly next: number | 'blocked' | 'refused'
}

type Door = (p: CliPair, s: Scenario) => Promise<{ readonly outcome: Outcome; readonly error?: string }>

const specOf = (p: CliPair, s: Scenario): PairSpec => ({
  source: p.src,
  destination: p.dst,
  stateFile: p.stateFile,
  policy: {
    mode: s.mode,
    ...(s.conflict === undefined ? {} : { conflict: s.conflict }),
    ...(s.allowMassDelete === true ? { allowMassDelete: true } : {}),
  },
})

const engineOf = (p: CliPair) => createSyncEngine({ cwd: p.scratch, env: cliEnv(p.scratch) })

const library: Door = async (p, s) => {
  const synced = await engineOf(p).syncPair(specOf(p, s))()
  if (E.isLeft(synced)) return { outcome: 'error', error: describeError(synced.left) }
  const { report, cancelled } = synced.right
  return { outcome: isComplete(report) && !cancelled ? 'complete' : 'incomplete' }
}

const cli: Door = async (p, s) => {
  const result = await runCli(
    [
      'sync',
      p.src,
      p.dst,
      '--mode',
      s.mode,
      ...(s.conflict === undefined ? [] : ['--conflict', s.conflict]),
      ...(s.allowMassDelete === true ? ['--allow-mass-delete'] : []),
      '--state',
      p.stateFile,
      '--quiet',
    ],
    { cwd: p.scratch },
  )
  switch (result.code) {
    case 0:
      return { outcome: 'complete' }
    case 3:
      return { outcome: 'incomplete' }
    default: {
      expect(result.code, result.stderr).toBe(1)
      const lines = result.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      return { outcome: 'error', error: (lines[0] ?? '').replace(/^error: /, '') }
    }
  }
}

const pairs: CliPair[] = []
afterEach(async () => {
  for (const p of pairs.splice(0)) await p.cleanup()
})

/** One scenario through one door, on a fresh pair: start, sync, edit, sync. */
const play = async (s: Scenario, door: Door): Promise<Run> => {
  const p = await cliPair()
  pairs.push(p)
  const clock = { t: T0 }
  await applyOps(p, s.start, clock)
  const first = await door(p, s)
  await applyOps(p, s.edits, clock)
  const second = await door(p, s)
  const planned = await engineOf(p).plan(specOf(p, s))()
  const results = [first, second]
  return {
    outcomes: results.map((r) => r.outcome),
    errors: results.flatMap((r) => (r.error === undefined ? [] : [r.error.replaceAll(p.base, '<pair>')])),
    bytes: { source: await bytesTree(p.src), destination: await bytesTree(p.dst) },
    meta: { source: await metaTree(p.src), destination: await metaTree(p.dst) },
    files: { source: filesOf(await readTree(p.src)), destination: filesOf(await readTree(p.dst)) },
    next: E.isLeft(planned)
      ? 'refused'
      : planned.right.plan.blocked === null
        ? planned.right.plan.actions.length
        : 'blocked',
  }
}

/** Every file of `inner` is in `outer`, with the same bytes. */
const expectWithin = (inner: Tree, outer: Tree): void => {
  for (const [path, content] of Object.entries(inner)) expect(outer[path], path).toBe(content)
}

// ---------------------------------------------------------------------------------------------------
// The five modes: a first sync of two trees that differ, then edits on both sides, then a second sync.

/** Two trees with common files, files of one side only, and one file that differs (destination newer). */
const differing: ReadonlyArray<Op> = [
  put('both', 'common/a.txt', 'a'),
  put('both', 'common/b.txt', 'b'),
  put('both', 'common/c.txt', 'c'),
  put('both', 'common/d.txt', 'd'),
  put('both', 'same.txt', 'same'),
  put('both', 'shared/keep.txt', 'keep'),
  put('source', 'src-only.txt', 'from the source'),
  put('source', 'docs/s.txt', 'a source doc'),
  put('destination', 'dst-only.txt', 'from the destination'),
  put('destination', 'music/d.txt', 'a destination song'),
  put('source', 'differs.txt', 'source version'),
  put('destination', 'differs.txt', 'destination version, newer'),
]

/** A change, an add, a delete and a rename on each side, all on files every mode leaves on both. */
const bothEdit: ReadonlyArray<Op> = [
  put('source', 'common/a.txt', 'a changed on the source'),
  put('source', 'new-src.txt', 'added on the source'),
  remove('source', 'common/b.txt'),
  move('source', 'same.txt', 'renamed/by-source.txt'),
  put('destination', 'common/c.txt', 'c changed on the destination'),
  put('destination', 'new-dst.txt', 'added on the destination'),
  remove('destination', 'common/d.txt'),
  move('destination', 'shared/keep.txt', 'shared/kept-by-destination.txt'),
]

const modeScenarios: ReadonlyArray<Scenario> = [
  {
    name: 'two-way: differing trees, then edits on both sides',
    mode: 'two-way',
    start: differing,
    edits: bothEdit,
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }) => {
      expect(destination).toEqual(source)
      const { 'differs.txt': differs, ...rest } = source
      expect(differs).toBe('destination version, newer')
      const copies = Object.entries(rest).filter(([p]) =>
        /^differs\.conflict-source-\d{8}-\d{6}\.txt$/.test(p),
      )
      expect(copies.map(([, c]) => c)).toEqual(['source version'])
      expectWithin(
        {
          'common/a.txt': 'a changed on the source',
          'common/c.txt': 'c changed on the destination',
          'new-src.txt': 'added on the source',
          'new-dst.txt': 'added on the destination',
          'renamed/by-source.txt': 'same',
          'shared/kept-by-destination.txt': 'keep',
          'src-only.txt': 'from the source',
          'dst-only.txt': 'from the destination',
        },
        source,
      )
      for (const gone of ['common/b.txt', 'common/d.txt', 'same.txt', 'shared/keep.txt'])
        expect(source[gone], gone).toBeUndefined()
    },
  },
  {
    name: 'source-to-destination: differing trees, then edits on both sides',
    mode: 'source-to-destination',
    start: differing,
    edits: bothEdit,
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      // The source is never written; the destination becomes it, its own edits undone.
      expect(source).toEqual(filesOf(model.source))
      expect(destination).toEqual(source)
    },
  },
  {
    name: 'destination-to-source: differing trees, then edits on both sides',
    mode: 'destination-to-source',
    start: differing,
    edits: bothEdit,
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(destination).toEqual(filesOf(model.destination))
      expect(source).toEqual(destination)
    },
  },
  {
    name: 'source-backup: differing trees, then edits on both sides',
    mode: 'source-backup',
    start: differing,
    edits: bothEdit,
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(source).toEqual(filesOf(model.source))
      // Everything the source has, as the source has it; nothing the backup held is lost.
      expectWithin(source, destination)
      for (const kept of ['dst-only.txt', 'music/d.txt', 'common/b.txt', 'same.txt'])
        expect(destination[kept], kept).toBeDefined()
    },
  },
  {
    name: 'destination-backup: differing trees, then edits on both sides',
    mode: 'destination-backup',
    start: differing,
    edits: bothEdit,
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(destination).toEqual(filesOf(model.destination))
      expectWithin(destination, source)
      for (const kept of ['src-only.txt', 'docs/s.txt', 'common/d.txt', 'shared/keep.txt'])
        expect(source[kept], kept).toBeDefined()
    },
  },
]

// ---------------------------------------------------------------------------------------------------
// Two-way conflicts under each strategy: both sides edit one file (destination newer) and another
// (source newer); a third is edited on the source and deleted on the destination.

const conflictStart: ReadonlyArray<Op> = [
  put('source', 'f.txt', 'f0'),
  put('source', 'g.txt', 'g0'),
  put('source', 'h.txt', 'h0'),
  put('source', 'other.txt', 'o'),
]

const conflictEdits: ReadonlyArray<Op> = [
  put('source', 'f.txt', 'f by the source'),
  put('destination', 'f.txt', 'f by the destination, newer'),
  put('destination', 'g.txt', 'g by the destination'),
  put('source', 'g.txt', 'g by the source, newer'),
  put('source', 'h.txt', 'h edited on the source'),
  remove('destination', 'h.txt'),
]

const F = { s: 'f by the source', d: 'f by the destination, newer' }
const G = { s: 'g by the source, newer', d: 'g by the destination' }
const H = 'h edited on the source'

/** The files a strategy leaves, conflict copies matched by side (their time stamp checked by name). */
const conflictScenario = (
  conflict: ConflictStrategy,
  expected: Trees,
  outcomes: readonly [Outcome, Outcome] = ['complete', 'complete'],
): Scenario => ({
  name: `two-way conflict, --conflict ${conflict}`,
  mode: 'two-way',
  conflict,
  start: conflictStart,
  edits: conflictEdits,
  outcomes,
  check: (files) => {
    const stampless = (tree: Tree): Tree =>
      Object.fromEntries(
        Object.entries(tree).map(([p, c]) => {
          if (p.includes('.conflict-')) expect(p).toMatch(/\.conflict-(source|destination)-\d{8}-\d{6}\.txt$/)
          return [p.replace(/(\.conflict-(source|destination))-\d{8}-\d{6}/, '$1'), c]
        }),
      )
    expect(stampless(files.source)).toEqual(expected.source)
    expect(stampless(files.destination)).toEqual(expected.destination)
  },
})

const same = (tree: Tree): Trees => ({ source: tree, destination: tree })

const conflictScenarios: ReadonlyArray<Scenario> = [
  conflictScenario('newest', same({ 'f.txt': F.d, 'g.txt': G.s, 'h.txt': H, 'other.txt': 'o' })),
  conflictScenario('source', same({ 'f.txt': F.s, 'g.txt': G.s, 'h.txt': H, 'other.txt': 'o' })),
  conflictScenario('destination', same({ 'f.txt': F.d, 'g.txt': G.d, 'h.txt': H, 'other.txt': 'o' })),
  conflictScenario(
    'keep-both',
    same({
      'f.txt': F.d,
      'f.conflict-source.txt': F.s,
      'g.txt': G.s,
      'g.conflict-destination.txt': G.d,
      'h.txt': H,
      'other.txt': 'o',
    }),
  ),
  // Left for a person: both doors say the sync is incomplete, and both sides keep their own versions.
  conflictScenario(
    'manual',
    {
      source: { 'f.txt': F.s, 'g.txt': G.s, 'h.txt': H, 'other.txt': 'o' },
      destination: { 'f.txt': F.d, 'g.txt': G.d, 'h.txt': H, 'other.txt': 'o' },
    },
    ['complete', 'incomplete'],
  ),
]

// ---------------------------------------------------------------------------------------------------
// Mirrors into a folder that already holds files.

const mirrorSource: ReadonlyArray<Op> = [
  put('source', 'a.txt', 'alpha'),
  put('source', 'docs/b.txt', 'beta'),
  put('source', 'docs/deep/c.txt', 'gamma'),
]

const mirrorScenarios: ReadonlyArray<Scenario> = [
  {
    name: 'source-to-destination into a non-empty folder sharing some files',
    mode: 'source-to-destination',
    start: [
      ...mirrorSource,
      put('both', 'same.txt', 'same on both'),
      put('destination', 'a.txt', 'an older alpha, longer'),
      put('destination', 'old.txt', 'stale'),
      put('destination', 'docs/stale.txt', 'stale too'),
      put('destination', 'junk/x.txt', 'x'),
    ],
    edits: [],
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(source).toEqual(filesOf(model.source))
      expect(destination).toEqual(source)
    },
  },
  {
    name: 'destination-to-source into a non-empty folder sharing some files',
    mode: 'destination-to-source',
    start: [
      put('destination', 'a.txt', 'alpha'),
      put('destination', 'docs/b.txt', 'beta'),
      put('both', 'same.txt', 'same on both'),
      put('source', 'a.txt', 'an older alpha, longer'),
      put('source', 'old.txt', 'stale'),
    ],
    edits: [],
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(destination).toEqual(filesOf(model.destination))
      expect(source).toEqual(destination)
    },
  },
  {
    name: 'source-to-destination into a folder sharing nothing, --allow-mass-delete',
    mode: 'source-to-destination',
    allowMassDelete: true,
    start: [...mirrorSource, put('destination', 'old.txt', 'stale'), put('destination', 'more/y.txt', 'y')],
    edits: [put('source', 'later.txt', 'added after the mirror')],
    outcomes: ['complete', 'complete'],
    check: ({ source, destination }, model) => {
      expect(source).toEqual(filesOf(model.source))
      expect(destination).toEqual(source)
      expect(destination['later.txt']).toBe('added after the mirror')
    },
  },
  {
    // Every file of the destination would go: blocked through either door, in the same words, and
    // nothing changes.
    name: 'source-to-destination into a folder sharing nothing, without --allow-mass-delete',
    mode: 'source-to-destination',
    start: [...mirrorSource, put('destination', 'old.txt', 'stale'), put('destination', 'more/y.txt', 'y')],
    edits: [],
    outcomes: ['error', 'error'],
    check: (files, model) => {
      expect(files.source).toEqual(filesOf(model.source))
      expect(files.destination).toEqual(filesOf(model.destination))
    },
  },
]

const scenarios: ReadonlyArray<Scenario> = [...modeScenarios, ...conflictScenarios, ...mirrorScenarios]

describe('the library and the command line, scenario by scenario', () => {
  it.each(scenarios)('$name', async (s) => {
    const viaLibrary = await play(s, library)
    const viaCli = await play(s, cli)

    // Both doors report the same, and what the scenario says.
    expect(viaLibrary.outcomes).toEqual(s.outcomes)
    expect(viaCli.outcomes).toEqual(s.outcomes)
    expect(viaLibrary.errors).toHaveLength(s.outcomes.filter((o) => o === 'error').length)
    expect(viaCli.errors).toEqual(viaLibrary.errors)
    // The same trees: names, bytes, mtimes and modes, conflict copies and folders included.
    expect(viaCli.bytes).toEqual(viaLibrary.bytes)
    expect(viaCli.meta).toEqual(viaLibrary.meta)
    // Both converged: the next plan, from the state each run left, has nothing to do (or is still blocked).
    expect(viaLibrary.next).toBe(s.outcomes.includes('error') ? 'blocked' : 0)
    expect(viaCli.next).toBe(viaLibrary.next)
    // And the trees are right, not merely alike.
    s.check(viaLibrary.files, modelOf([...s.start, ...s.edits]))
  })

  it('the scenario tables cover every mode and every conflict strategy', () => {
    expect(new Set(modeScenarios.map((s) => s.mode)).size).toBe(5)
    expect(conflictScenarios.map((s) => s.conflict)).toEqual([
      'newest',
      'source',
      'destination',
      'keep-both',
      'manual',
    ])
  })
})
