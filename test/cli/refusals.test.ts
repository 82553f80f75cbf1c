import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MODES } from '../../src/core/policy.ts'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from './run-cli.ts'

/**
 * Inputs the CLI refuses before it touches anything: damaged plan files, a root that vanished, a damaged
 * state file, bad options. Each ends with exit 1, one line naming the problem, and both trees as they were.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const exists = async (file: string): Promise<boolean> => (await stat(file).catch(() => null)) !== null

const bothTrees = async (p: CliPair) => ({
  source: await readTree(p.src),
  destination: await readTree(p.dst),
})

type PlanJson = { version: number; actions: Record<string, unknown>[] }

interface Corruption {
  readonly name: string
  /** The bytes to put in the plan file, from the good plan's JSON; undefined: no file at all. */
  readonly text: (good: PlanJson) => string | undefined
  /** What the one-line message must mention. */
  readonly says: ReadonlyArray<string>
}

const withFirstAction = (good: PlanJson, change: Record<string, unknown>): string =>
  JSON.stringify({ ...good, actions: [{ ...good.actions[0], ...change }, ...good.actions.slice(1)] })

const corruptions: ReadonlyArray<Corruption> = [
  { name: 'not JSON at all', text: () => 'this is not a plan {', says: ['not JSON'] },
  {
    name: 'valid JSON but version 99',
    text: (good) => JSON.stringify({ ...good, version: 99 }),
    says: ['version'],
  },
  {
    name: 'an action of kind "copyy"',
    text: (good) => withFirstAction(good, { kind: 'copyy' }),
    says: ['actions[0].kind', 'copyy'],
  },
  {
    name: 'a path that climbs out of the root (../escape)',
    text: (good) => withFirstAction(good, { path: '../escape' }),
    says: ['actions[0].path', '../escape'],
  },
  {
    name: 'an absolute path (/etc/passwd)',
    text: (good) => withFirstAction(good, { path: '/etc/passwd' }),
    says: ['actions[0].path', '/etc/passwd'],
  },
  {
    name: 'a plan file that does not exist',
    text: () => undefined,
    says: ['cannot read the plan file', 'bad.json'],
  },
]

describe('refused inputs', () => {
  it.each(corruptions)(
    'apply refuses a plan file with $name: exit 1, one line, both trees untouched',
    async (c) => {
      pair = await cliPair()
      await putTree(pair.source, { 'a.txt': 'alpha', 'b.txt': 'beta' })
      await putTree(pair.destination, { 'x.txt': 'only on destination' })
      const goodFile = join(pair.scratch, 'good.json')
      const planned = await runCli(
        ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', goodFile],
        {
          cwd: pair.scratch,
        },
      )
      expect(planned.code).toBe(0)
      const good = JSON.parse(await readFile(goodFile, 'utf8')) as PlanJson
      expect(good.actions[0]).toHaveProperty('path')
      const badFile = join(pair.scratch, 'bad.json')
      const text = c.text(good)
      if (text !== undefined) await writeFile(badFile, text)
      const before = await bothTrees(pair)

      const applied = await runCli(['apply', badFile, '--state', pair.stateFile], { cwd: pair.scratch })

      expect(applied.code).toBe(1)
      const line = oneLineError(applied.stderr)
      for (const words of c.says) expect(line).toContain(words)
      expect(applied.stdout).toBe('')
      expect(await bothTrees(pair)).toEqual(before)
      expect(await exists(pair.stateFile)).toBe(false)
    },
  )

  it('plan refuses a destination root that vanished after a sync, naming how many paths the sync recorded', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    const synced = await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], {
      cwd: pair.scratch,
    })
    expect(synced.code).toBe(0)
    await rename(pair.dst, join(pair.base, 'destination-unmounted'))
    const source = await readTree(pair.src)
    const planFile = join(pair.scratch, 'plan.json')

    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain(`the destination root ${pair.dst} does not exist`)
    // a.txt, sub and sub/b.txt
    expect(line).toContain('the last sync recorded 3 paths')
    expect(await readTree(pair.src)).toEqual(source)
    expect(await exists(pair.dst)).toBe(false)
    expect(await exists(planFile)).toBe(false)
  })

  it('sync refuses a destination root that vanished after a sync, and deletes nothing on the source', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], { cwd: pair.scratch })
    await rename(pair.dst, join(pair.base, 'destination-unmounted'))
    const source = await readTree(pair.src)

    const synced = await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], {
      cwd: pair.scratch,
    })

    expect(synced.code).toBe(1)
    expect(oneLineError(synced.stderr)).toContain('does not exist')
    expect(await readTree(pair.src)).toEqual(source)
    expect(await exists(pair.dst)).toBe(false)
  })

  it('apply refuses a plan whose destination root vanished after the plan was made', async () => {
    pair = await cliPair()
    await putTree(pair.destination, { 'x.txt': 'x' })
    await putTree(pair.source, { 'a.txt': 'alpha' })
    const planFile = join(pair.scratch, 'plan.json')
    await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    await rename(pair.dst, join(pair.base, 'destination-unmounted'))

    const applied = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(applied.code).toBe(1)
    expect(oneLineError(applied.stderr)).toContain(`the destination root ${pair.dst} is gone`)
    expect(await readTree(pair.src)).toEqual({ 'a.txt': 'alpha' })
    expect(await exists(pair.dst)).toBe(false)
  })

  it('plan refuses a state file holding garbage, naming the file', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    await putTree(pair.destination, { 'x.txt': 'x' })
    await writeFile(pair.stateFile, 'garbage, not a state {')
    const planFile = join(pair.scratch, 'plan.json')

    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain(pair.stateFile)
    expect(await exists(planFile)).toBe(false)
    expect(await readFile(pair.stateFile, 'utf8')).toBe('garbage, not a state {')
  })

  it('plan refuses valid JSON that is not a state, naming the file and the field', async () => {
    pair = await cliPair()
    await writeFile(pair.stateFile, JSON.stringify({ format: 'syncengine-state', version: 1 }))

    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile], {
      cwd: pair.scratch,
    })

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain(pair.stateFile)
    expect(line).toContain('lineage')
  })

  it('an unknown --mode exits 1 with one line listing the modes', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })

    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--mode', 'bogus'], {
      cwd: pair.scratch,
    })

    expect(planned.code).toBe(1)
    expect(planned.stderr).not.toMatch(/^\s+at /m)
    const [line] = planned.stderr.split('\n')
    expect(line).toContain('bogus')
    for (const mode of MODES) expect(line).toContain(mode)
    expect(await readTree(pair.dst)).toEqual({})
  })

  it('an unknown --conflict exits 1 naming the strategies', async () => {
    pair = await cliPair()

    const synced = await runCli(
      ['sync', pair.src, pair.dst, '--state', pair.stateFile, '--conflict', 'coin'],
      {
        cwd: pair.scratch,
      },
    )

    expect(synced.code).toBe(1)
    const [line] = synced.stderr.split('\n')
    for (const strategy of ['newest', 'source', 'destination', 'keep-both', 'manual'])
      expect(line).toContain(strategy)
  })

  it.each([
    ['the destination inside the source', (p: CliPair) => [p.src, join(p.src, 'inner')]],
    ['the source inside the destination', (p: CliPair) => [join(p.dst, 'inner'), p.dst]],
    ['the same folder twice', (p: CliPair) => [p.src, `${p.src}/`]],
  ])('overlapping roots (%s) exit 1 and touch nothing', async (_name, roots) => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'inner/b.txt': 'beta' })
    await putTree(pair.destination, { 'inner/c.txt': 'gamma' })
    const before = await bothTrees(pair)

    const synced = await runCli(['sync', ...roots(pair), '--state', pair.stateFile], { cwd: pair.scratch })

    expect(synced.code).toBe(1)
    expect(oneLineError(synced.stderr)).toContain('overlap')
    expect(await bothTrees(pair)).toEqual(before)
    expect(await exists(pair.stateFile)).toBe(false)
  })
})
