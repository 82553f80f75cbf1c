import { copyFileSync } from 'node:fs'
import { appendFile, copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { readPlanFile } from '../../src/pair/plan-file-io.ts'
import { localStorage } from '../../src/storage/local.ts'
import { type CliPair, cliPair, putTree, runCli } from '../cli/run-cli.ts'
import { readStateFile, stateOfText } from '../support/state-file.ts'
import {
  between,
  differences,
  filesOf,
  holdsLock,
  prng,
  type Running,
  seedFrom,
  sha256,
  sleep,
  start,
  untilLocked,
  walk,
  writeBigTree,
} from './big-tree.ts'

/**
 * Crash safety (issue 4): an apply or a sync killed with SIGKILL at any moment leaves no half file under a
 * real name, and running it again finishes the job: equal trees, every byte intact, no staged file, no
 * journal, no lock, and a plan with nothing to do.
 *
 * The seed (printed; `CRASH_SEED=…` and `CRASH_SYNC_SEED=…` replay it) picks the trees and the kill delays;
 * where a kill lands within the apply still depends on the machine's timing.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/** What a kill found: whether the child was applying (held the lock, had not exited) when it died. */
interface Kill {
  readonly midApply: boolean
  readonly killed: boolean
  readonly code: number | null
  readonly output: string
}

/**
 * Starts `argv`, waits a random moment (mostly counted from the moment it holds the pair's lock, sometimes
 * from the spawn), and SIGKILLs it if it is still running.
 */
const runAndKill = async (argv: ReadonlyArray<string>, p: CliPair, random: () => number): Promise<Kill> => {
  const lockFile = `${p.stateFile}.lock`
  const running: Running = start(argv, p.scratch)
  if (random() < 0.8) {
    await untilLocked(running, lockFile)
    await sleep(between(random, 0, 60))
  } else await sleep(between(random, 20, 400))
  let midApply = false
  let killed = false
  if (!running.done()) {
    midApply = await holdsLock(lockFile, running.child.pid)
    killed = running.child.kill('SIGKILL')
  }
  const { code, signal } = await running.exited
  const { stdout, stderr } = running.output()
  return {
    midApply: midApply && signal === 'SIGKILL',
    killed: signal === 'SIGKILL' && killed,
    code,
    output: `${stdout}${stderr}`,
  }
}

/** Every file the destination holds under its real name has the bytes the source's file has. */
const noHalfFiles = async (
  p: CliPair,
  expected: ReadonlyMap<string, string>,
): Promise<ReadonlyArray<string>> =>
  [...filesOf(await walk(p.dst))]
    .filter(([path, hash]) => expected.get(path) !== hash)
    .map(([path]) => `${path} holds bytes the source never had`)

/** The end state every crash test asks for. */
const expectConverged = async (p: CliPair, expected: ReadonlyMap<string, string>, seed: number) => {
  const source = await walk(p.src)
  const destination = await walk(p.dst)
  expect(differences(expected, filesOf(source)), `seed ${seed}: source`).toEqual([])
  expect(differences(expected, filesOf(destination)), `seed ${seed}: destination`).toEqual([])
  expect([...destination.entries].sort(), `seed ${seed}: folders and files alike`).toEqual(
    [...source.entries].sort(),
  )
  expect([...source.staged, ...destination.staged], `seed ${seed}: staged files left`).toEqual([])
  expect(await exists(`${p.stateFile}.journal`), `seed ${seed}: journal left`).toBe(false)
  expect(await exists(`${p.stateFile}.lock`), `seed ${seed}: lock left`).toBe(false)
  const again = await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'], {
    cwd: p.scratch,
  })
  expect(again.code, `seed ${seed}: a plan after the crashes\n${again.stdout}${again.stderr}`).toBe(0)
}

describe('crash and resume', () => {
  it('an apply of 2,500 files SIGKILLed at 30+ random moments resumes from its journal each time and ends with equal trees, intact bytes, no staged file, no journal or lock', async () => {
    const seed = seedFrom('CRASH_SEED', 'crash-resume apply')
    const random = prng(seed)
    pair = await cliPair()
    const expected = await writeBigTree(pair.src, random, { files: 2500, largeEvery: 15 })
    const planFile = join(pair.scratch, 'plan.json')
    const planned = await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    expect(planned.code, planned.stderr).toBe(0)
    const actions = (JSON.parse(await readFile(planFile, 'utf8')) as { actions: unknown[] }).actions.length

    let midApply = 0
    let attempts = 0
    const apply = ['apply', planFile, '--state', pair.stateFile]
    while (midApply < 32 && attempts < 90) {
      attempts++
      const kill = await runAndKill(apply, pair, random)
      if (kill.midApply) midApply++
      if (!kill.killed) {
        // It ran to its end before the kill: fine only if it succeeded, and then there is nothing to kill.
        expect(kill.code, `seed ${seed}: apply ${attempts} exited on its own\n${kill.output}`).toBe(0)
        break
      }
      if (attempts % 4 === 0)
        expect(await noHalfFiles(pair, expected), `seed ${seed}: after kill ${attempts}`).toEqual([])
    }
    const journal = await readFile(`${pair.stateFile}.journal`, 'utf8').catch(() => '')
    const recorded = new Set(journal.split('\n').map((line) => /^\{"done":(\d+)/.exec(line)?.[1]))
    console.log(
      `crash-resume apply: seed ${seed}, ${attempts} runs, ${midApply} killed while applying; the journal then held ${recorded.size - 1} of ${actions} actions done in ${journal.length} bytes`,
    )
    expect(midApply, `seed ${seed}: kills that landed while apply ran`).toBeGreaterThanOrEqual(30)
    expect(await noHalfFiles(pair, expected), `seed ${seed}: after the last kill`).toEqual([])

    const finished = await runCli(apply, { cwd: pair.scratch })

    expect(finished.code, `seed ${seed}\n${finished.stdout}${finished.stderr}`).toBe(0)
    expect(`${finished.stdout}${finished.stderr}`).toContain('Apply complete')
    await expectConverged(pair, expected, seed)
  }, 180_000)

  it('a sync SIGKILLed mid-way, first on a new pair and then after edits on both sides, converges when run again', async () => {
    const seed = seedFrom('CRASH_SYNC_SEED', 'crash-resume sync')
    const random = prng(seed)
    pair = await cliPair()
    const p = pair
    const sync = ['sync', p.src, p.dst, '--state', p.stateFile, '--quiet']
    const killSeveral = async (label: string) => {
      let midApply = 0
      for (let attempt = 1; attempt <= 8 && midApply < 4; attempt++) {
        const kill = await runAndKill(sync, p, random)
        if (kill.midApply) midApply++
        if (!kill.killed) {
          expect(kill.code, `seed ${seed}: ${label} sync exited on its own\n${kill.output}`).toBe(0)
          return midApply
        }
      }
      return midApply
    }

    const expected = await writeBigTree(p.src, random, { files: 1500, largeEvery: 15 })
    const firstKills = await killSeveral('first')
    const first = await runCli(sync, { cwd: p.scratch })
    expect(first.code, `seed ${seed}\n${first.stdout}${first.stderr}`).toBe(0)
    await expectConverged(p, expected, seed)

    // Edits on both sides: overwrites and deletes on the source, new files on both.
    const paths = [...expected.keys()]
    for (const path of paths.filter(() => random() < 0.08)) {
      const content = `edited ${path} ${random()}`
      await p.source.put(path, content)
      expected.set(path, sha256(Buffer.from(content)))
    }
    for (const path of paths.filter(() => random() < 0.05)) {
      await rm(join(p.src, path))
      expected.delete(path)
    }
    for (const [path, hash] of await writeBigTree(p.src, random, { files: 300, largeEvery: 10, prefix: 'g' }))
      expected.set(path, hash)
    for (const [path, hash] of await writeBigTree(p.dst, random, { files: 60, largeEvery: 20, prefix: 'h' }))
      expected.set(path, hash)
    const secondKills = await killSeveral('second')
    const second = await runCli(sync, { cwd: p.scratch })
    expect(second.code, `seed ${seed}\n${second.stdout}${second.stderr}`).toBe(0)
    console.log(`crash-resume sync: seed ${seed}, killed while applying ${firstKills} + ${secondKills} times`)
    expect(
      firstKills + secondKills,
      `seed ${seed}: kills that landed while sync applied`,
    ).toBeGreaterThanOrEqual(3)
    await expectConverged(p, expected, seed)
  }, 180_000)

  it('an apply killed after it saved the state but before it removed its journal completes when run again (not refused as stale)', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'c.txt': 'gamma' })
    const planFile = join(pair.scratch, 'plan.json')
    await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    const plan = await readPlanFile(planFile)()
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
    const journalFile = `${pair.stateFile}.journal`
    const leftJournal = join(pair.scratch, 'journal-at-the-end')
    let finished = 0
    // The journal as it is when the last action is recorded: what a kill right after saving the state leaves.
    const applied = await applyPair({
      plan: plan.right,
      sides: { source: localStorage(pair.src), destination: localStorage(pair.dst) },
      stateFile: pair.stateFile,
      onEvent: (event) => {
        if (event.type === 'action' && ++finished === plan.right.actions.length)
          copyFileSync(journalFile, leftJournal)
      },
    })()
    expect(E.isRight(applied)).toBe(true)
    // Apply flushes a checkpoint naming the new state before it saves that state: the journal a kill
    // right after the save leaves is the one above plus that line.
    const state = await readFile(pair.stateFile, 'utf8')
    const { lineage, serial } = JSON.parse(state) as { lineage: string; serial: number }
    await copyFile(leftJournal, journalFile)
    await appendFile(journalFile, `${JSON.stringify({ checkpoint: { lineage, serial } })}\n`)

    const again = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(again.stderr).not.toContain('stale')
    expect(again.code, `${again.stdout}${again.stderr}`).toBe(0)
    expect(await exists(journalFile)).toBe(false)
    expect((await readStateFile(pair.stateFile)).entries).toEqual(stateOfText(state).entries)
  })

  it('a journal whose last line a crash cut short can be resumed, stopped, and resumed again', async () => {
    const p = await cliPair()
    pair = p
    const tree = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, `file ${i}`]))
    await putTree(p.source, tree)
    const planFile = join(p.scratch, 'plan.json')
    await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], {
      cwd: p.scratch,
    })
    const plan = await readPlanFile(planFile)()
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
    const sides = { source: localStorage(p.src), destination: localStorage(p.dst) }
    const journalFile = `${p.stateFile}.journal`
    const stopAfter = async (n: number) => {
      const stop = new AbortController()
      let done = 0
      return applyPair({
        plan: plan.right,
        sides,
        stateFile: p.stateFile,
        signal: stop.signal,
        onEvent: (event) => {
          if (event.type === 'action' && ++done >= n) stop.abort()
        },
      })()
    }
    expect(E.isRight(await stopAfter(3))).toBe(true)
    // A power cut while the next line was written: half a line, no newline.
    const text = await readFile(journalFile, 'utf8')
    await writeFile(journalFile, `${text}{"done":3,"paths":["f`)

    const resumed = await stopAfter(7)
    expect(resumed, 'the first resume').toMatchObject({ _tag: 'Right' })
    const again = await runCli(['apply', planFile], { cwd: p.scratch })

    expect(again.stderr).not.toContain('damaged')
    expect(again.code, `${again.stdout}${again.stderr}`).toBe(0)
    expect(await readFile(join(p.dst, 'f11.txt'), 'utf8')).toBe('file 11')
    expect(await exists(journalFile)).toBe(false)
  })

  it('a journal left empty by a crash right after it was created does not block the pair', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    const planFile = join(pair.scratch, 'plan.json')
    await runCli(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    // open(…, 'w') done, the header not yet written: nothing of the apply has begun.
    await writeFile(`${pair.stateFile}.journal`, '')

    const applied = await runCli(['apply', planFile], { cwd: pair.scratch })

    expect(applied.code, `${applied.stdout}${applied.stderr}`).toBe(0)
    expect(await readFile(join(pair.dst, 'a.txt'), 'utf8')).toBe('alpha')
  })
})
