import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliPair, cliPair, runCli } from '../cli/run-cli.ts'
import { readTree } from '../support/sides.ts'

/**
 * The delete guard (issue 4): a plan that deletes more than the limit on one side (50% of its files by
 * default, never fewer than 10 files) is blocked until the reviewer allows it, while a renamed folder,
 * however large, is moves and never trips it.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

interface PlanJson {
  readonly actions: ReadonlyArray<{ readonly kind: string; readonly entry?: { readonly kind: string } }>
  readonly blocked: { side: string; deletes: number; files: number; limit: string } | null
}

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

/** A pair holding `photos/p1.jpg` … `photos/pN.jpg` on both sides, synced. */
const syncedPhotos = async (count: number): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  for (let i = 1; i <= count; i++) await p.source.put(`photos/p${i}.jpg`, `photo ${i}`)
  const synced = await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])
  expect(synced.code, synced.stderr).toBe(0)
  return p
}

const removeOnSource = async (p: CliPair, count: number): Promise<void> => {
  for (let i = 1; i <= count; i++) await p.source.remove(`photos/p${i}.jpg`)
}

const planTo = async (p: CliPair, ...flags: string[]) => {
  const planFile = join(p.scratch, 'plan.json')
  const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile, ...flags])
  expect(planned.code, planned.stderr).toBe(0)
  const json = JSON.parse(await readFile(planFile, 'utf8')) as PlanJson
  return { planFile, planned, json }
}

const fileDeletes = (json: PlanJson): number =>
  json.actions.filter((a) => a.kind === 'delete' && a.entry?.kind !== 'dir').length

const photosOn = async (root: string): Promise<number> =>
  Object.keys(await readTree(root)).filter((path) => path.endsWith('.jpg')).length

describe('the delete guard', () => {
  it('renaming a folder of 100 files on the source plans 100 moves and no file deletes, is not blocked, and applies', async () => {
    const p = await syncedPhotos(100)
    await p.source.rename('photos', 'pictures')

    const { planFile, planned, json } = await planTo(p)

    expect(json.actions.filter((a) => a.kind === 'move')).toHaveLength(100)
    expect(fileDeletes(json)).toBe(0)
    expect(json.blocked).toBeNull()
    expect(planned.stdout).not.toContain('Blocked')
    const applied = await cli(p, ['apply', planFile])
    expect(applied.code, applied.stderr).toBe(0)
    const destination = await readTree(p.dst)
    expect(Object.keys(destination).filter((path) => path.startsWith('pictures/'))).toHaveLength(101)
    expect(Object.keys(destination).filter((path) => path.startsWith('photos'))).toEqual([])
    expect(destination['pictures/p42.jpg']).toBe('photo 42')
  })

  it('deleting 60 of 100 files is blocked: the plan says so, apply exits 1 naming the limit and changes nothing, and sync refuses too', async () => {
    const p = await syncedPhotos(100)
    await removeOnSource(p, 60)

    const { planFile, planned, json } = await planTo(p)

    expect(json.blocked).toEqual({
      rule: 'limit',
      side: 'destination',
      deletes: 60,
      files: 100,
      limit: '50%',
    })
    expect(planned.stdout).toContain('Blocked')
    const before = { source: await readTree(p.src), destination: await readTree(p.dst) }
    const state = await readFile(p.stateFile, 'utf8')
    const applied = await cli(p, ['apply', planFile])
    expect(applied.code).toBe(1)
    expect(applied.stderr).toContain('limit 50%')
    expect(applied.stderr).toContain('--allow-mass-delete')
    const synced = await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])
    expect(synced.code).toBe(1)
    expect(synced.stderr).toContain('--allow-mass-delete')
    expect({ source: await readTree(p.src), destination: await readTree(p.dst) }).toEqual(before)
    expect(await photosOn(p.dst)).toBe(100)
    expect(await readFile(p.stateFile, 'utf8')).toBe(state)
  })

  it('plan --allow-mass-delete lets the 60 deletes through, and apply deletes them', async () => {
    const p = await syncedPhotos(100)
    await removeOnSource(p, 60)

    const { planFile, planned, json } = await planTo(p, '--allow-mass-delete')

    expect(json.blocked).toBeNull()
    expect(fileDeletes(json)).toBe(60)
    expect(planned.stdout).not.toContain('Blocked')
    const applied = await cli(p, ['apply', planFile])
    expect(applied.code, applied.stderr).toBe(0)
    expect(await photosOn(p.dst)).toBe(40)
    expect(await photosOn(p.src)).toBe(40)
  })

  it('--max-delete 70% lets 60 of 100 deletes through', async () => {
    const p = await syncedPhotos(100)
    await removeOnSource(p, 60)

    const { planFile, json } = await planTo(p, '--max-delete', '70%')

    expect(json.blocked).toBeNull()
    expect((await cli(p, ['apply', planFile])).code).toBe(0)
    expect(await photosOn(p.dst)).toBe(40)
  })

  it('--max-delete 5 (files) blocks 6 deletes out of 100 and lets 5 through', async () => {
    const p = await syncedPhotos(100)
    await removeOnSource(p, 6)

    const six = await planTo(p, '--max-delete', '5')

    expect(six.json.blocked).toEqual({
      rule: 'limit',
      side: 'destination',
      deletes: 6,
      files: 100,
      limit: '5',
    })
    expect(six.planned.stdout).toContain('Blocked')
    const refused = await cli(p, ['apply', six.planFile])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('limit 5')
    expect(await photosOn(p.dst)).toBe(100)

    await p.source.put('photos/p6.jpg', 'photo 6')
    const five = await planTo(p, '--max-delete', '5')
    expect(five.json.blocked).toBeNull()
    expect(fileDeletes(five.json)).toBe(5)
    expect((await cli(p, ['apply', five.planFile])).code).toBe(0)
    expect(await photosOn(p.dst)).toBe(95)
  })

  it('a percentage never blocks 10 deletes or fewer: 8 of 10 files go', async () => {
    const p = await syncedPhotos(10)
    await removeOnSource(p, 8)

    const { planFile, json } = await planTo(p)

    expect(json.blocked).toBeNull()
    expect((await cli(p, ['apply', planFile])).code).toBe(0)
    expect(await photosOn(p.dst)).toBe(2)
  })

  it('a mirror from a source folder that is empty (say, a disk not mounted under it) is blocked before it deletes the destination', async () => {
    const p = await cliPair()
    pair = p
    for (let i = 1; i <= 40; i++) await p.destination.put(`photos/p${i}.jpg`, `photo ${i}`)

    const { planFile, json } = await planTo(p, '--mode', 'source-to-destination')

    expect(json.blocked).toEqual({
      rule: 'every-file',
      side: 'destination',
      deletes: 40,
      files: 40,
      limit: '50%',
    })
    expect((await cli(p, ['apply', planFile])).code).toBe(1)
    expect(await photosOn(p.dst)).toBe(40)
  })
})
