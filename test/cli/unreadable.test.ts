import { chmod, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isRoot, readTree } from '../support/sides.ts'
import { type CliPair, type CliResult, cliPair, putTree, runBinary, runCli, runnableCopy } from './run-cli.ts'

/**
 * A source folder that cannot be listed stops plan and sync: read as empty, it would look like a mass
 * deletion. Root reads through chmod 000, so as root the CLI runs as `nobody` in a child process.
 */

const NOBODY = { uid: 65534, gid: 65534 }

let pair: CliPair | undefined
afterEach(async () => {
  if (pair !== undefined) await chmod(join(pair.src, 'locked'), 0o755).catch(() => undefined)
  await pair?.cleanup()
  pair = undefined
})

// `nobody` runs a copy of the program it can read: the clone may be in a folder only its owner can enter.
let copy: Awaited<ReturnType<typeof runnableCopy>> | undefined
beforeAll(async () => {
  if (isRoot()) copy = await runnableCopy()
})
afterAll(async () => {
  await copy?.remove()
})

/** As a user chmod 000 really stops: this process when it is not root, `nobody` when it is. */
const runAsUser = async (p: CliPair, argv: ReadonlyArray<string>): Promise<CliResult> => {
  if (!isRoot()) return runCli(argv, { cwd: p.scratch })
  const as = {
    scratch: p.scratch,
    user: NOBODY,
    cwd: p.scratch,
    ...(copy === undefined ? {} : { repo: copy.repo }),
  }
  // The program starts as that user, and says it did, before what it does is judged.
  const help = runBinary(['--help'], as)
  expect(help.stderr, 'the program, run as nobody').toBe('')
  expect(help.stdout).toMatch(/^Usage: syncengine /)
  return runBinary(argv, as)
}

/** A pair whose source holds `locked/`, a folder nobody but root can list. */
const lockedPair = async (): Promise<CliPair> => {
  pair = await cliPair()
  await putTree(pair.source, { 'a.txt': 'alpha', 'locked/secret.txt': 'secret' })
  await putTree(pair.destination, { 'a.txt': 'alpha', 'locked/secret.txt': 'secret', 'x.txt': 'x' })
  // Let `nobody` reach the pair (mkdtemp makes 0700) and write the scratch folder, as a run could.
  await chmod(pair.base, 0o777)
  await chmod(pair.scratch, 0o777)
  await chmod(join(pair.src, 'locked'), 0o000)
  return pair
}

describe('an unreadable source folder', () => {
  it('plan exits 1 naming the folder, writes no plan, and leaves the destination as it was', async () => {
    const p = await lockedPair()
    const destination = await readTree(p.dst)
    const planFile = join(p.scratch, 'plan.json')

    const planned = await runAsUser(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])

    expect(planned.code).toBe(1)
    expect(planned.stderr).not.toMatch(/^\s+at /m)
    expect(planned.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(planned.stderr).toContain(`cannot read ${join(p.src, 'locked')}`)
    expect(planned.stdout).toBe('')
    expect(await stat(planFile).catch(() => null)).toBeNull()
    expect(await readTree(p.dst)).toEqual(destination)
  })

  it('sync exits 1 naming the folder, and deletes nothing on the destination', async () => {
    const p = await lockedPair()
    const destination = await readTree(p.dst)

    const synced = await runAsUser(p, [
      'sync',
      p.src,
      p.dst,
      '--state',
      p.stateFile,
      '--mode',
      'source-to-destination',
    ])

    expect(synced.code).toBe(1)
    expect(synced.stderr).toContain(`cannot read ${join(p.src, 'locked')}`)
    expect(synced.stderr).not.toMatch(/^\s+at /m)
    expect(await readTree(p.dst)).toEqual(destination)
    expect(await stat(p.stateFile).catch(() => null)).toBeNull()
  })
})
