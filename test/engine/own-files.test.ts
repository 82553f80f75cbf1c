import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createSyncEngine,
  describeError,
  type Mode,
  type PairSpec,
  type SyncError,
  type SyncResult,
} from '../../src/index.ts'
import { type CliPair, cliEnv, cliPair, oneLineError, putTree, runCli } from '../cli/run-cli.ts'
import { bytesTree } from '../support/bytes-tree.ts'
import { readStateFile } from '../support/state-file.ts'

/**
 * The pair's own files through the library's front door, `createSyncEngine`, on real folders: a state
 * file named inside a root is used and kept out of both trees (never deleted, never copied, never synced
 * as user data), and roots that overlap or a policy that does not decode are refused with a Left, never
 * a throw. Each case is checked against the command line in the same situation.
 */

const STATE_NAME = '.syncengine-state.json'

const pairs: CliPair[] = []
afterEach(async () => {
  for (const p of pairs.splice(0)) await p.cleanup()
})

const freshPair = async (): Promise<CliPair> => {
  const p = await cliPair()
  pairs.push(p)
  return p
}

const engineFor = (p: CliPair) => createSyncEngine({ cwd: p.scratch, env: cliEnv(p.scratch) })

const sync = (p: CliPair, spec: PairSpec): Promise<E.Either<SyncError, SyncResult>> =>
  engineFor(p).syncPair(spec)()

const rightOf = (result: E.Either<SyncError, SyncResult>): SyncResult => {
  if (E.isLeft(result)) throw new Error(`expected a Right, got ${describeError(result.left)}`)
  return result.right
}

const leftOf = (result: E.Either<SyncError, SyncResult>): SyncError => {
  if (E.isRight(result)) throw new Error('expected a Left, got a Right')
  return result.left
}

/** Every path any action of a plan names (its own path, a move's ends, a copy's origin). */
const pathsIn = (result: SyncResult): ReadonlyArray<string> =>
  result.plan.actions.flatMap((a) => {
    const named = a as { path?: string; from?: string; to?: string }
    return [named.path, named.from, named.to].filter((p): p is string => p !== undefined)
  })

const bothTrees = async (p: CliPair) => ({
  source: await bytesTree(p.src),
  destination: await bytesTree(p.dst),
})

const hex = (text: string): string => Buffer.from(text).toString('hex')

/** Two trees that differ, one file on each side only, and one the same on both. */
const fillDiffering = async (p: CliPair): Promise<void> => {
  await putTree(p.source, { 'a.txt': 'alpha', 'docs/b.txt': 'beta', 'same.txt': 'same' })
  await putTree(p.destination, { 'c.txt': 'gamma', 'same.txt': 'same' })
}

const stateOf = readStateFile

describe('a state file inside the destination, named by the program', () => {
  it.each<Mode>(['source-to-destination', 'two-way'])(
    '%s: is used, survives, is never synced, and the second run has nothing to do',
    async (mode) => {
      const p = await freshPair()
      await fillDiffering(p)
      const stateFile = join(p.dst, STATE_NAME)
      const spec: PairSpec = { source: p.src, destination: p.dst, stateFile, policy: { mode } }

      const first = rightOf(await sync(p, spec))

      // The state is written where it was named, and records the user's files only.
      const state = await stateOf(stateFile)
      expect(state.format).toBe('syncengine-state')
      expect([...state.entries.keys()]).not.toContain(STATE_NAME)
      expect(pathsIn(first)).not.toContain(STATE_NAME)
      expect(first.counts.errors + first.counts.skips).toBe(0)
      // The source never gets a copy of it (nor of its journal, lock or probe record).
      const trees = await bothTrees(p)
      expect(Object.keys(trees.source).filter((path) => path.includes('syncengine'))).toEqual([])
      // The destination is its user files, as the mode says, plus the state file and nothing else of ours.
      const { [STATE_NAME]: kept, ...userFiles } = trees.destination
      expect(kept).toBeDefined()
      if (mode === 'source-to-destination') expect(userFiles).toEqual(trees.source)
      else {
        expect(userFiles).toEqual(trees.source)
        expect(trees.source['c.txt']).toBe(hex('gamma'))
      }
      expect(trees.source['a.txt']).toBe(hex('alpha'))

      const second = rightOf(await sync(p, spec))

      expect(second.plan.actions).toEqual([])
      expect(second.plan.conflicts).toEqual([])
      // Only the state itself was written again (its serial); every user file is as it was.
      const after = await bothTrees(p)
      expect(after.source).toEqual(trees.source)
      expect({ ...after.destination, [STATE_NAME]: kept }).toEqual(trees.destination)
      expect((await stateOf(stateFile)).format).toBe('syncengine-state')
      // The library plans it the same way: nothing to do.
      const planned = await engineFor(p).plan(spec)()
      expect(E.isRight(planned) && planned.right.plan.actions).toEqual([])
    },
  )

  it.each<Mode>(['source-to-destination', 'two-way'])(
    '%s: the command line, given the same --state, leaves the same trees',
    async (mode) => {
      const library = await freshPair()
      const cli = await freshPair()
      for (const p of [library, cli]) await fillDiffering(p)

      for (let run = 0; run < 2; run++) {
        rightOf(
          await sync(library, {
            source: library.src,
            destination: library.dst,
            stateFile: join(library.dst, STATE_NAME),
            policy: { mode },
          }),
        )
        const result = await runCli(
          ['sync', cli.src, cli.dst, '--mode', mode, '--state', join(cli.dst, STATE_NAME), '--quiet'],
          { cwd: cli.scratch },
        )
        expect(result.code, result.stderr).toBe(0)
      }

      // The state files hold different roots: compare everything else byte for byte, and that both exist.
      const without = (tree: Record<string, string>) =>
        Object.fromEntries(Object.entries(tree).filter(([path]) => path !== STATE_NAME))
      const libraryTrees = await bothTrees(library)
      const cliTrees = await bothTrees(cli)
      expect(libraryTrees.destination[STATE_NAME]).toBeDefined()
      expect(cliTrees.destination[STATE_NAME]).toBeDefined()
      expect(libraryTrees.source).toEqual(cliTrees.source)
      expect(without(libraryTrees.destination)).toEqual(without(cliTrees.destination))
    },
  )

  it('a user file of the same name in the source is left alone on both sides, and never overwrites the state', async () => {
    const library = await freshPair()
    const cli = await freshPair()
    const setUp = async (p: CliPair) => {
      await putTree(p.source, { 'a.txt': 'alpha' })
      const spec: PairSpec = {
        source: p.src,
        destination: p.dst,
        stateFile: join(p.dst, STATE_NAME),
        policy: { mode: 'source-to-destination' },
      }
      rightOf(await sync(p, spec))
      // Now the source holds a user file with the state file's name, and something new to send.
      await putTree(p.source, { [STATE_NAME]: '{"mine": true}', 'b.txt': 'beta' })
      return spec
    }
    const spec = await setUp(library)
    await setUp(cli)

    // What one side sets aside is left alone on both: the mirror sends b.txt and nothing else.
    const synced = rightOf(await sync(library, spec))
    const result = await runCli(
      [
        'sync',
        cli.src,
        cli.dst,
        '--mode',
        'source-to-destination',
        '--state',
        join(cli.dst, STATE_NAME),
        '-q',
      ],
      { cwd: cli.scratch },
    )

    expect(synced.plan.actions.map((a) => a.kind)).toEqual(['copy'])
    expect(pathsIn(synced)).toEqual(['b.txt'])
    expect(result.code, result.stderr).toBe(0)
    for (const p of [library, cli]) {
      const { source, destination } = await bothTrees(p)
      expect(source[STATE_NAME]).toBe(hex('{"mine": true}'))
      expect(destination['b.txt']).toBe(hex('beta'))
      expect((await stateOf(join(p.dst, STATE_NAME))).format).toBe('syncengine-state')
    }
    const without = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([path]) => path !== STATE_NAME))
    expect((await bothTrees(library)).source).toEqual((await bothTrees(cli)).source)
    expect(without((await bothTrees(library)).destination)).toEqual(
      without((await bothTrees(cli)).destination),
    )
    // And the next run has nothing to do.
    expect(rightOf(await sync(library, spec)).plan.actions).toEqual([])
  })
})

describe('roots and policies the library refuses', () => {
  const refusals: ReadonlyArray<
    readonly [string, (p: CliPair) => { readonly source: string; readonly destination: string }]
  > = [
    ['the same folder for both sides', (p) => ({ source: p.src, destination: p.src })],
    ['the same folder, spelled with a trailing slash', (p) => ({ source: p.src, destination: `${p.src}/` })],
    ['the destination inside the source', (p) => ({ source: p.src, destination: join(p.src, 'inner') })],
    ['the source inside the destination', (p) => ({ source: join(p.dst, 'inner'), destination: p.dst })],
  ]

  it.each(refusals)('%s: Left RootsOverlap, one line, nothing touched, as the CLI', async (_name, roots) => {
    const p = await freshPair()
    await putTree(p.source, { 'a.txt': 'alpha', 'inner/b.txt': 'beta' })
    await putTree(p.destination, { 'inner/c.txt': 'gamma' })
    const before = await bothTrees(p)
    const { source, destination } = roots(p)

    const refused = leftOf(await sync(p, { source, destination, stateFile: p.stateFile }))

    expect(refused._tag).toBe('RootsOverlap')
    const line = describeError(refused)
    expect(line).not.toContain('\n')
    expect(line).toContain('overlap')
    expect(await bothTrees(p)).toEqual(before)
    expect(await readFile(p.stateFile).catch(() => null)).toBeNull()

    // The command line says the very same line, and touches nothing either.
    const result = await runCli(['sync', source, destination, '--state', p.stateFile], { cwd: p.scratch })
    expect(result.code).toBe(1)
    expect(oneLineError(result.stderr)).toBe(`error: ${line}`)
    expect(await bothTrees(p)).toEqual(before)
  })

  it('a policy with mode "sideways" is Left InvalidInput, never a throw, and the CLI refuses --mode sideways', async () => {
    const p = await freshPair()
    await putTree(p.source, { 'a.txt': 'alpha' })
    const policy = { mode: 'sideways' } as unknown as NonNullable<PairSpec['policy']>

    const synced = await sync(p, { source: p.src, destination: p.dst, stateFile: p.stateFile, policy })
    const planned = await engineFor(p).plan({
      source: p.src,
      destination: p.dst,
      stateFile: p.stateFile,
      policy,
    })()

    const refused = leftOf(synced)
    expect(refused._tag).toBe('InvalidInput')
    const line = describeError(refused)
    expect(line).not.toContain('\n')
    expect(line).toContain('sideways')
    expect(E.isLeft(planned) && planned.left._tag).toBe('InvalidInput')
    expect(await bytesTree(p.dst)).toEqual({})

    const result = await runCli(['sync', p.src, p.dst, '--mode', 'sideways', '--state', p.stateFile], {
      cwd: p.scratch,
    })
    expect(result.code).toBe(1)
    expect(oneLineError(result.stderr)).toContain('sideways')
    expect(await bytesTree(p.dst)).toEqual({})
  })

  it('a nested root that does not exist yet is refused before it is made', async () => {
    const p = await freshPair()
    await putTree(p.source, { 'a.txt': 'alpha' })
    const nested = join(p.src, 'not-yet')

    const refused = leftOf(await sync(p, { source: p.src, destination: nested, stateFile: p.stateFile }))

    expect(refused._tag).toBe('RootsOverlap')
    expect(await bytesTree(p.src)).toEqual({ 'a.txt': hex('alpha') })
  })
})

describe('a state file in a folder of its own inside a root', () => {
  /**
   * The folder holding the state is an ordinary folder on the other side: a two-way sync creates it
   * there. That is no plan touching the state (which sits in the other root), so every later run
   * goes through; it used to be refused from the second run on, the library and the CLI alike.
   */
  it.each([
    ['destination', (p: CliPair) => join(p.dst, '.meta', 'state.json')],
    ['source', (p: CliPair) => join(p.src, '.meta', 'state.json')],
  ])(
    'inside the %s: every run succeeds, the library and the CLI alike, and the state is never copied',
    async (side, stateIn) => {
      const library = await freshPair()
      const cli = await freshPair()
      for (const p of [library, cli]) await putTree(p.source, { 'a.txt': 'alpha' })

      for (let run = 0; run < 3; run++) {
        const synced = rightOf(
          await sync(library, { source: library.src, destination: library.dst, stateFile: stateIn(library) }),
        )
        const result = await runCli(['sync', cli.src, cli.dst, '--state', stateIn(cli), '-q'], {
          cwd: cli.scratch,
        })
        expect(result.code, result.stderr).toBe(0)
        expect(pathsIn(synced)).not.toContain('.meta/state.json')
        for (const p of [library, cli]) await putTree(p.source, { [`new-${run}.txt`]: `run ${run}` })
      }

      const other = side === 'source' ? 'destination' : 'source'
      for (const p of [library, cli]) {
        const trees = await bothTrees(p)
        expect(trees[side === 'source' ? 'source' : 'destination']['.meta/state.json']).toBeDefined()
        expect(Object.keys(trees[other]).filter((path) => path.startsWith('.meta'))).toEqual(['.meta/'])
      }
      const libraryTrees = await bothTrees(library)
      const cliTrees = await bothTrees(cli)
      expect(libraryTrees[other]).toEqual(cliTrees[other])
      expect(Object.keys(libraryTrees[side === 'source' ? 'source' : 'destination'])).toEqual(
        Object.keys(cliTrees[side === 'source' ? 'source' : 'destination']),
      )
      // Everything but the last new file went across.
      expect(libraryTrees.destination['new-1.txt']).toBe(hex('run 1'))
    },
  )

  it('a user file beside the state is synced; the state is not', async () => {
    const p = await freshPair()
    await putTree(p.source, { 'a.txt': 'alpha', '.sync/keep.txt': 'mine' })
    const stateFile = join(p.src, '.sync', 'state.json')
    const spec: PairSpec = { source: p.src, destination: p.dst, stateFile }

    const first = rightOf(await sync(p, spec))
    const second = rightOf(await sync(p, spec))

    expect(pathsIn(first)).not.toContain('.sync/state.json')
    expect(second.plan.actions).toEqual([])
    expect(await bytesTree(p.dst)).toEqual({
      '.sync/': '/',
      '.sync/keep.txt': hex('mine'),
      'a.txt': hex('alpha'),
    })
    expect((await stateOf(stateFile)).format).toBe('syncengine-state')
  })
})
