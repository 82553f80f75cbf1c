import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliPair, cliPair, putTree, runCli } from '../cli/run-cli.ts'
import { readTree } from '../support/sides.ts'

/**
 * Backups (issue 4): with `--backup-dir DIR`, a mirror keeps what each overwrite and each delete removes,
 * under `DIR/<side>/<path>.<YYYYMMDD-HHMMSS>`, before it removes it; a backup folder inside a root is
 * refused when the plan is made.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

const MIRROR = ['--mode', 'source-to-destination']

const STAMP = /^(?<path>.+)\.(?<stamp>\d{8}-\d{6})(?<n>-\d+)?$/

/** UTC `YYYYMMDD-HHMMSS` of a moment, as backup names are stamped. */
const stampOf = (ms: number): string =>
  new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)

/** What the backup folder holds: backed-up path → its contents (or `-> target`), with the stamps seen. */
const backupsIn = async (dir: string) => {
  const tree = await readTree(dir)
  const kept = new Map<string, string[]>()
  const stamps = new Set<string>()
  for (const [path, value] of Object.entries(tree)) {
    if (path.endsWith('/')) continue
    const match = STAMP.exec(path)
    if (match?.groups === undefined) throw new Error(`a backup without a stamp: ${path}`)
    stamps.add(match.groups.stamp ?? '')
    kept.set(match.groups.path ?? '', [...(kept.get(match.groups.path ?? '') ?? []), value])
  }
  return { tree, kept, stamps }
}

const mirrorPlanAndApply = async (p: CliPair, backupDir: string) => {
  const planFile = join(p.scratch, 'plan.json')
  const planned = await cli(p, [
    'plan',
    p.src,
    p.dst,
    '--state',
    p.stateFile,
    ...MIRROR,
    '--backup-dir',
    backupDir,
    '--out',
    planFile,
  ])
  expect(planned.code, planned.stderr).toBe(0)
  const startedAt = Date.now()
  const applied = await cli(p, ['apply', planFile])
  return { planned, applied, startedAt, endedAt: Date.now() }
}

describe('backups', () => {
  it('a mirror keeps the old bytes of every file it overwrites or deletes under DIR/destination/<path>.<stamp>', async () => {
    const p = await cliPair()
    pair = p
    const backupDir = join(p.base, 'backups')
    await putTree(p.source, {
      'a.txt': 'alpha v1',
      'sub/b.txt': 'beta v1',
      'old.txt': 'old, to be deleted',
      'deep/er/c.txt': 'gamma v1',
      'e.txt': 'epsilon',
      'same.txt': 'untouched',
    })
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile, ...MIRROR])).code).toBe(0)
    await p.source.put('a.txt', 'alpha v2')
    await p.source.put('sub/b.txt', 'beta v2, longer')
    await p.source.remove('old.txt')
    await p.source.remove('deep')
    // On the destination: an edit nobody else has (the mirror restores the source's version over it), a file
    // only the destination holds, and a symlink only it holds; the mirror removes them.
    await p.destination.put('e.txt', 'epsilon, edited on the destination')
    await p.destination.put('extra/only-here.txt', 'only on the destination')
    await p.destination.symlink('link', 'a.txt')

    const { applied, startedAt, endedAt } = await mirrorPlanAndApply(p, backupDir)

    expect(applied.code, applied.stderr).toBe(0)
    expect(await readTree(p.dst)).toEqual(await readTree(p.src))
    const { kept, stamps, tree } = await backupsIn(backupDir)
    expect(Object.fromEntries(kept)).toEqual({
      'destination/a.txt': ['alpha v1'],
      'destination/sub/b.txt': ['beta v1'],
      'destination/old.txt': ['old, to be deleted'],
      'destination/deep/er/c.txt': ['gamma v1'],
      'destination/e.txt': ['epsilon, edited on the destination'],
      'destination/extra/only-here.txt': ['only on the destination'],
      'destination/link': ['-> a.txt'],
    })
    expect(Object.keys(tree).filter((path) => path.startsWith('source'))).toEqual([])
    // One stamp, the moment of the apply (UTC, to the second).
    expect(stamps.size).toBe(1)
    const [stamp] = [...stamps]
    expect(stamp !== undefined && stamp >= stampOf(startedAt - 1000) && stamp <= stampOf(endedAt)).toBe(true)
    const link = Object.keys(tree).find((path) => path.startsWith('destination/link.'))
    expect((await lstat(join(backupDir, link ?? ''))).isSymbolicLink()).toBe(true)
    expect(await readlink(join(backupDir, link ?? ''))).toBe('a.txt')
  })

  it('two overwrites of the same file in the same second keep both older versions', async () => {
    const p = await cliPair()
    pair = p
    const backupDir = join(p.base, 'backups')
    await putTree(p.source, { 'a.txt': 'version 1' })
    expect((await mirrorPlanAndApply(p, backupDir)).applied.code).toBe(0)
    await p.source.put('a.txt', 'version 2')
    expect((await mirrorPlanAndApply(p, backupDir)).applied.code).toBe(0)
    await p.source.put('a.txt', 'version 3')
    expect((await mirrorPlanAndApply(p, backupDir)).applied.code).toBe(0)

    const { kept } = await backupsIn(backupDir)

    expect([...(kept.get('destination/a.txt') ?? [])].sort()).toEqual(['version 1', 'version 2'])
    expect(await readFile(join(p.dst, 'a.txt'), 'utf8')).toBe('version 3')
  })

  it('when the backup cannot be written, the overwrite and the delete do not happen', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'a.txt': 'alpha v1', 'old.txt': 'old' })
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile, ...MIRROR])).code).toBe(0)
    await p.source.put('a.txt', 'alpha v2')
    await p.source.remove('old.txt')
    // The backup folder's place is taken by a file: nothing can be kept there.
    const backupDir = join(p.base, 'backups')
    await writeFile(backupDir, 'not a folder')

    const { applied } = await mirrorPlanAndApply(p, backupDir)

    expect(applied.code).toBe(3)
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha v1', 'old.txt': 'old' })
    expect(await readFile(backupDir, 'utf8')).toBe('not a folder')
  })

  it.each([
    ['inside the destination', (p: CliPair) => join(p.dst, 'backups')],
    ['inside the source', (p: CliPair) => join(p.src, '.backups')],
    ['the destination itself', (p: CliPair) => p.dst],
    ['a folder that holds both roots', (p: CliPair) => p.base],
  ])(
    'a backup folder %s is refused at plan time: exit 1, no plan written, nothing changed',
    async (_, dirOf) => {
      const p = await cliPair()
      pair = p
      await putTree(p.source, { 'a.txt': 'alpha' })
      await putTree(p.destination, { 'x.txt': 'only on destination' })
      const planFile = join(p.scratch, 'plan.json')

      const planned = await cli(p, [
        'plan',
        p.src,
        p.dst,
        ...MIRROR,
        '--backup-dir',
        dirOf(p),
        '--state',
        p.stateFile,
        '--out',
        planFile,
      ])
      const synced = await cli(p, [
        'sync',
        p.src,
        p.dst,
        ...MIRROR,
        '--backup-dir',
        dirOf(p),
        '--state',
        p.stateFile,
      ])

      expect(planned.code).toBe(1)
      expect(planned.stderr).toContain('must be outside both folders')
      expect(synced.code).toBe(1)
      expect(await readdir(p.scratch)).toEqual([])
      expect(await readTree(p.dst)).toEqual({ 'x.txt': 'only on destination' })
      expect(await readTree(p.src)).toEqual({ 'a.txt': 'alpha' })
    },
  )
})
