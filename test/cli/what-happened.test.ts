import { execFileSync } from 'node:child_process'
import { mkdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isRoot, readTree } from '../support/sides.ts'
import { readStateFile } from '../support/state-file.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from './run-cli.ts'

/**
 * Messages that say what happened, where, and what to do, when the obvious guess would be wrong: a root
 * that is a symlink, a state file deleted after the plan, a disk that fills up during an apply, a lock
 * file that is no lock, a path longer than the file system takes.
 */

let pair: CliPair | undefined
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  await pair?.cleanup()
  pair = undefined
})

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

const newPair = async (tree: Readonly<Record<string, string>> = { 'a.txt': 'alpha' }): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, tree)
  return p
}

describe('a root that is a symlink', () => {
  it('to a file: says it is a symlink to that file, not "not a folder"', async () => {
    const p = await newPair()
    const file = join(p.scratch, 'notes.txt')
    await writeFile(file, 'a file')
    const link = join(p.base, 'link')
    await symlink(file, link)

    const planned = await cli(p, ['plan', p.src, link, '--state', p.stateFile])

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain(
      `${link} is a symlink to ${file}, which is a regular file, not a folder`,
    )
  })

  it('to nothing: says where it points, and creates nothing there', async () => {
    const p = await newPair()
    const gone = join(p.base, 'unmounted', 'photos')
    const link = join(p.base, 'link')
    await symlink(gone, link)

    const synced = await cli(p, ['sync', p.src, link, '--state', p.stateFile])

    expect(synced.code).toBe(1)
    expect(oneLineError(synced.stderr)).toContain(`${link} is a symlink to ${gone}, which does not exist`)
    expect(await exists(gone)).toBe(false)
  })
})

describe('the state file deleted between plan and apply', () => {
  it('apply says the state file is gone and that the plan was made against it', async () => {
    const p = await newPair()
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])).code).toBe(0)
    await putTree(p.source, { 'b.txt': 'beta' })
    const planFile = join(p.scratch, 'plan.json')
    await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
    await rm(p.stateFile)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(1)
    const line = oneLineError(applied.stderr)
    expect(line).toContain(`the state file ${p.stateFile} is gone`)
    expect(line).toContain('the plan was made against it')
    expect(line).not.toContain('another apply')
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha' })
  })
})

describe('a damaged lock file', () => {
  const lockOf = (p: CliPair) => `${p.stateFile}.lock`

  const planned = async (p: CliPair): Promise<string> => {
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
    return planFile
  }

  it('written moments ago is called damaged, named, and left alone; status says so too', async () => {
    const p = await newPair()
    const planFile = await planned(p)
    await writeFile(lockOf(p), '')
    // Moments ago, whatever the machine's load: an mtime in the future is younger than any grace.
    const soon = new Date(Date.now() + 3_600_000)
    await utimes(lockOf(p), soon, soon)

    const applied = await cli(p, ['apply', planFile])
    const status = await cli(p, ['status', p.src, p.dst, '--state', p.stateFile])

    expect(applied.code).toBe(1)
    const line = oneLineError(applied.stderr)
    expect(line).toContain(`the lock file ${lockOf(p)} is damaged (it is empty)`)
    expect(line).toContain('remove it')
    expect(line).not.toContain('pid 0')
    expect(await exists(lockOf(p))).toBe(true)
    expect(await readTree(p.dst)).toEqual({})
    expect(status.stdout).toContain('is damaged (it is empty)')
    expect(status.stdout).not.toContain('pid 0')
    expect(status.stdout).not.toContain('is running')
  })

  it.each([
    ['empty', ''],
    ['not JSON', 'garbage\u0000\u0000'],
    ['a holder with pid 0', JSON.stringify({ pid: 0, host: 'here', since: '2026-01-01T00:00:00Z' })],
  ])('left %s by a crash long ago is taken over by the next apply', async (_what, text) => {
    const p = await newPair()
    const planFile = await planned(p)
    await writeFile(lockOf(p), text)
    const hourAgo = new Date(Date.now() - 3_600_000)
    await utimes(lockOf(p), hourAgo, hourAgo)

    const status = await cli(p, ['status', p.src, p.dst, '--state', p.stateFile])
    const applied = await cli(p, ['apply', planFile])

    expect(status.stdout).toContain('the next apply takes it over')
    expect(status.stdout).not.toContain('is running')
    expect(applied.stderr).toBe('')
    expect(applied.code).toBe(0)
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha' })
    expect(await exists(lockOf(p))).toBe(false)
  })
})

describe('a path longer than the file system takes', () => {
  it('a folder nested past PATH_MAX: the name is too long, not a matter of permissions', async () => {
    const p = await newPair()
    // Made one level at a time, relative to the last: an absolute path this long cannot be used at all.
    const name = 'n'.repeat(250)
    execFileSync('bash', [
      '-c',
      `cd "$1" && for i in $(seq 20); do mkdir "$2" && cd "$2"; done && echo x > f`,
      '-',
      p.src,
      name,
    ])
    cleanups.push(() => execFileSync('rm', ['-rf', join(p.src, name)]))

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile])

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain('too long')
    expect(line).not.toContain('permission')
  })

  it('a state file name longer than the file system takes says so, not that the journal is damaged', async () => {
    const p = await newPair()
    const stateFile = join(p.scratch, `${'s'.repeat(300)}.json`)

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', stateFile])

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain('is too long for the file system (ENAMETOOLONG)')
    expect(line).toContain('--state with a shorter path')
    expect(line).not.toContain('journal')
  })
})

/** Whether a small tmpfs can be mounted here: root, with the right to mount. */
const canMount = (): boolean => {
  if (!isRoot()) return false
  try {
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim()
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir])
    execFileSync('rmdir', [dir])
    return true
  } catch {
    return false
  }
}

// A full disk is made with a tiny tmpfs, which needs root: in CI this runs (and fails if it cannot mount).
describe.runIf(canMount() || process.env.CI !== undefined)('a disk that fills up during an apply', () => {
  it('reports what was applied, that the journal could not be written, exits 3, and the same apply finishes', async () => {
    const tree = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`file-${i}.txt`, `content ${i}`]))
    const p = await newPair(tree)
    const disk = join(p.scratch, 'disk')
    await mkdir(disk)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk])
    cleanups.push(() => execFileSync('umount', [disk]))
    const stateFile = join(disk, 'state.json')
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', stateFile, '--out', planFile])).code).toBe(0)
    // Four pages: two for a filler, one for the lock, one for the journal, which fills after a dozen actions.
    const filler = join(disk, 'filler')
    await writeFile(filler, Buffer.alloc(8192))

    const applied = await cli(p, ['apply', planFile, '--transfers', '1'])

    expect(applied.code).toBe(3)
    const summary =
      /Apply incomplete: (\d+) applied, 0 already done, 0 skipped \(changed since the plan\), 0 failed, (\d+) not started\./.exec(
        applied.stdout,
      )
    expect(summary, applied.stdout).not.toBeNull()
    const done = Number(summary?.[1])
    expect(done).toBeGreaterThan(0)
    expect(done + Number(summary?.[2])).toBe(40)
    const line = oneLineError(applied.stderr)
    expect(line).toContain(`cannot write the journal ${stateFile}.journal: the disk is full (ENOSPC)`)
    expect(line).toContain('run the same apply again')
    expect(Object.keys(await readTree(p.dst))).toHaveLength(done)

    // Room again: the disk grows.
    execFileSync('mount', ['-o', 'remount,size=1m', disk])
    const again = await cli(p, ['apply', planFile])

    expect(again.stderr).toBe('')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(
      /Apply complete: \d+ applied, \d+ already done \(\d+ by the interrupted apply/,
    )
    expect(await readTree(p.dst)).toEqual(await readTree(p.src))
    expect([...(await readStateFile(stateFile)).entries.keys()]).toContain('file-39.txt')
    const next = await cli(p, ['plan', p.src, p.dst, '--state', stateFile, '--detailed-exitcode'])
    expect(next.code).toBe(0)
  })
})
