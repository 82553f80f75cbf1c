import { afterEach, describe, expect, it } from 'vitest'
import { MODES, type Mode } from '../../src/core/policy.ts'
import { session } from './session.ts'
import { filesWithoutStamps, type TestPair, type TestSide } from './sides.ts'

/**
 * Every row of the mode table in DESIGN.md, for every mode, on any pair of backends: sync a base tree,
 * edit one side or both, plan and apply, then compare both trees with what the row promises and check
 * that a new plan is empty.
 */

type Tree = Record<string, string>
type Edit = (side: TestSide) => Promise<void>
type Expected = { readonly source: Tree; readonly destination: Tree }

interface Case {
  readonly name: string
  readonly source?: Edit
  readonly destination?: Edit
  readonly expect: Record<Mode, Expected>
}

const base: Tree = { 'f.txt': 'v0', 'other.txt': 'o' }
const o = { 'other.txt': 'o' }
const both = (tree: Tree): Expected => ({ source: tree, destination: tree })

const cases: ReadonlyArray<Case> = [
  {
    name: 'new on source only',
    source: (s) => s.put('new.txt', 'n'),
    expect: {
      'two-way': both({ ...base, 'new.txt': 'n' }),
      'source-to-destination': both({ ...base, 'new.txt': 'n' }),
      'source-backup': both({ ...base, 'new.txt': 'n' }),
      'destination-to-source': both(base),
      'destination-backup': { source: { ...base, 'new.txt': 'n' }, destination: base },
    },
  },
  {
    name: 'new on destination only',
    destination: (d) => d.put('new.txt', 'n'),
    expect: {
      'two-way': both({ ...base, 'new.txt': 'n' }),
      'source-to-destination': both(base),
      'source-backup': { source: base, destination: { ...base, 'new.txt': 'n' } },
      'destination-to-source': both({ ...base, 'new.txt': 'n' }),
      'destination-backup': both({ ...base, 'new.txt': 'n' }),
    },
  },
  {
    name: 'changed on source, destination unchanged',
    source: (s) => s.put('f.txt', 'v1'),
    expect: {
      'two-way': both({ ...o, 'f.txt': 'v1' }),
      'source-to-destination': both({ ...o, 'f.txt': 'v1' }),
      'source-backup': both({ ...o, 'f.txt': 'v1' }),
      'destination-to-source': both(base),
      'destination-backup': both(base),
    },
  },
  {
    name: 'changed on destination, source unchanged',
    destination: (d) => d.put('f.txt', 'v1'),
    expect: {
      'two-way': both({ ...o, 'f.txt': 'v1' }),
      'source-to-destination': both(base),
      'source-backup': both(base),
      'destination-to-source': both({ ...o, 'f.txt': 'v1' }),
      'destination-backup': both({ ...o, 'f.txt': 'v1' }),
    },
  },
  {
    name: 'deleted on source',
    source: (s) => s.remove('f.txt'),
    expect: {
      'two-way': both(o),
      'source-to-destination': both(o),
      'source-backup': { source: o, destination: base },
      'destination-to-source': both(base),
      'destination-backup': both(base),
    },
  },
  {
    name: 'deleted on destination',
    destination: (d) => d.remove('f.txt'),
    expect: {
      'two-way': both(o),
      'source-to-destination': both(base),
      'source-backup': both(base),
      'destination-to-source': both(o),
      'destination-backup': { source: base, destination: o },
    },
  },
  {
    name: 'changed on both sides, contents differ (destination newer)',
    source: (s) => s.put('f.txt', 'vs'),
    destination: (d) => d.put('f.txt', 'vd'),
    expect: {
      'two-way': both({ ...o, 'f.txt': 'vd', 'f.conflict-source.txt': 'vs' }),
      'source-to-destination': both({ ...o, 'f.txt': 'vs' }),
      'source-backup': both({ ...o, 'f.txt': 'vs' }),
      'destination-to-source': both({ ...o, 'f.txt': 'vd' }),
      'destination-backup': both({ ...o, 'f.txt': 'vd' }),
    },
  },
  {
    name: 'changed on source, deleted on destination',
    source: (s) => s.put('f.txt', 'v1'),
    destination: (d) => d.remove('f.txt'),
    expect: {
      'two-way': both({ ...o, 'f.txt': 'v1' }),
      'source-to-destination': both({ ...o, 'f.txt': 'v1' }),
      'source-backup': both({ ...o, 'f.txt': 'v1' }),
      'destination-to-source': both(o),
      'destination-backup': { source: { ...o, 'f.txt': 'v1' }, destination: o },
    },
  },
  {
    name: 'deleted on source, changed on destination',
    source: (s) => s.remove('f.txt'),
    destination: (d) => d.put('f.txt', 'v1'),
    expect: {
      'two-way': both({ ...o, 'f.txt': 'v1' }),
      'source-to-destination': both(o),
      'source-backup': { source: o, destination: { ...o, 'f.txt': 'v1' } },
      'destination-to-source': both({ ...o, 'f.txt': 'v1' }),
      'destination-backup': both({ ...o, 'f.txt': 'v1' }),
    },
  },
  {
    name: 'renamed on source',
    source: (s) => s.rename('f.txt', 'g.txt'),
    expect: {
      'two-way': both({ ...o, 'g.txt': 'v0' }),
      'source-to-destination': both({ ...o, 'g.txt': 'v0' }),
      'source-backup': { source: { ...o, 'g.txt': 'v0' }, destination: { ...base, 'g.txt': 'v0' } },
      'destination-to-source': both(base),
      'destination-backup': { source: { ...base, 'g.txt': 'v0' }, destination: base },
    },
  },
  {
    name: 'renamed on destination',
    destination: (d) => d.rename('f.txt', 'g.txt'),
    expect: {
      'two-way': both({ ...o, 'g.txt': 'v0' }),
      'source-to-destination': both(base),
      'source-backup': { source: base, destination: { ...base, 'g.txt': 'v0' } },
      'destination-to-source': both({ ...o, 'g.txt': 'v0' }),
      'destination-backup': { source: { ...base, 'g.txt': 'v0' }, destination: { ...o, 'g.txt': 'v0' } },
    },
  },
]

export const describeModeTable = (label: string, makePair: () => Promise<TestPair>): void => {
  describe(`the mode table on ${label}`, () => {
    let pair: TestPair | undefined
    afterEach(async () => {
      await pair?.cleanup()
      pair = undefined
    })

    describe.each(cases)('$name', (row) => {
      it.each(MODES)('%s', async (mode) => {
        pair = await makePair()
        const run = session(pair, { mode })
        for (const [path, content] of Object.entries(base)) await pair.source.put(path, content)
        await run.sync({ mode: 'two-way' })
        expect(await pair.destination.tree()).toEqual(await pair.source.tree())

        await row.source?.(pair.source)
        await row.destination?.(pair.destination)
        const { report } = await run.sync()
        expect(report.counts.failed + report.counts.drifted).toBe(0)

        expect(filesWithoutStamps(await pair.source.tree())).toEqual(row.expect[mode].source)
        expect(filesWithoutStamps(await pair.destination.tree())).toEqual(row.expect[mode].destination)
        const again = await run.plan()
        expect(again.actions).toEqual([])
        expect(again.conflicts).toEqual([])
      })
    })
  })
}
