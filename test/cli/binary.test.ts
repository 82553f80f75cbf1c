import { spawn, spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliEnv, cliPair, putTree, REPO, runBinary, runCli } from './run-cli.ts'

/** The real entry point, in a child process: what `npx syncengine` runs. */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const COMMANDS = /^ {2}(plan|show|apply|sync|status|init) /gm

describe('the syncengine binary', () => {
  it('node bin/syncengine.js --help exits 0 and lists plan, show, apply, sync, status and init', async () => {
    pair = await cliPair()

    const help = runBinary(['--help'], { scratch: pair.scratch })

    expect(help.code).toBe(0)
    expect([...help.stdout.matchAll(COMMANDS)].map((m) => m[1])).toEqual([
      'plan',
      'show',
      'apply',
      'sync',
      'status',
      'init',
    ])
  })

  it('npx syncengine --help runs the same entry point', async () => {
    pair = await cliPair()

    const help = spawnSync('npx', ['--offline', '--no-install', 'syncengine', '--help'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cliEnv(pair.scratch) },
      encoding: 'utf8',
      // npm's own start is slow on a busy machine; this only stops a hang.
      timeout: 50_000,
    })

    expect(help.error).toBeUndefined()
    expect(help.status).toBe(0)
    expect([...help.stdout.matchAll(COMMANDS)].map((m) => m[1])).toEqual([
      'plan',
      'show',
      'apply',
      'sync',
      'status',
      'init',
    ])
  })

  it('plan --out, apply, and plan again round-trip through the binary', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    await putTree(pair.destination, { 'd.txt': 'delta' })
    const planFile = join(pair.scratch, 'plan.json')

    const planned = runBinary(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--out', planFile], {
      scratch: pair.scratch,
    })
    const applied = runBinary(['apply', planFile], { scratch: pair.scratch })
    const again = runBinary(['plan', pair.src, pair.dst, '--state', pair.stateFile, '--detailed-exitcode'], {
      scratch: pair.scratch,
    })

    expect(planned.code).toBe(0)
    expect(planned.stdout).toContain('Plan: 3 to upload, 1 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(applied.code).toBe(0)
    expect(applied.stdout).toContain('Apply complete')
    const expected = { 'a.txt': 'alpha', 'd.txt': 'delta', 'sub/': '', 'sub/b.txt': 'beta' }
    expect(await readTree(pair.src)).toEqual(expected)
    expect(await readTree(pair.dst)).toEqual(expected)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('No changes')
  })

  it('a refused plan file exits 1 from the binary with one line and no stack trace', async () => {
    pair = await cliPair()

    const applied = runBinary(['apply', join(pair.scratch, 'missing.json')], { scratch: pair.scratch })

    expect(applied.code).toBe(1)
    expect(applied.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(applied.stderr).toContain('cannot read the plan file')
  })

  it('--version and -V print the version of package.json', async () => {
    pair = await cliPair()
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }

    const long = runBinary(['--version'], { scratch: pair.scratch })
    const short = await runCli(['-V'], { cwd: pair.scratch })

    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(short).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it.each([
    // --help: the text goes to stdout, exit 0.
    ['stdout', (_: CliPair): ReadonlyArray<string> => ['--help'], 0],
    // With --progress json the plan's text goes to stderr; a plan with changes exits 2, a crash would exit 1.
    [
      'stderr',
      (p: CliPair): ReadonlyArray<string> => [
        'plan',
        p.src,
        p.dst,
        '--state',
        p.stateFile,
        '--progress',
        'json',
        '--detailed-exitcode',
      ],
      2,
    ],
  ] as const)(
    'a reader that closed its end of %s (syncengine … | head) ends the run quietly, with its exit code',
    async (closed, argv, expected) => {
      pair = await cliPair()
      await putTree(pair.source, { 'a.txt': 'alpha' })
      const child = spawn(process.execPath, [join(REPO, 'bin', 'syncengine.js'), ...argv(pair)], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cliEnv(pair.scratch) },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      // Closed before the program has loaded, so its first write there meets EPIPE.
      child[closed].destroy()
      let other = ''
      const open = closed === 'stdout' ? child.stderr : child.stdout
      open.setEncoding('utf8').on('data', (text: string) => {
        other += text
      })
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', reject)
        child.on('close', resolve)
      })

      expect(other).not.toMatch(/EPIPE|^\s+at /m)
      expect(code).toBe(expected)
    },
  )
})
