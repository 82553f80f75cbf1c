import { spawn } from 'node:child_process'
import { readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliPair, cliPair, putTree, runCli } from '../cli/run-cli.ts'
import { readTree } from '../support/sides.ts'
import { differences, filesOf, prng, start, walk, writeBigTree } from './big-tree.ts'

/**
 * One apply at a time per pair (issue 4): of two applies started together, exactly one does the work and
 * the other refuses, naming the process that holds the pair, or finds the plan stale once it is done; never
 * both. A lock left by a process that died is taken over.
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

/** The pid of a process that has exited. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid ?? 999_999
}

const applyLine =
  /^Apply complete: (\d+) applied, (\d+) already done, 0 skipped \(changed since the plan\), 0 failed\.$/m

describe('the lock', () => {
  it('two applies of one plan started together: exactly one applies every action, once; the other refuses naming it, or finds the plan stale', async () => {
    const p = await cliPair()
    pair = p
    const random = prng(4)
    const expected = await writeBigTree(p.src, random, { files: 1200, largeEvery: 40 })
    const outcomes: string[] = []
    for (let round = 1; round <= 3; round++) {
      if (round > 1) {
        // Something new each round, so each round's plan has work to do.
        for (const [path, hash] of await writeBigTree(p.src, random, {
          files: 400,
          largeEvery: 40,
          prefix: `r${round}-`,
        }))
          expected.set(path, hash)
      }
      const planFile = join(p.scratch, `plan-${round}.json`)
      const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
      expect(planned.code, planned.stderr).toBe(0)
      const actions = (JSON.parse(await readFile(planFile, 'utf8')) as { actions: unknown[] }).actions.length

      const both = [start(['apply', planFile], p.scratch), start(['apply', planFile], p.scratch)]
      const exits = await Promise.all(both.map((running) => running.exited))

      const results = both.map((running, i) => ({
        code: exits[i]?.code,
        pid: running.child.pid,
        ...running.output(),
      }))
      const winners = results.filter((r) => r.code === 0)
      const losers = results.filter((r) => r.code !== 0)
      const context = JSON.stringify(results, null, 2)
      expect(winners, context).toHaveLength(1)
      expect(losers, context).toHaveLength(1)
      const [winner] = winners
      const [loser] = losers
      // Every action applied by the winner, none already done: the loser did none of them.
      expect(applyLine.exec(`${winner?.stdout}${winner?.stderr}`)?.slice(1, 3), context).toEqual([
        String(actions),
        '0',
      ])
      expect(loser?.code, context).toBe(1)
      expect(`${loser?.stdout}${loser?.stderr}`, context).not.toMatch(/Apply (complete|incomplete)/)
      const held = loser?.stderr.includes('another apply is running on this pair') === true
      if (held) expect(loser?.stderr, context).toContain(`pid ${winner?.pid} on ${hostname()}`)
      else expect(loser?.stderr, context).toContain('stale')
      outcomes.push(held ? 'refused: lock held' : 'refused: stale')
    }
    console.log(`lock: the second apply of each round was ${outcomes.join(', ')}`)

    expect(differences(expected, filesOf(await walk(p.dst)))).toEqual([])
    expect(await exists(`${p.stateFile}.lock`)).toBe(false)
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'])).code).toBe(0)
  }, 120_000)

  it('an apply and a sync of one pair started together never both apply, and the pair ends in sync', async () => {
    const p = await cliPair()
    pair = p
    const expected = await writeBigTree(p.src, prng(5), { files: 1000, largeEvery: 40 })
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)

    const apply = start(['apply', planFile], p.scratch)
    const sync = start(['sync', p.src, p.dst, '--state', p.stateFile, '--quiet'], p.scratch)
    const [applied, synced] = await Promise.all([apply.exited, sync.exited])

    const said = (r: typeof apply): string => `${r.output().stdout}${r.output().stderr}`
    const context = JSON.stringify({ apply: said(apply), sync: said(sync) }, null, 2)
    if (applied.code === 0 && synced.code === 0) {
      // Both ran, one after the other: the sync planned once the apply was done, and found nothing to do.
      expect(said(sync), context).toMatch(/Apply complete: 0 applied, 0 already done/)
    } else {
      // Otherwise one of them applied and the other refused (the lock is held, or its plan is stale).
      expect([applied.code, synced.code].sort(), context).toEqual([0, 1])
      const refused = applied.code === 1 ? apply : sync
      expect(said(refused), context).not.toMatch(/Apply (complete|incomplete)/)
      expect(said(refused), context).toMatch(/another apply is running on this pair|stale/)
    }
    expect(differences(expected, filesOf(await walk(p.dst))), context).toEqual([])
    const again = await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])
    expect(again.code, again.stderr).toBe(0)
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'])).code).toBe(0)
  }, 120_000)

  it('a lock left by a process that died is taken over: the apply runs and the lock is gone after', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
    const pid = await deadPid()
    const lockFile = `${p.stateFile}.lock`
    await writeFile(lockFile, JSON.stringify({ pid, host: hostname(), since: '2020-01-01T00:00:00.000Z' }))

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code, applied.stderr).toBe(0)
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha', 'sub/': '', 'sub/b.txt': 'beta' })
    expect(await exists(lockFile)).toBe(false)
  })

  it('a lock file cut short by a crash long ago is taken over', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'a.txt': 'alpha' })
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
    const lockFile = `${p.stateFile}.lock`
    await writeFile(lockFile, '{"pid": 12')
    await utimes(lockFile, new Date('2020-01-01'), new Date('2020-01-01'))

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code, applied.stderr).toBe(0)
    expect(await readTree(p.dst)).toEqual({ 'a.txt': 'alpha' })
    expect(await exists(lockFile)).toBe(false)
  })

  it('a lock held by a live process, or by one on another host, is respected: apply refuses naming it and changes nothing', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'a.txt': 'alpha' })
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
    const lockFile = `${p.stateFile}.lock`
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    try {
      const live = JSON.stringify({ pid: sleeper.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' })
      await writeFile(lockFile, live)
      const refused = await cli(p, ['apply', planFile])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `another apply is running on this pair (pid ${sleeper.pid} on ${hostname()}`,
      )
      expect(await readFile(lockFile, 'utf8')).toBe(live)

      const remote = JSON.stringify({
        pid: 1,
        host: 'another-host.example',
        since: '2026-01-01T00:00:00.000Z',
      })
      await writeFile(lockFile, remote)
      const refusedRemote = await cli(p, ['apply', planFile])
      expect(refusedRemote.code).toBe(1)
      expect(refusedRemote.stderr).toContain('pid 1 on another-host.example')
      expect(await readFile(lockFile, 'utf8')).toBe(remote)
    } finally {
      sleeper.kill()
    }
    expect(await readTree(p.dst)).toEqual({})
    expect(await exists(p.stateFile)).toBe(false)
  })
})
