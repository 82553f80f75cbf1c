import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { derivedOf } from '../../src/core/plan/derived.ts'
import { Plan } from '../../src/core/plan-file.ts'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from './run-cli.ts'

/**
 * Roots, the state, journal, lock, plan and backup folder are compared by where they really are: a
 * symlink on the way (or a second spelling) hides no overlap, and the pair's own files are kept out of
 * the snapshots however their paths are spelled.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/** A pair with `alias → source` and `dlink → destination` beside the roots. */
const linkedPair = async (): Promise<CliPair & { readonly alias: string; readonly dlink: string }> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, { 'a.txt': 'alpha', 'docs/b.txt': 'beta' })
  const alias = join(p.base, 'alias')
  const dlink = join(p.base, 'dlink')
  await symlink(p.src, alias)
  await symlink(p.dst, dlink)
  return { ...p, alias, dlink }
}

describe('roots compared by where they are', () => {
  it('a destination inside the source through a symlink is refused, and nothing nests on each run', async () => {
    const p = await linkedPair()
    const before = await readTree(p.src)

    const synced = await cli(p, ['sync', p.src, join(p.alias, 'inner'), '--state', p.stateFile])
    const again = await cli(p, ['sync', p.src, join(p.alias, 'inner'), '--state', p.stateFile])

    expect(synced.code).toBe(1)
    const line = oneLineError(synced.stderr)
    expect(line).toContain(p.src)
    expect(line).toContain(join(p.alias, 'inner'))
    expect(line).toContain(join(p.src, 'inner'))
    expect(again.code).toBe(1)
    expect(await readTree(p.src)).toEqual(before)
  })

  it('a destination that is the source through a symlink is refused', async () => {
    const p = await linkedPair()

    const planned = await cli(p, ['plan', p.alias, p.src, '--state', p.stateFile])

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain('overlap')
  })
})

describe('the backup folder compared by where it is', () => {
  it('--backup-dir through a symlink into the destination is refused at plan time', async () => {
    const p = await linkedPair()
    const planFile = join(p.scratch, 'plan.json')

    const planned = await cli(p, [
      'plan',
      p.src,
      p.dst,
      '--backup-dir',
      join(p.dlink, 'backups'),
      '--state',
      p.stateFile,
      '--out',
      planFile,
    ])

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain(join(p.dlink, 'backups'))
    expect(line).toContain(join(p.dst, 'backups'))
    expect(line).toContain(p.dst)
    expect(await exists(planFile)).toBe(false)
  })

  it('apply refuses a plan whose backup folder reaches into a root through a symlink', async () => {
    const p = await linkedPair()
    await putTree(p.destination, { 'old.txt': 'kept only on the destination' })
    const planFile = join(p.scratch, 'plan.json')
    const backups = join(p.scratch, 'backups')
    await cli(p, [
      'plan',
      p.src,
      p.dst,
      '--mode',
      'source-to-destination',
      '--backup-dir',
      backups,
      '--state',
      p.stateFile,
      '--out',
      planFile,
    ])
    const json = JSON.parse(await readFile(planFile, 'utf8'))
    await writeFile(
      planFile,
      JSON.stringify({ ...json, policy: { ...json.policy, backupDir: join(p.dlink, 'backups') } }),
    )
    const before = await readTree(p.dst)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(1)
    expect(oneLineError(applied.stderr)).toContain('overlaps the destination folder')
    expect(await readTree(p.dst)).toEqual(before)
  })
})

describe("the pair's own files compared by where they are", () => {
  it('a state file inside the source, named through a symlink, is never synced', async () => {
    const p = await linkedPair()
    const stateFile = join(p.alias, '.sync-state.json')

    const first = await cli(p, ['sync', p.src, p.dst, '--state', stateFile])
    const second = await cli(p, ['sync', p.src, p.dst, '--state', stateFile])

    expect(first.code).toBe(0)
    expect(await exists(join(p.src, '.sync-state.json'))).toBe(true)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('No changes.')
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha', 'docs/': '', 'docs/b.txt': 'beta' })
  })

  it('a plan file written into the source through a symlink is not in the plan', async () => {
    const p = await linkedPair()
    const planFile = join(p.alias, 'review.json')
    await writeFile(join(p.src, 'review.json'), '{}')

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])

    expect(planned.code).toBe(0)
    expect(planned.stdout).not.toContain('review.json')
  })

  it('a hand-edited plan that deletes the state file, named through a symlink, is refused', async () => {
    const p = await linkedPair()
    const stateFile = join(p.dlink, '.sync-state.json')
    expect((await cli(p, ['sync', p.src, p.dst, '--state', stateFile])).code).toBe(0)
    await putTree(p.source, { 'c.txt': 'gamma' })
    const planFile = join(p.scratch, 'plan.json')
    await cli(p, ['plan', p.src, p.dst, '--state', stateFile, '--out', planFile])
    const json = JSON.parse(await readFile(planFile, 'utf8'))
    const info = await stat(join(p.dst, '.sync-state.json'))
    const entry = { kind: 'file', size: info.size, mtimeMs: Math.round(info.mtimeMs), exec: false }
    const tidy = { kind: 'delete', side: 'destination', path: '.sync-state.json', entry, reason: 'tidy' }
    // Edited with care: the summary and the guard's verdict agree with the new actions.
    const edited = Plan.decode({ ...json, actions: [tidy, ...json.actions] })
    if (E.isLeft(edited)) throw new Error('the edited plan does not decode')
    await writeFile(planFile, JSON.stringify(Plan.encode({ ...edited.right, ...derivedOf(edited.right) })))
    const state = await readFile(stateFile, 'utf8')

    const applied = await cli(p, ['apply', planFile, '--state', stateFile])

    expect(applied.code).toBe(1)
    expect(oneLineError(applied.stderr)).toContain("syncengine's own state file")
    expect(await readFile(stateFile, 'utf8')).toBe(state)
  })
})

describe('plan --out never overwrites the state', () => {
  it.each([
    ['the state file', (s: string) => s],
    ['the journal', (s: string) => `${s}.journal`],
    ['the lock file', (s: string) => `${s}.lock`],
  ])('--out naming %s is refused, and the state is untouched', async (what, fileOf) => {
    const p = await linkedPair()
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])).code).toBe(0)
    await putTree(p.source, { 'c.txt': 'gamma' })
    const state = await readFile(p.stateFile, 'utf8')

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', fileOf(p.stateFile)])

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain(`is the pair's ${what.replace('the ', '')}`)
    expect(await readFile(p.stateFile, 'utf8')).toBe(state)
  })

  it('--out naming the state through a symlink to its folder is refused', async () => {
    const p = await linkedPair()
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])).code).toBe(0)
    const stateLink = join(p.base, 'state-folder')
    await symlink(p.scratch, stateLink)
    const state = await readFile(p.stateFile, 'utf8')

    const planned = await cli(p, [
      'plan',
      p.src,
      p.dst,
      '--state',
      p.stateFile,
      '--out',
      join(stateLink, 'state.json'),
    ])

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain("is the pair's state file")
    expect(await readFile(p.stateFile, 'utf8')).toBe(state)
  })
})

describe('where a plan says the state and backups go', () => {
  it('show prints the state file and the backup folder the plan names', async () => {
    const p = await linkedPair()
    const planFile = join(p.scratch, 'plan.json')
    const backups = join(p.scratch, 'backups')
    await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--backup-dir', backups, '--out', planFile])

    const shown = await cli(p, ['show', planFile])

    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`state file: ${p.stateFile}`)
    expect(shown.stdout).toContain(`backups: ${backups}`)
  })

  it('apply refuses a state file only the plan names when it is inside a root, and writes nothing there', async () => {
    const p = await linkedPair()
    const planFile = join(p.scratch, 'plan.json')
    await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
    const json = JSON.parse(await readFile(planFile, 'utf8'))
    // The reviewer's own file in the destination, which a state written there would replace.
    await mkdir(p.dst, { recursive: true })
    await writeFile(join(p.dst, 'thesis.json'), '{"chapter": 1}')
    await writeFile(planFile, JSON.stringify({ ...json, stateFile: join(p.dlink, 'thesis.json') }))

    const shown = await cli(p, ['show', planFile])
    const applied = await cli(p, ['apply', planFile])

    expect(shown.stdout).toContain(`state file: ${join(p.dlink, 'thesis.json')}`)
    expect(applied.code).toBe(1)
    const line = oneLineError(applied.stderr)
    expect(line).toContain('inside the destination root')
    expect(line).toContain('--state')
    expect(await readTree(p.dst)).toEqual({ 'thesis.json': '{"chapter": 1}' })
  })

  it('a state file the config names inside a root is used by apply NAME', async () => {
    const p = await linkedPair()
    await writeFile(
      join(p.scratch, 'syncengine.json'),
      JSON.stringify({
        pairs: { docs: { source: p.src, destination: p.dst, state: join(p.src, '.state.json') } },
      }),
    )

    const planned = await cli(p, ['plan', 'docs'])
    const applied = await cli(p, ['apply', 'docs'])

    expect(planned.code).toBe(0)
    expect(applied.code).toBe(0)
    expect(await exists(join(p.src, '.state.json'))).toBe(true)
    expect(await exists(join(p.dst, '.state.json'))).toBe(false)
  })
})
