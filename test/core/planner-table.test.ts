import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { plan } from '../../src/core/plan/plan.ts'
import {
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  defaultPolicy,
  MODES,
  type Mode,
} from '../../src/core/policy.ts'
import {
  clone,
  DESTINATION_WRITE,
  doing,
  download,
  type Edits,
  move,
  nothing,
  type Outcome,
  type PerMode,
  parseModeTable,
  reader,
  remove,
  SOURCE_WRITE,
  sideOf,
  sorted,
  stateOf,
  type Tree,
  upload,
} from './planner-table-cases.ts'

/**
 * The README's mode table as pure table tests of the planner, in the style of Mutagen's
 * `reconcile_test.go`: one case per row and mode, on plain values. Each case builds the state of the last
 * sync and both snapshots in memory, calls `plan(source, destination, state, policy)`, and compares the
 * actions (kind, side or direction, paths, the content they carry) and the conflicts with what the row
 * promises for that mode. A case runs under every conflict strategy: outside a conflict the strategy must
 * not matter. The last test reads the table from README.md, so the two cannot drift apart.
 */

// Contents, which also name the files' hashes. Every case keeps two unrelated files, so that a single
// delete is never "every file" the side holds (the delete guard).
const V0 = 'version 0 of f'
const BASE: Tree = { 'f.txt': V0, 'a.txt': 'unchanged a', 'b.txt': 'unchanged b' }
const NEW_ON_SOURCE = 'new on the source'
const NEW_ON_DESTINATION = 'new on the destination'
const EDITED_ON_SOURCE = 'edited on the source'
const EDITED_ON_DESTINATION = 'edited on the destination, later'
const CONTENTS = [
  ...Object.values(BASE),
  NEW_ON_SOURCE,
  NEW_ON_DESTINATION,
  EDITED_ON_SOURCE,
  EDITED_ON_DESTINATION,
]

/** The name keep-both gives the source's losing version: its side and its mtime (`SOURCE_WRITE`), in UTC. */
const SOURCE_CONFLICT_COPY = 'f.conflict-source-20240102-030405.txt'

/** Per conflict strategy, for the one cell whose outcome depends on it. */
type PerStrategy = Readonly<Record<ConflictStrategy, Outcome>>

interface Cell {
  /** The README's cell, word for word. */
  readonly says: string
  readonly expect: Outcome | PerStrategy
}

interface TableRow {
  /** The README's situation, word for word. */
  readonly situation: string
  /** Which of the cases a row with two makes (changed on one side, deleted on the other). */
  readonly variant?: string
  readonly source?: Edits
  readonly destination?: Edits
  readonly modes: PerMode<Cell>
}

const cell = (says: string, expect: Outcome | PerStrategy): Cell => ({ says, expect })

const ROWS: ReadonlyArray<TableRow> = [
  {
    situation: 'new on source only',
    source: { 'new.txt': NEW_ON_SOURCE },
    modes: {
      'two-way': cell('upload', doing(upload('new.txt', NEW_ON_SOURCE))),
      'source-to-destination': cell('upload', doing(upload('new.txt', NEW_ON_SOURCE))),
      'source-backup': cell('upload', doing(upload('new.txt', NEW_ON_SOURCE))),
      'destination-to-source': cell('delete on source', doing(remove('source', 'new.txt', NEW_ON_SOURCE))),
      'destination-backup': cell('keep on source', nothing),
    },
  },
  {
    situation: 'new on destination only',
    destination: { 'new.txt': NEW_ON_DESTINATION },
    modes: {
      'two-way': cell('download', doing(download('new.txt', NEW_ON_DESTINATION))),
      'source-to-destination': cell(
        'delete on destination',
        doing(remove('destination', 'new.txt', NEW_ON_DESTINATION)),
      ),
      'source-backup': cell('keep on destination', nothing),
      'destination-to-source': cell('download', doing(download('new.txt', NEW_ON_DESTINATION))),
      'destination-backup': cell('download', doing(download('new.txt', NEW_ON_DESTINATION))),
    },
  },
  {
    situation: 'changed on source',
    source: { 'f.txt': EDITED_ON_SOURCE },
    modes: {
      'two-way': cell('upload', doing(upload('f.txt', EDITED_ON_SOURCE, V0))),
      'source-to-destination': cell('upload', doing(upload('f.txt', EDITED_ON_SOURCE, V0))),
      'source-backup': cell('upload', doing(upload('f.txt', EDITED_ON_SOURCE, V0))),
      'destination-to-source': cell(
        'restore source from destination',
        doing(download('f.txt', V0, EDITED_ON_SOURCE)),
      ),
      'destination-backup': cell(
        'restore source from destination',
        doing(download('f.txt', V0, EDITED_ON_SOURCE)),
      ),
    },
  },
  {
    situation: 'changed on destination',
    destination: { 'f.txt': EDITED_ON_DESTINATION },
    modes: {
      'two-way': cell('download', doing(download('f.txt', EDITED_ON_DESTINATION, V0))),
      'source-to-destination': cell(
        'restore destination from source',
        doing(upload('f.txt', V0, EDITED_ON_DESTINATION)),
      ),
      'source-backup': cell(
        'restore destination from source',
        doing(upload('f.txt', V0, EDITED_ON_DESTINATION)),
      ),
      'destination-to-source': cell('download', doing(download('f.txt', EDITED_ON_DESTINATION, V0))),
      'destination-backup': cell('download', doing(download('f.txt', EDITED_ON_DESTINATION, V0))),
    },
  },
  {
    situation: 'deleted on source',
    source: { 'f.txt': null },
    modes: {
      'two-way': cell('delete on destination', doing(remove('destination', 'f.txt', V0))),
      'source-to-destination': cell('delete on destination', doing(remove('destination', 'f.txt', V0))),
      'source-backup': cell('**keep** destination copy', nothing),
      'destination-to-source': cell('restore (download)', doing(download('f.txt', V0))),
      'destination-backup': cell('restore (download)', doing(download('f.txt', V0))),
    },
  },
  {
    situation: 'deleted on destination',
    destination: { 'f.txt': null },
    modes: {
      'two-way': cell('delete on source', doing(remove('source', 'f.txt', V0))),
      'source-to-destination': cell('restore (upload)', doing(upload('f.txt', V0))),
      'source-backup': cell('restore (upload)', doing(upload('f.txt', V0))),
      'destination-to-source': cell('delete on source', doing(remove('source', 'f.txt', V0))),
      'destination-backup': cell('**keep** source copy', nothing),
    },
  },
  {
    situation: 'changed on both, contents differ',
    source: { 'f.txt': EDITED_ON_SOURCE },
    destination: { 'f.txt': EDITED_ON_DESTINATION },
    modes: {
      'two-way': cell('conflict → strategy', bothChanged()),
      'source-to-destination': cell(
        'source wins',
        doing(upload('f.txt', EDITED_ON_SOURCE, EDITED_ON_DESTINATION)),
      ),
      'source-backup': cell('source wins', doing(upload('f.txt', EDITED_ON_SOURCE, EDITED_ON_DESTINATION))),
      'destination-to-source': cell(
        'destination wins',
        doing(download('f.txt', EDITED_ON_DESTINATION, EDITED_ON_SOURCE)),
      ),
      'destination-backup': cell(
        'destination wins',
        doing(download('f.txt', EDITED_ON_DESTINATION, EDITED_ON_SOURCE)),
      ),
    },
  },
  {
    situation: 'changed on one side, deleted on the other',
    variant: 'changed on source, deleted on destination',
    source: { 'f.txt': EDITED_ON_SOURCE },
    destination: { 'f.txt': null },
    modes: {
      'two-way': cell('the change wins, whatever the strategy', doing(upload('f.txt', EDITED_ON_SOURCE))),
      'source-to-destination': cell('source decides', doing(upload('f.txt', EDITED_ON_SOURCE))),
      'source-backup': cell('upload if the source has it', doing(upload('f.txt', EDITED_ON_SOURCE))),
      'destination-to-source': cell(
        'destination decides',
        doing(remove('source', 'f.txt', EDITED_ON_SOURCE)),
      ),
      // The destination does not have it: nothing to download, and a backup never deletes.
      'destination-backup': cell('download if the destination has it', nothing),
    },
  },
  {
    situation: 'changed on one side, deleted on the other',
    variant: 'deleted on source, changed on destination',
    source: { 'f.txt': null },
    destination: { 'f.txt': EDITED_ON_DESTINATION },
    modes: {
      'two-way': cell(
        'the change wins, whatever the strategy',
        doing(download('f.txt', EDITED_ON_DESTINATION)),
      ),
      'source-to-destination': cell(
        'source decides',
        doing(remove('destination', 'f.txt', EDITED_ON_DESTINATION)),
      ),
      // The source does not have it: nothing to upload, and a backup never deletes.
      'source-backup': cell('upload if the source has it', nothing),
      'destination-to-source': cell('destination decides', doing(download('f.txt', EDITED_ON_DESTINATION))),
      'destination-backup': cell(
        'download if the destination has it',
        doing(download('f.txt', EDITED_ON_DESTINATION)),
      ),
    },
  },
  {
    situation: 'renamed on source',
    source: { 'f.txt': null, 'g.txt': { renamedFrom: 'f.txt' } },
    modes: {
      'two-way': cell('the same rename on the destination', doing(move('destination', 'f.txt', 'g.txt', V0))),
      'source-to-destination': cell(
        'renamed on the destination',
        doing(move('destination', 'f.txt', 'g.txt', V0)),
      ),
      'source-backup': cell(
        'new name copied, old name kept',
        doing(clone('destination', 'f.txt', 'g.txt', V0)),
      ),
      'destination-to-source': cell(
        'renamed back on the source',
        doing(move('source', 'g.txt', 'f.txt', V0)),
      ),
      'destination-backup': cell(
        'old name copied back, new name kept',
        doing(clone('source', 'g.txt', 'f.txt', V0)),
      ),
    },
  },
  {
    situation: 'renamed on destination',
    destination: { 'f.txt': null, 'g.txt': { renamedFrom: 'f.txt' } },
    modes: {
      'two-way': cell('the same rename on the source', doing(move('source', 'f.txt', 'g.txt', V0))),
      'source-to-destination': cell(
        'renamed back on the destination',
        doing(move('destination', 'g.txt', 'f.txt', V0)),
      ),
      'source-backup': cell(
        'old name copied back, new name kept',
        doing(clone('destination', 'g.txt', 'f.txt', V0)),
      ),
      'destination-to-source': cell('renamed on the source', doing(move('source', 'f.txt', 'g.txt', V0))),
      'destination-backup': cell(
        'new name copied, old name kept',
        doing(clone('source', 'f.txt', 'g.txt', V0)),
      ),
    },
  },
]

/**
 * Two-way, both sides edited f.txt to different contents, the destination later: each strategy as the
 * README's `## Conflicts` describes it.
 */
function bothChanged(): PerStrategy {
  const conflict = (outcome: Outcome['conflicts'][number]['outcome']) => ({
    path: 'f.txt',
    source: EDITED_ON_SOURCE,
    destination: EDITED_ON_DESTINATION,
    outcome,
  })
  const sourceWins: Outcome = {
    actions: [upload('f.txt', EDITED_ON_SOURCE, EDITED_ON_DESTINATION)],
    conflicts: [conflict('source-wins')],
  }
  const destinationWins: Outcome = {
    actions: [download('f.txt', EDITED_ON_DESTINATION, EDITED_ON_SOURCE)],
    conflicts: [conflict('destination-wins')],
  }
  return {
    source: sourceWins,
    destination: destinationWins,
    // The destination's edit is the later one.
    newest: destinationWins,
    // The newer (destination) keeps the name; the source's version is kept beside it on both sides.
    'keep-both': {
      actions: [
        clone('source', 'f.txt', SOURCE_CONFLICT_COPY, EDITED_ON_SOURCE),
        upload(SOURCE_CONFLICT_COPY, EDITED_ON_SOURCE),
        download('f.txt', EDITED_ON_DESTINATION, EDITED_ON_SOURCE),
      ],
      conflicts: [conflict('kept-both')],
    },
    manual: { actions: [], conflicts: [conflict('left-alone')] },
  }
}

const isPerStrategy = (expected: Outcome | PerStrategy): expected is PerStrategy => !('actions' in expected)

const { stepOf, conflictOf } = reader(CONTENTS)

const nameOf = (row: TableRow): string =>
  row.variant === undefined ? row.situation : `${row.situation} (${row.variant})`

const planned = (row: TableRow, mode: Mode, conflict: ConflictStrategy) => {
  const made = plan(
    sideOf('source', BASE, row.source),
    sideOf('destination', BASE, row.destination),
    stateOf(BASE),
    { ...defaultPolicy, mode, conflict },
  )
  if (E.isLeft(made)) throw new Error(`the planner refused: ${JSON.stringify(made.left)}`)
  return made.right
}

describe.each(MODES)('the planner, %s', (mode) => {
  const cases = ROWS.map((row) => [`${mode}: ${nameOf(row)} → ${row.modes[mode].says}`, row] as const)

  it.each(cases)('%s', (_, row) => {
    const { expect: expected } = row.modes[mode]
    for (const strategy of CONFLICT_STRATEGIES) {
      const outcome = isPerStrategy(expected) ? expected[strategy] : expected
      const result = planned(row, mode, strategy)
      const got: Outcome = {
        actions: sorted(result.actions.map(stepOf)),
        conflicts: sorted(result.conflicts.map(conflictOf)),
      }
      expect(got, `--conflict ${strategy}`).toEqual({
        actions: sorted(outcome.actions),
        conflicts: sorted(outcome.conflicts),
      })
      // Two unrelated files on each side: no case deletes everything a side holds, so none is blocked.
      expect(result.blocked, `--conflict ${strategy}`).toBeNull()
    }
  })
})

describe('the planner table and the README', () => {
  const readme = parseModeTable(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'))

  it('has the modes of the README, in its order, and every mode the engine knows', () => {
    expect(readme.modes).toEqual([...MODES])
  })

  it('has a case for every situation of the README, and none the README lacks', () => {
    expect([...new Set(ROWS.map((row) => row.situation))]).toEqual(readme.rows.map((row) => row.situation))
  })

  it('says for every situation and mode what the README says', () => {
    for (const row of ROWS) {
      const inReadme = readme.rows.find((r) => r.situation === row.situation)
      expect(inReadme, row.situation).toBeDefined()
      for (const mode of MODES)
        expect(row.modes[mode].says, `${nameOf(row)}, ${mode}`).toBe(inReadme?.cells[mode])
    }
  })

  it('writes at distinct times, the destination later, so newest and keep-both can tell', () => {
    expect(DESTINATION_WRITE).toBeGreaterThan(SOURCE_WRITE + defaultPolicy.mtimeToleranceMs)
  })
})
