import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliPair, cliPair, runCli } from '../cli/run-cli.ts'
import { readStateFile } from '../support/state-file.ts'
import { differences, filesOf, prng, seedFrom, sleep, start, walk, writeBigTree } from './big-tree.ts'

/**
 * Ctrl-C during an apply (issue 4): the binary finishes the actions in progress, saves what happened, and
 * exits 130 saying how many actions it did not start. The state then holds nothing untrue, a plan shows
 * only what is left, and running the same `apply plan.json` again finishes the job.
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

/** Every record of the state file that the disks contradict: a missing path, another kind, size or mtime. */
const untrueRecords = async (p: CliPair): Promise<ReadonlyArray<string>> => {
  const state = await readStateFile(p.stateFile)
  const wrong: string[] = []
  for (const [path, sides] of state.entries)
    for (const [i, root] of [p.src, p.dst].entries()) {
      const recorded = sides[i]
      const info = await lstat(join(root, path)).catch(() => null)
      const where = `${i === 0 ? 'source' : 'destination'} ${path}`
      if (recorded === undefined || info === null) wrong.push(`${where}: recorded, not there`)
      else if (recorded.kind === 'dir' && !info.isDirectory()) wrong.push(`${where}: not a folder`)
      else if (
        recorded.kind === 'symlink' &&
        (!info.isSymbolicLink() || (await readlink(join(root, path))) !== recorded.target)
      )
        wrong.push(`${where}: not that symlink`)
      else if (
        recorded.kind === 'file' &&
        (!info.isFile() || info.size !== recorded.size || Math.round(info.mtimeMs) !== recorded.mtimeMs)
      )
        wrong.push(`${where}: size or mtime differ from the record`)
    }
  return wrong
}

const countFiles = async (root: string): Promise<number> =>
  (await readdir(root, { recursive: true }).catch(() => [])).filter((name) => name.endsWith('.bin')).length

/** A pair with a large tree on the source only, planned: what an apply takes a while over. */
const largePlan = async (label: string, largeEvery = 12) => {
  const seed = seedFrom('INTERRUPT_SEED', label)
  const p = await cliPair()
  pair = p
  const expected = await writeBigTree(p.src, prng(seed), { files: 2500, largeEvery })
  const planFile = join(p.scratch, 'plan.json')
  const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
  expect(planned.code, planned.stderr).toBe(0)
  const actions = (JSON.parse(await readFile(planFile, 'utf8')) as { actions: unknown[] }).actions.length
  return { p, expected, planFile, actions, seed }
}

/** Starts `apply`, waits until some files have landed on the destination, and presses Ctrl-C. */
const interrupted = async (p: CliPair, planFile: string) => {
  const running = start(['apply', planFile], p.scratch)
  let landed = 0
  while (!running.done() && landed < 40) {
    await sleep(10)
    landed = await countFiles(p.dst)
  }
  expect(running.done(), 'the apply finished before it could be interrupted').toBe(false)
  running.child.kill('SIGINT')
  const { code } = await running.exited
  return { code, ...running.output(), landed }
}

const SUMMARY =
  /^Apply interrupted: (\d+) applied, (\d+) already done, 0 skipped \(changed since the plan\), 0 failed, (\d+) not started\.$/m

const expectInterrupted = async (
  p: CliPair,
  stopped: Awaited<ReturnType<typeof interrupted>>,
  actions: number,
  seed: number,
) => {
  const output = `${stopped.stdout}${stopped.stderr}`
  const context = `seed ${seed}\n${output}`
  expect(stopped.code, context).toBe(130)
  expect(output, context).toContain('Stopping: finishing the actions in progress')
  const [, applied, alreadyDone, notStarted] = (SUMMARY.exec(output) ?? []).map(Number)
  expect(notStarted, context).toBeGreaterThan(0)
  expect((applied ?? 0) + (alreadyDone ?? 0) + (notStarted ?? 0), context).toBe(actions)
  expect(output, context).toContain('Run the same apply again to finish it')
  // The actions in progress were finished, not abandoned: no staged file anywhere.
  expect((await walk(p.dst)).staged, context).toEqual([])
  expect(await untrueRecords(p), context).toEqual([])
  return { notStarted: notStarted ?? 0 }
}

const expectFinished = async (p: CliPair, expected: ReadonlyMap<string, string>, seed: number) => {
  const source = await walk(p.src)
  const destination = await walk(p.dst)
  expect(differences(expected, filesOf(destination)), `seed ${seed}`).toEqual([])
  expect([...destination.entries].sort(), `seed ${seed}`).toEqual([...source.entries].sort())
  expect([...source.staged, ...destination.staged], `seed ${seed}`).toEqual([])
  expect(await exists(`${p.stateFile}.journal`), `seed ${seed}: journal left`).toBe(false)
  expect(await exists(`${p.stateFile}.lock`), `seed ${seed}: lock left`).toBe(false)
  expect(await untrueRecords(p), `seed ${seed}`).toEqual([])
  const again = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'])
  expect(again.code, `seed ${seed}\n${again.stdout}`).toBe(0)
}

describe('Ctrl-C during an apply', () => {
  it('exits 130 saying how many actions were not started, holds nothing untrue in the state, and the same apply run again finishes the job', async () => {
    const { p, expected, planFile, actions, seed } = await largePlan('interrupt, then apply again')
    const stopped = await interrupted(p, planFile)
    await expectInterrupted(p, stopped, actions, seed)

    const resumed = await cli(p, ['apply', planFile])

    expect(resumed.code, `seed ${seed}\n${resumed.stdout}${resumed.stderr}`).toBe(0)
    expect(`${resumed.stdout}${resumed.stderr}`).toContain('Apply complete')
    await expectFinished(p, expected, seed)
  }, 120_000)

  it('stops as promptly when every file is small enough to be copied without the thread pool', async () => {
    // One large file among 2,500: each of the others is a copy made by direct system calls only.
    const { p, expected, planFile, actions, seed } = await largePlan('interrupt small files', 2500)
    const stopped = await interrupted(p, planFile)
    await expectInterrupted(p, stopped, actions, seed)

    const resumed = await cli(p, ['apply', planFile])

    expect(resumed.code, `seed ${seed}\n${resumed.stdout}${resumed.stderr}`).toBe(0)
    await expectFinished(p, expected, seed)
  }, 120_000)

  it('a plan made after the interrupt shows only the remaining actions, and the same apply run again still finishes the job', async () => {
    const { p, expected, planFile, actions, seed } = await largePlan('interrupt, plan, then apply again')
    const stopped = await interrupted(p, planFile)
    const { notStarted } = await expectInterrupted(p, stopped, actions, seed)
    const destination = await walk(p.dst)

    const replanned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--json'])

    expect(replanned.code, replanned.stderr).toBe(0)
    const remaining = JSON.parse(replanned.stdout) as {
      actions: ReadonlyArray<{ kind: string; path?: string }>
      conflicts: unknown[]
    }
    // Exactly what the destination still lacks: its missing folders made, its missing files uploaded.
    const missing = [...(await walk(p.src)).entries.keys()]
      .filter((path) => !destination.entries.has(path))
      .sort()
    expect(remaining.actions.map((a) => a.path).sort(), `seed ${seed}`).toEqual(missing)
    expect(remaining.actions.length, `seed ${seed}`).toBe(notStarted)
    expect(remaining.conflicts).toEqual([])
    expect(await untrueRecords(p), `seed ${seed}`).toEqual([])

    const resumed = await cli(p, ['apply', planFile])

    expect(resumed.code, `seed ${seed}\n${resumed.stdout}${resumed.stderr}`).toBe(0)
    await expectFinished(p, expected, seed)
  }, 120_000)
})
