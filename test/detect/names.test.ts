import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { folderOf } from '../../src/core/plan/names.ts'
import { session } from '../support/session.ts'
import { clock, memorySide, type TestPair } from '../support/sides.ts'

const runs = Number(process.env.FC_RUNS ?? (process.env.CI ? 1000 : 200))

/** The same names in every spelling two file systems can disagree on. */
const NAMES = [
  'caf\u00e9.txt', // composed é
  'cafe\u0301.txt', // e + combining accent
  'Caf\u00e9.txt',
  'CAFE\u0301.TXT',
  'notes.md',
  'Notes.md',
  'r\u00e9sum\u00e9/cv.txt',
  're\u0301sume\u0301/CV.txt',
]

/** A Linux-like source (every spelling is its own name) and a macOS-like destination (case and form ignored). */
const pairOf = (): TestPair => {
  const now = clock()
  return {
    kind: 'memory',
    source: memorySide(now),
    destination: memorySide(now, { caseSensitive: false, normalizesUnicode: true }),
    scratch: '',
    cleanup: async () => undefined,
  }
}

const files = (tree: Record<string, string>): Array<[string, string]> =>
  Object.entries(tree).filter(([path]) => !path.endsWith('/'))

const fold = folderOf(false, true)

describe('names across file systems', () => {
  it('names that are one name on the other side are never two files there, and no file is lost', async () => {
    const side = fc.uniqueArray(
      fc.tuple(fc.constantFrom(...NAMES), fc.string({ minLength: 1, maxLength: 6 })),
      {
        selector: ([name]) => name,
        maxLength: 5,
      },
    )
    await fc.assert(
      fc.asyncProperty(side, side, async (onSource, onDestination) => {
        const pair = pairOf()
        for (const [name, content] of onSource) await pair.source.put(name, `s:${content}`)
        // The destination folds names itself: a second spelling there overwrites the first, as on macOS.
        for (const [name, content] of onDestination) await pair.destination.put(name, `d:${content}`)
        const before = [...files(await pair.source.tree()), ...files(await pair.destination.tree())]
        const run = session(pair)
        await run.sync()
        const after = {
          source: files(await pair.source.tree()),
          destination: files(await pair.destination.tree()),
        }

        // No duplicates: a name the destination cannot tell apart appears there once.
        const keys = after.destination.map(([path]) => fold(path))
        expect(new Set(keys).size).toBe(keys.length)
        // No loss: every file content from before is still on one side or the other.
        const contents = new Set([...after.source, ...after.destination].map(([, content]) => content))
        for (const [path, content] of before)
          expect(contents.has(content), `${path}: ${content} was lost`).toBe(true)
        // The source keeps every name it had: nothing there is renamed away or overwritten by a namesake.
        const sourceNames = new Set(after.source.map(([path]) => path))
        for (const [name] of onSource) {
          const kept =
            sourceNames.has(name) || [...sourceNames].some((p) => p.startsWith(name.replace(/\.[^.]*$/, '')))
          expect(kept, `${name} is gone from the source`).toBe(true)
        }
        // And it converges: the next plan has nothing left to do.
        expect((await run.plan()).actions).toEqual([])
      }),
      { numRuns: runs },
    )
  })

  it('two names the destination cannot tell apart are a conflict in the plan, and neither is copied', async () => {
    const pair = pairOf()
    await pair.source.put('Notes.md', 'upper')
    await pair.source.put('notes.md', 'lower')
    const { plan } = await session(pair).sync()
    expect(plan.conflicts).toMatchObject([
      { outcome: 'left-alone', reason: expect.stringContaining('one name') },
    ])
    expect(await pair.destination.tree()).toEqual({})
  })

  it('the composed and decomposed forms of a name are one file, synced once', async () => {
    const pair = pairOf()
    await pair.source.put('cafe\u0301.txt', 'nfd')
    await pair.destination.put('caf\u00e9.txt', 'nfd', { mtimeMs: 1 })
    const run = session(pair)
    const { plan } = await run.sync()
    expect(plan.actions.filter((a) => a.kind === 'copy')).toHaveLength(0)
    expect(Object.keys(await pair.destination.tree())).toHaveLength(1)
  })
})
