import { execFileSync } from 'node:child_process'
import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hasMkfifo, readTree } from '../support/sides.ts'
import { readStateFile } from '../support/state-file.ts'
import { type CliPair, type CliResult, cliPair, oneLineError, putTree, runBinary, runCli } from './run-cli.ts'

/**
 * The state, journal, lock, plan and config are syncengine's own files, and must be regular files. A FIFO
 * at one of those paths (or a folder, a socket) is refused at once with one line; a symlink is followed,
 * and its target must be a regular file. The commands run as a child process with a time limit, so a
 * read that blocks on a FIFO fails the test instead of hanging it.
 */

let pair: CliPair | undefined
let server: Server | undefined
afterEach(async () => {
  server?.close()
  server = undefined
  await pair?.cleanup()
  pair = undefined
})

const run = (p: CliPair, argv: ReadonlyArray<string>): CliResult =>
  runBinary(argv, { scratch: p.scratch, cwd: p.scratch })

const mkfifo = (path: string): void => {
  execFileSync('mkfifo', [path])
}

const fifoPair = async (): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, { 'a.txt': 'alpha' })
  return p
}

describe.runIf(hasMkfifo())('a FIFO where syncengine keeps its own files', () => {
  it.each([
    ['state file', (p: CliPair) => p.stateFile],
    ['journal', (p: CliPair) => `${p.stateFile}.journal`],
  ])('plan refuses a FIFO as the %s, with one line, at once', async (role, fileOf) => {
    const p = await fifoPair()
    mkfifo(fileOf(p))

    const planned = run(p, ['plan', p.src, p.dst, '--state', p.stateFile])

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain(`the ${role} ${fileOf(p)} is a FIFO`)
  })

  it('sync refuses a FIFO as the lock file, and changes nothing', async () => {
    const p = await fifoPair()
    mkfifo(`${p.stateFile}.lock`)

    const synced = run(p, ['sync', p.src, p.dst, '--state', p.stateFile])

    expect(synced.code).toBe(1)
    expect(synced.stderr).toContain(`the lock file ${p.stateFile}.lock is a FIFO`)
    expect(await readTree(p.dst)).toEqual({})
  })

  it('status says the lock file is a FIFO instead of hanging', async () => {
    const p = await fifoPair()
    mkfifo(`${p.stateFile}.lock`)

    const status = run(p, ['status', p.src, p.dst, '--state', p.stateFile])

    expect(status.code).toBe(0)
    expect(status.stdout).toContain(`lock file ${p.stateFile}.lock is a FIFO`)
  })

  it('show and apply refuse a FIFO as the plan file', async () => {
    const p = await fifoPair()
    const planFile = join(p.scratch, 'plan.json')
    mkfifo(planFile)

    const shown = run(p, ['show', planFile])
    const applied = run(p, ['apply', planFile])

    for (const result of [shown, applied]) {
      expect(result.code).toBe(1)
      expect(oneLineError(result.stderr)).toContain(`the plan file ${planFile} is a FIFO`)
    }
  })

  it('plan --out refuses a FIFO, and leaves it in place', async () => {
    const p = await fifoPair()
    const planFile = join(p.scratch, 'plan.json')
    mkfifo(planFile)

    const planned = run(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])

    expect(planned.code).toBe(1)
    expect(planned.stderr).toContain(`the plan file ${planFile} is a FIFO`)
    expect((await lstat(planFile)).isFIFO()).toBe(true)
  })

  it('--config refuses a FIFO', async () => {
    const p = await fifoPair()
    const config = join(p.scratch, 'syncengine.json')
    mkfifo(config)

    const status = run(p, ['status', '--config', config])

    expect(status.code).toBe(1)
    expect(oneLineError(status.stderr)).toContain(`the config file ${config} is a FIFO`)
  })
})

describe('other things that are not regular files', () => {
  it('a folder as the state file is refused as a folder', async () => {
    const p = await fifoPair()
    await mkdir(p.stateFile)

    const planned = await runCli(['plan', p.src, p.dst, '--state', p.stateFile], { cwd: p.scratch })

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain(`the state file ${p.stateFile} is a folder`)
  })

  it('a socket as the plan file is refused as a socket', async () => {
    const p = await fifoPair()
    const planFile = join(p.scratch, 'plan.json')
    const listening = createServer()
    server = listening
    await new Promise<void>((resolve) => listening.listen(planFile, resolve))

    const shown = await runCli(['show', planFile], { cwd: p.scratch })

    expect(shown.code).toBe(1)
    expect(oneLineError(shown.stderr)).toContain(`the plan file ${planFile} is a socket`)
  })

  it('--state inside a regular file says the folder is not a folder', async () => {
    const p = await fifoPair()
    const notAFolder = join(p.scratch, 'notes.txt')
    await writeFile(notAFolder, 'a file, not a folder')

    const planned = await runCli(['plan', p.src, p.dst, '--state', join(notAFolder, 'state.json')], {
      cwd: p.scratch,
    })
    const synced = await runCli(['sync', p.src, p.dst, '--state', join(notAFolder, 'state.json')], {
      cwd: p.scratch,
    })

    for (const result of [planned, synced]) {
      expect(result.code).toBe(1)
      const line = oneLineError(result.stderr)
      expect(line).toContain(`${notAFolder} is a regular file, not a folder`)
      expect(line).not.toContain('journal')
      expect(line).toContain('--state')
    }
    expect(await readTree(p.dst)).toEqual({})
  })
})

describe('a symlink where syncengine keeps its state', () => {
  it('is followed: the state is read and written in the file it points to, and the link stays', async () => {
    const p = await fifoPair()
    const real = join(p.scratch, 'real-state.json')
    expect((await runCli(['sync', p.src, p.dst, '--state', real], { cwd: p.scratch })).code).toBe(0)
    await symlink(real, p.stateFile)
    await putTree(p.source, { 'b.txt': 'beta' })

    const synced = await runCli(['sync', p.src, p.dst, '--state', p.stateFile], { cwd: p.scratch })

    expect(synced.code).toBe(0)
    // The state was read through the link: only the new file is planned.
    expect(synced.stdout).toContain('Plan: 1 to upload')
    expect((await lstat(p.stateFile)).isSymbolicLink()).toBe(true)
    expect([...(await readStateFile(real)).entries.keys()]).toContain('b.txt')
  })

  it('pointing nowhere is refused, naming where it points', async () => {
    const p = await fifoPair()
    await symlink(join(p.scratch, 'gone.json'), p.stateFile)

    const synced = await runCli(['sync', p.src, p.dst, '--state', p.stateFile], { cwd: p.scratch })

    expect(synced.code).toBe(1)
    expect(oneLineError(synced.stderr)).toContain(
      `the state file ${p.stateFile} is a symlink to ${join(p.scratch, 'gone.json')}, which does not exist`,
    )
    expect(await readTree(p.dst)).toEqual({})
  })
})
