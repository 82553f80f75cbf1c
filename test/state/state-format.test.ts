import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Entry } from '../../src/core/entry.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import { decodeState, encodeState, partCode, partDecode } from '../../src/core/state-format.ts'
import { type SyncedPair, SyncState } from '../../src/core/sync-state.ts'
import { loadState, saveState } from '../../src/state/state-file.ts'
import { pathArbitrary } from '../../src/testing/arbitraries.ts'

const stamp = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: 1_000, max: 1_020 }).map((n) => `65024:${n}:1796214771051.082`),
  fc.constantFrom('x😀a', 'x😁b', '😀', ''),
)

const fileArbitrary: fc.Arbitrary<Entry> = fc
  .record({
    size: fc.nat(),
    mtimeMs: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    exec: fc.boolean(),
    id: stamp,
    change: stamp,
    hash: fc.oneof(fc.constant(undefined), fc.constantFrom('sha256:aa', 'sha256:bb')),
  })
  .map(({ id, change, hash, ...rest }) => ({
    kind: 'file' as const,
    ...rest,
    ...(id === undefined ? {} : { id }),
    ...(change === undefined ? {} : { change }),
    ...(hash === undefined ? {} : { hash }),
  }))

const entryArbitrary: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 4, arbitrary: fileArbitrary },
  fc.constant<Entry>({ kind: 'dir' }),
  fc.constantFrom('a', '../b', '').map((target): Entry => ({ kind: 'symlink', target })),
)

/** Mostly two sides alike but for their stamps, as a state mostly is; sometimes anything. */
const pairArbitrary: fc.Arbitrary<SyncedPair> = fc.oneof(
  fc.tuple(entryArbitrary, entryArbitrary),
  fc.tuple(entryArbitrary, stamp, stamp).map(([source, id, change]): SyncedPair => {
    if (source.kind !== 'file') return [source, source]
    const { id: _, change: __, ...rest } = source
    return [
      source,
      { ...rest, ...(id === undefined ? {} : { id }), ...(change === undefined ? {} : { change }) },
    ]
  }),
)

const stateArbitrary: fc.Arbitrary<SyncState> = fc
  .record({
    lineage: fc.uuid(),
    serial: fc.nat(),
    entries: fc.array(
      fc.tuple(fc.oneof(pathArbitrary, fc.constantFrom('a😀/x', 'a😁/y', '__proto__', 'é/ü')), pairArbitrary),
      { maxLength: 30 },
    ),
  })
  .map(({ lineage, serial, entries }) => ({
    format: 'syncengine-state',
    version: 3,
    lineage,
    serial,
    source: '/src',
    destination: '/dst',
    entries: new Map(entries.map(([path, pair]) => [path as RelPath, pair])),
  }))

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const roundTrip = (state: SyncState): unknown => decodeState(JSON.parse(JSON.stringify(encodeState(state))))

const header = {
  format: 'syncengine-state',
  version: 2,
  lineage: 'l',
  serial: 1,
  source: '/s',
  destination: '/d',
}
const problemsOf = (entries: unknown): ReadonlyArray<string> => {
  const decoded = decodeState({ ...header, entries })
  if (E.isRight(decoded)) throw new Error('decoded')
  return decoded.left
}

describe('the state file, version 3', () => {
  it('decodes what it encodes: any state', () => {
    fc.assert(
      fc.property(stateArbitrary, (state) => {
        expect(roundTrip(state)).toEqual(E.right(state))
      }),
      { numRuns: 300 },
    )
  })

  it('the codec exported as SyncState encodes version 3 and reads it back', () => {
    fc.assert(
      fc.property(stateArbitrary, (state) => {
        const json = JSON.parse(JSON.stringify(SyncState.encode(state)))
        expect(json.version).toBe(3)
        expect(SyncState.decode(json)).toEqual(E.right(state))
      }),
      { numRuns: 50 },
    )
  })

  it('writes rows with front-coded paths and the destination as "same as the source"', () => {
    const file: Entry = { kind: 'file', size: 120, mtimeMs: 1_700_000_000_000, exec: false }
    const state: SyncState = {
      ...header,
      format: 'syncengine-state',
      version: 3,
      entries: new Map<RelPath, SyncedPair>([
        ['docs' as RelPath, [{ kind: 'dir' }, { kind: 'dir' }]],
        [
          'docs/a.txt' as RelPath,
          [
            { ...file, id: '9:81', change: '17.5' },
            { ...file, id: '9:95', change: '18.5' },
          ],
        ],
        [
          'docs/b.sh' as RelPath,
          [
            { ...file, exec: true, hash: 'sha256:ab' },
            { ...file, size: 3 },
          ],
        ],
      ]),
    }
    expect(encodeState(state).entries).toEqual([
      [0, 'docs', 2, 0],
      [4, '/a.txt', 25, 120, 1_700_000_000_000, '09:081', '017.5', 24, '09:095', '018.5'],
      [5, 'b.sh', 37, 120, 1_700_000_000_000, 'sha256:ab', 1, 3, 1_700_000_000_000],
    ])
    expect(roundTrip(state)).toEqual(E.right(state))
  })

  it('writes ids and change stamps part by part: a part shared with the previous record costs a character', () => {
    const file = (i: number, ctime: string): Entry => ({
      kind: 'file',
      size: 1,
      mtimeMs: 2,
      exec: false,
      id: `2049:${1000 + i}:${ctime}`,
      change: ctime,
    })
    const state: SyncState = {
      ...header,
      format: 'syncengine-state',
      version: 3,
      entries: new Map<RelPath, SyncedPair>([
        ['a' as RelPath, [file(1, '1796223934298.2244'), file(7, '1796223935085.7607')]],
        ['b' as RelPath, [file(2, '1796223934301.5'), file(9, '1796223935085.7607')]],
      ]),
    }
    expect(encodeState(state).entries).toEqual([
      [
        0,
        'a',
        25,
        1,
        2,
        '02049:01001:01796223934298.2244',
        '01796223934298.2244',
        24,
        '02049:01007:01796223935085.7607',
        '01796223935085.7607',
      ],
      [0, 'b', 25, 1, 2, '4:32:a301.5', 'a301.5', 24, '4:39:i', 'i'],
    ])
    expect(roundTrip(state)).toEqual(E.right(state))
  })

  it('part coding round-trips any two strings, and never splits a character made of two code units', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.array(fc.constantFrom('😀', 'a', ':', 'é', '1'), { maxLength: 90 }).map((cs) => cs.join('')),
    )
    fc.assert(
      fc.property(text, text, (previous, value) => {
        const cell = partCode(previous, value)
        expect(partDecode(previous, cell)).toBe(value)
        expect(loneSurrogate.test(cell)).toBe(loneSurrogate.test(value))
      }),
      { numRuns: 1000 },
    )
  })

  it('reads version 2, and the next save writes version 3', () => {
    const v2 = {
      ...header,
      version: 2,
      entries: [
        [0, 'a', 25, 1, 2, 0, '9:81', 0, '17.5', 24, 0, '9:95', 0, '18.5'],
        [0, 'b', 25, 1, 2, 2, '82', 1, '9.5', 24, 2, '96', 3, '1'],
      ],
    }
    const decoded = decodeState(v2)
    if (E.isLeft(decoded)) throw new Error(decoded.left.join('\n'))
    const file = { kind: 'file', size: 1, mtimeMs: 2, exec: false }
    expect([...decoded.right.entries]).toEqual([
      [
        'a',
        [
          { ...file, id: '9:81', change: '17.5' },
          { ...file, id: '9:95', change: '18.5' },
        ],
      ],
      [
        'b',
        [
          { ...file, id: '9:82', change: '19.5' },
          { ...file, id: '9:96', change: '18.1' },
        ],
      ],
    ])
    expect(decoded.right.version).toBe(3)
    const again = JSON.parse(JSON.stringify(encodeState(decoded.right)))
    expect(again.version).toBe(3)
    expect(decodeState(again)).toEqual(decoded)
  })

  it('reads version 1, and the next save writes version 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'state-format-'))
    try {
      const file = join(dir, 'state.json')
      const entries = {
        a: [
          { kind: 'file', size: 1, mtimeMs: 2, exec: false, id: '7', change: '8' },
          { kind: 'file', size: 1, mtimeMs: 2, exec: false, id: '9', change: '10' },
        ],
        l: [
          { kind: 'symlink', target: 'a' },
          { kind: 'symlink', target: 'a' },
        ],
      }
      await writeFile(file, JSON.stringify({ ...header, version: 1, entries }))
      const loaded = await loadState(file, { source: '/s', destination: '/d' })()
      if (E.isLeft(loaded) || loaded.right === null) throw new Error('not loaded')
      expect(loaded.right.version).toBe(3)
      expect(Object.fromEntries(loaded.right.entries)).toEqual(entries)
      expect(E.isRight(await saveState(file, loaded.right)())).toBe(true)
      const written = JSON.parse(await readFile(file, 'utf8'))
      expect(written.version).toBe(3)
      expect(written.entries).toEqual([
        [0, 'a', 25, 1, 2, '07', '08', 24, '09', '010'],
        [0, 'l', 3, 'a', 0],
      ])
      expect(await loadState(file, { source: '/s', destination: '/d' })()).toEqual(loaded)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a damaged version 1 file is still reported field by field', () => {
    const decoded = decodeState({
      ...header,
      version: 1,
      entries: { a: [{ kind: 'file' }, { kind: 'dir' }] },
    })
    expect(E.isLeft(decoded) && decoded.left.join('\n')).toContain('entries.a.0.size: expected number')
  })
})

describe('a damaged version 2 file is a problem naming the row, never a throw', () => {
  const good = [
    [0, 'docs', 2, 0],
    [4, '/a.txt', 1, 5, 6, 0],
  ]

  it('a good file decodes', () => {
    expect(E.isRight(decodeState({ ...header, entries: good }))).toBe(true)
  })

  it.each<[string, unknown, string]>([
    [
      'a truncated row',
      [good[0], [4, '/a.txt', 1, 5]],
      'entries[1] ("docs/a.txt"): ends before the source mtime',
    ],
    [
      'a row cut before its destination',
      [good[0], [4, '/a.txt', 1, 5, 6]],
      'entries[1] ("docs/a.txt"): ends before the destination kind',
    ],
    [
      'a bad kind code',
      [[0, 'docs', 7, 0]],
      'entries[0] ("docs"): the source kind: 7 is a symlink with flags',
    ],
    [
      'a kind code past every flag',
      [[0, 'docs', 99, 0]],
      'entries[0] ("docs"): the source kind: expected a whole number from 0 to 63, found 99',
    ],
    [
      'a kind that is not a number',
      [[0, 'docs', 'dir', 0]],
      'entries[0] ("docs"): the source kind: expected a whole number',
    ],
    [
      'a source "same as the source"',
      [[0, 'docs', 0, 0]],
      'entries[0] ("docs"): the source kind: 0 is "same as the source"',
    ],
    [
      'a path escaping with ..',
      [[0, 'docs/../../etc', 2, 0]],
      'entries[0] ("docs/../../etc"): the path has a ".." segment',
    ],
    [
      'a ".." made by front coding',
      [good[0], [0, '..', 2, 0]],
      'entries[1] (".."): the path has a ".." segment',
    ],
    ['an absolute path', [[0, '/etc/passwd', 2, 0]], 'entries[0] ("/etc/passwd"): the path is absolute'],
    [
      'a prefix longer than the previous path',
      [good[0], [5, '/a.txt', 2, 0]],
      "entries[1]: the path's shared length: expected a whole number from 0 to 4, found 5",
    ],
    [
      'a negative prefix',
      [[-1, 'a', 2, 0]],
      "entries[0]: the path's shared length: expected a whole number from 0 to 0, found -1",
    ],
    ['a fractional prefix', [good[0], [1.5, 'x', 2, 0]], "entries[1]: the path's shared length"],
    [
      'an id prefix past the previous id',
      [[0, 'a', 9, 1, 2, 3, 'x', 0]],
      'entries[0] ("a"): the source id\'s shared length: expected a whole number from 0 to 0, found 3',
    ],
    ['cells past the end', [[0, 'a', 2, 0, 0]], 'entries[0] ("a"): has 1 cells past its end'],
    ['a row that is not a list', [good[0], { path: 'x' }], 'entries[1]: expected a list, found {"path":"x"}'],
    ['a repeated path', [good[0], [4, '', 2, 0]], 'entries[1] ("docs"): repeats a path'],
    [
      'a size that is a string',
      [[0, 'a', 1, '5', 6, 0]],
      'entries[0] ("a"): the source size: expected a number, found "5"',
    ],
    [
      'a hash flag on "same as the source"',
      [[0, 'a', 1, 5, 6, 32]],
      'entries[0] ("a"): the destination kind: 32 is "same as the source" with exec or hash flags',
    ],
  ])('%s', (_, entries, problem) => {
    const problems = problemsOf(entries)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(problem)
  })

  it('a header field wrong or entries not a list', () => {
    expect(problemsOf({})).toEqual(['entries: expected UnknownArray, found {}'])
    const decoded = decodeState({ ...header, version: 4, entries: [] })
    expect(E.isLeft(decoded) && decoded.left[0]).toContain('version')
  })

  it.each<[string, unknown, string]>([
    [
      'a part that says it shares more than the previous id holds',
      [[0, 'a', 9, 1, 2, '3x', 0]],
      'entries[0] ("a"): the source id: part 1 of "3x" does not say how much of "" it shares',
    ],
    [
      'an empty part',
      [[0, 'a', 9, 1, 2, '0a::0b', 0]],
      'entries[0] ("a"): the source id: part 2 of "0a::0b" does not say how much of "" it shares',
    ],
    [
      'a change stamp that is a number',
      [[0, 'a', 17, 1, 2, 5, 0]],
      'entries[0] ("a"): the source change stamp: expected a string, found 5',
    ],
  ])('version 3: %s', (_, entries, problem) => {
    const decoded = decodeState({ ...header, version: 3, entries })
    expect(E.isLeft(decoded) && decoded.left).toEqual([problem])
  })

  it('loadState gives StateCorrupt with the row, not a throw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'state-format-'))
    try {
      const file = join(dir, 'state.json')
      await writeFile(file, JSON.stringify({ ...header, entries: [[0, '..', 2, 0]] }))
      expect(await loadState(file, { source: '/s', destination: '/d' })()).toEqual(
        E.left({ _tag: 'StateCorrupt', file, problems: ['entries[0] (".."): the path has a ".." segment'] }),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
