import { randomBytes } from 'node:crypto'
import { readFile, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, putTree, runCli } from './run-cli.ts'

/**
 * The review loop through the CLI on real folders: `plan --out` prints and saves a plan and touches
 * nothing, `show` prints it again, `apply` carries it out, and a new plan is empty.
 */

const SUMMARY = /^Plan: \d+ to upload, \d+ to download, \d+ to move, \d+ to delete, \d+ conflicts?\.$/m

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

/** A pair synced once with `a.txt`, `gone.txt`, `sub/b.txt`, then edited on both sides. */
const editedPair = async (): Promise<CliPair> => {
  pair = await cliPair()
  await putTree(pair.source, { 'a.txt': 'alpha', 'gone.txt': 'gone', 'sub/b.txt': 'beta' })
  const first = await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], { cwd: pair.scratch })
  expect(first.code).toBe(0)
  await pair.source.put('a.txt', 'alpha, edited')
  await pair.source.remove('gone.txt')
  await pair.source.put('new.txt', 'new')
  await pair.destination.put('d.txt', 'from destination')
  return pair
}

const bothTrees = async (p: CliPair) => ({
  source: await readTree(p.src),
  destination: await readTree(p.dst),
})

/** Every object in a JSON value has its keys in sorted order. */
const keysSorted = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.every(keysSorted)
  if (value === null || typeof value !== 'object') return true
  const keys = Object.keys(value)
  return (
    keys.every((k, i) => i === 0 || (keys[i - 1] ?? '') < k) &&
    Object.values(value).every((v) => keysSorted(v))
  )
}

describe('plan, show and apply', () => {
  it('plan --out prints the actions and a summary, saves valid JSON, and touches neither tree; apply then syncs', async () => {
    const p = await editedPair()
    const planFile = join(p.scratch, 'plan.json')
    const before = await bothTrees(p)

    const planned = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], {
      cwd: p.scratch,
    })

    expect(planned.code).toBe(0)
    expect(planned.stdout).toMatch(/^ {2}~ upload +a\.txt .*changed on source/m)
    expect(planned.stdout).toMatch(/^ {2}\+ upload +new\.txt /m)
    expect(planned.stdout).toMatch(/^ {2}- delete on destination +gone\.txt /m)
    expect(planned.stdout).toMatch(/^ {2}\+ download +d\.txt /m)
    expect(planned.stdout).toMatch(SUMMARY)
    expect(planned.stdout).toContain('Plan: 2 to upload, 1 to download, 0 to move, 1 to delete, 0 conflicts.')
    expect(planned.stderr).toContain(`Saved the plan to ${planFile}`)
    const json = JSON.parse(await readFile(planFile, 'utf8'))
    expect(json.format).toBe('syncengine-plan')
    expect(json.version).toBe(1)
    expect(Array.isArray(json.actions)).toBe(true)
    expect(json.actions.map((a: { kind: string; path: string }) => `${a.kind} ${a.path}`).sort()).toEqual([
      'copy a.txt',
      'copy d.txt',
      'copy new.txt',
      'delete gone.txt',
    ])
    expect(await bothTrees(p)).toEqual(before)

    // No --state: the plan carries the state file it was made with.
    const applied = await runCli(['apply', planFile], { cwd: p.scratch })

    expect(applied.code).toBe(0)
    expect(applied.stdout).toContain('Apply complete: 4 applied')
    const expected = {
      'a.txt': 'alpha, edited',
      'd.txt': 'from destination',
      'new.txt': 'new',
      'sub/': '',
      'sub/b.txt': 'beta',
    }
    expect(await bothTrees(p)).toEqual({ source: expected, destination: expected })

    const again = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'], {
      cwd: p.scratch,
    })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('No changes')
  })

  it('plan --detailed-exitcode exits 2 when there are changes, and changes nothing', async () => {
    const p = await editedPair()
    const before = await bothTrees(p)

    const planned = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'], {
      cwd: p.scratch,
    })

    expect(planned.code).toBe(2)
    expect(planned.stdout).toMatch(SUMMARY)
    expect(await bothTrees(p)).toEqual(before)
  })

  it('plan --json prints the plan as JSON on stdout, the same JSON --out saves', async () => {
    const p = await editedPair()
    const planFile = join(p.scratch, 'plan.json')

    const printed = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--json'], { cwd: p.scratch })
    const saved = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--json', '--out', planFile], {
      cwd: p.scratch,
    })

    expect(printed.code).toBe(0)
    const json = JSON.parse(printed.stdout)
    expect(json.format).toBe('syncengine-plan')
    expect(json.version).toBe(1)
    expect(json.actions).toHaveLength(4)
    expect(json.summary).toMatchObject({ upload: 2, download: 1, move: 0, conflict: 0 })
    expect(saved.stdout).toBe(printed.stdout)
    expect(await readFile(planFile, 'utf8')).toBe(printed.stdout)
  })

  it('show prints the same text as plan did, and show --json the canonical JSON of the file', async () => {
    const p = await editedPair()
    const planFile = join(p.scratch, 'plan.json')
    const planned = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], {
      cwd: p.scratch,
    })
    expect(planned.code).toBe(0)

    const shown = await runCli(['show', planFile], { cwd: p.scratch })
    const shownJson = await runCli(['show', planFile, '--json'], { cwd: p.scratch })

    expect(shown.code).toBe(0)
    expect(shown.stdout).toBe(planned.stdout)
    expect(shownJson.code).toBe(0)
    expect(shownJson.stdout).toBe(await readFile(planFile, 'utf8'))
    expect(keysSorted(JSON.parse(shownJson.stdout))).toBe(true)
  })

  it('sync plans and applies in one go', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    await putTree(pair.destination, { 'd.txt': 'delta' })

    const synced = await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], {
      cwd: pair.scratch,
    })

    expect(synced.code).toBe(0)
    expect(synced.stdout).toMatch(/^ {2}\+ upload +a\.txt /m)
    expect(synced.stdout).toMatch(/^ {2}\+ download +d\.txt /m)
    expect(synced.stdout).toMatch(SUMMARY)
    expect(synced.stdout).toContain('Apply complete')
    const expected = { 'a.txt': 'alpha', 'd.txt': 'delta', 'sub/': '', 'sub/b.txt': 'beta' }
    expect(await readTree(pair.src)).toEqual(expected)
    expect(await readTree(pair.dst)).toEqual(expected)
    const again = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--detailed-exitcode'],
      {
        cwd: pair.scratch,
      },
    )
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('No changes')
  })

  it('a relative --out is written in the working directory the CLI is given', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    // A name no one else uses, so a plan written to the wrong folder can be found and removed.
    const name = `plan-${randomBytes(4).toString('hex')}.json`
    const misplaced = resolve(process.cwd(), name)
    try {
      const planned = await runCli(
        ['plan', '../source', '../destination', '--state', 'state.json', '--out', name],
        {
          cwd: pair.scratch,
        },
      )
      const applied = await runCli(['apply', name], { cwd: pair.scratch })

      expect(planned.code).toBe(0)
      expect(await stat(misplaced).catch(() => null)).toBeNull()
      expect((await stat(join(pair.scratch, name))).isFile()).toBe(true)
      expect(applied.code).toBe(0)
      expect(await readTree(pair.dst)).toEqual({ 'a.txt': 'alpha' })
    } finally {
      await rm(misplaced, { force: true })
    }
  })

  it('show reads a relative plan path from the working directory the CLI is given', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    const planned = await runCli(
      ['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', join(pair.scratch, 'plan.json')],
      { cwd: pair.scratch },
    )

    const shown = await runCli(['show', 'plan.json'], { cwd: pair.scratch })

    expect(shown.stderr).toBe('')
    expect(shown.code).toBe(0)
    expect(shown.stdout).toBe(planned.stdout)
  })
})
