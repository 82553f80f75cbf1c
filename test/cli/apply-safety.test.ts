import { readFile, rename, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, putTree, runCli } from './run-cli.ts'

/**
 * What apply refuses to do without a review: overwrite a file changed after the plan, run a plan made
 * against an older state, or pick a side of a conflict left for a person.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const sync = async (p: CliPair, ...flags: string[]) => {
  const synced = await runCli(['sync', p.src, p.dst, '--state', p.stateFile, ...flags], { cwd: p.scratch })
  expect(synced.code).toBe(0)
}

describe('apply through the CLI', () => {
  it('skips a file changed on the destination after the plan, keeps the change, and runs every other action', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'gone.txt': 'gone', 'sub/b.txt': 'beta' })
    await sync(pair)
    await pair.source.put('a.txt', 'alpha, edited on source')
    await pair.source.remove('gone.txt')
    await pair.source.put('new.txt', 'new')
    await pair.destination.put('d.txt', 'from destination')
    const planFile = join(pair.scratch, 'plan.json')
    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    expect(planned.code).toBe(0)
    expect(planned.stdout).toMatch(/^ {2}~ upload +a\.txt /m)
    // The user edits the file the plan would overwrite: new content, new mtime.
    await pair.destination.put('a.txt', 'alpha, edited on destination after the plan')

    const applied = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(applied.code).toBe(3)
    expect(applied.stderr).toMatch(/^skipped copy a\.txt: /m)
    expect(applied.stdout).toContain('Apply incomplete: 3 applied, 0 already done, 1 skipped')
    expect(await readTree(pair.src)).toEqual({
      'a.txt': 'alpha, edited on source',
      'd.txt': 'from destination',
      'new.txt': 'new',
      'sub/': '',
      'sub/b.txt': 'beta',
    })
    expect(await readTree(pair.dst)).toEqual({
      'a.txt': 'alpha, edited on destination after the plan',
      'd.txt': 'from destination',
      'new.txt': 'new',
      'sub/': '',
      'sub/b.txt': 'beta',
    })

    const again = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--json', '--detailed-exitcode'],
      { cwd: pair.scratch },
    )
    expect(again.code).toBe(2)
    const remaining = JSON.parse(again.stdout) as {
      actions: { path?: string; from?: string }[]
      conflicts: { path: string }[]
    }
    const paths = [
      ...remaining.actions.map((a) => a.path ?? a.from),
      ...remaining.conflicts.map((c) => c.path),
    ]
    expect(paths).toContain('a.txt')
    expect(paths.filter((path) => !path?.startsWith('a.'))).toEqual([])
  })

  it('refuses a stale plan: plan A, plan B, apply B, then apply A is refused and changes nothing', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    await sync(pair)
    await pair.source.put('new.txt', 'new')
    await pair.destination.put('x.txt', 'only on destination')
    const planA = join(pair.scratch, 'a.json')
    const planB = join(pair.scratch, 'b.json')
    // A mirrors (deletes x.txt), B backs up (keeps it): applying A late would delete a file B kept.
    const madeA = await runCli(
      [
        'plan',
        pair.src,
        pair.dst,
        '--state',
        pair.stateFile,
        '--mode',
        'source-to-destination',
        '--out',
        planA,
      ],
      { cwd: pair.scratch },
    )
    const madeB = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--mode', 'source-backup', '--out', planB],
      { cwd: pair.scratch },
    )
    expect(madeA.stdout).toMatch(/^ {2}- delete on destination +x\.txt /m)
    expect(madeB.code).toBe(0)
    expect((await runCli(['apply', planB], { cwd: pair.scratch })).code).toBe(0)
    const trees = { source: await readTree(pair.src), destination: await readTree(pair.dst) }
    const state = await readFile(pair.stateFile, 'utf8')

    const applied = await runCli(['apply', planA], { cwd: pair.scratch })

    expect(applied.code).toBe(1)
    expect(applied.stderr).toContain('stale')
    expect(applied.stderr).not.toMatch(/^\s+at /m)
    expect({ source: await readTree(pair.src), destination: await readTree(pair.dst) }).toEqual(trees)
    expect(trees.destination['x.txt']).toBe('only on destination')
    expect(await readFile(pair.stateFile, 'utf8')).toBe(state)
  })

  it('refuses a plan made before the first sync once that sync has happened', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    await putTree(pair.destination, { 'x.txt': 'only on destination' })
    const planA = join(pair.scratch, 'a.json')
    const planB = join(pair.scratch, 'b.json')
    await runCli(
      [
        'plan',
        pair.src,
        pair.dst,
        '--state',
        pair.stateFile,
        '--mode',
        'source-to-destination',
        '--out',
        planA,
      ],
      { cwd: pair.scratch },
    )
    await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--mode', 'source-backup', '--out', planB],
      { cwd: pair.scratch },
    )
    expect((await runCli(['apply', planB], { cwd: pair.scratch })).code).toBe(0)
    const trees = { source: await readTree(pair.src), destination: await readTree(pair.dst) }

    const applied = await runCli(['apply', planA], { cwd: pair.scratch })

    expect(applied.code).toBe(1)
    expect(applied.stderr).toContain('stale')
    expect({ source: await readTree(pair.src), destination: await readTree(pair.dst) }).toEqual(trees)
  })

  it('never writes through a destination folder that became a symlink leaving the root after the plan', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'sub/keep.txt': 'keep' })
    await sync(pair)
    await pair.source.put('sub/new.txt', 'new')
    const planFile = join(pair.scratch, 'plan.json')
    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    expect(planned.stdout).toMatch(/^ {2}\+ upload +sub\/new\.txt /m)
    // Someone moves the folder elsewhere and leaves a symlink to it in its place.
    const outside = join(pair.base, 'outside')
    await rename(join(pair.dst, 'sub'), outside)
    await symlink(outside, join(pair.dst, 'sub'))

    const applied = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(await readTree(outside)).toEqual({ 'keep.txt': 'keep' })
    expect(applied.code).toBe(3)
    expect(applied.stderr).toContain('sub/new.txt')
  })

  it('--conflict manual: apply runs everything else, leaves the conflicting file on both sides, exits 3', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'f.txt': 'v0', 'other.txt': 'o' })
    await sync(pair)
    await pair.source.put('f.txt', 'edited on source')
    await pair.destination.put('f.txt', 'edited on destination')
    await pair.source.put('new.txt', 'new')
    const planFile = join(pair.scratch, 'plan.json')
    const planned = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--conflict', 'manual', '--out', planFile],
      { cwd: pair.scratch },
    )
    expect(planned.code).toBe(0)
    expect(planned.stdout).toMatch(/^ {2}! conflict +f\.txt /m)
    expect(planned.stdout).toContain('1 conflict.')

    const applied = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(applied.code).toBe(3)
    expect(applied.stdout).toContain('1 conflict(s) left for you to resolve')
    expect(await readTree(pair.src)).toEqual({
      'f.txt': 'edited on source',
      'new.txt': 'new',
      'other.txt': 'o',
    })
    expect(await readTree(pair.dst)).toEqual({
      'f.txt': 'edited on destination',
      'new.txt': 'new',
      'other.txt': 'o',
    })
    const again = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--conflict', 'manual'],
      {
        cwd: pair.scratch,
      },
    )
    expect(again.stdout).toMatch(/^ {2}! conflict +f\.txt /m)
    expect(again.stdout).not.toContain('new.txt')
  })

  it('sync --conflict manual also exits 3 and touches neither version of the conflicting file', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'f.txt': 'v0' })
    await sync(pair)
    await pair.source.put('f.txt', 'edited on source')
    await pair.destination.put('f.txt', 'edited on destination')

    const synced = await runCli(
      ['sync', pair.src, pair.dst, '--state', pair.stateFile, '--conflict', 'manual'],
      {
        cwd: pair.scratch,
      },
    )

    expect(synced.code).toBe(3)
    expect(synced.stdout).toContain('conflict(s) left')
    expect(await readTree(pair.src)).toEqual({ 'f.txt': 'edited on source' })
    expect(await readTree(pair.dst)).toEqual({ 'f.txt': 'edited on destination' })
  })
})
