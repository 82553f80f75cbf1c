import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { render } from '../../src/core/render.ts'
import { session } from '../support/session.ts'
import { memoryPair, readTree } from '../support/sides.ts'
import { readStateFile } from '../support/state-file.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli, runInTerminal } from './run-cli.ts'

/**
 * Names are whatever the file system allows. A colon is a character like any other, and a name holding
 * control characters, terminal escapes or bidi controls goes through every command, and is printed so
 * that it can neither draw a fake line nor reach the terminal raw.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

/** Control characters, DEL, C1, format and bidi controls, line separators: what no output may hold raw. */
const RAW_CONTROL = /(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

describe('names with colons', () => {
  // Built from pairs: in an object literal, `__proto__:` would set the prototype instead of a key.
  const tree: Record<string, string> = Object.fromEntries([
    ['x:y', 'ex why'],
    ['Q:A notes.md', 'questions and answers'],
    ['C:', 'a drive letter, on a file system that has none'],
    ['dir:/a:b', 'inside a folder with a colon'],
    ['__proto__', 'not an object key'],
  ])

  it('go through plan, apply, the state, status and the next plan', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, tree)
    const planFile = join(p.scratch, 'plan.json')

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
    const applied = await cli(p, ['apply', planFile])
    const status = await cli(p, ['status', p.src, p.dst, '--state', p.stateFile])
    const again = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--detailed-exitcode'])

    expect(planned.code).toBe(0)
    expect(applied.stderr).toBe('')
    expect(applied.code).toBe(0)
    expect(await readTree(p.dst)).toEqual(await readTree(p.src))
    expect(Object.keys(await readTree(p.dst))).toEqual(
      expect.arrayContaining(['x:y', 'Q:A notes.md', '__proto__']),
    )
    expect(status.code).toBe(0)
    expect(status.stdout).not.toContain('damaged')
    expect(status.stdout).toContain('6 paths')
    // Every name is in the state, so nothing is planned and nothing is recorded again.
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('No changes.')
    expect(again.stdout).not.toContain('will be recorded')
    expect([...(await readStateFile(p.stateFile)).entries.keys()]).toContain('__proto__')
  })

  it('sync twice: the second finds the state sound and nothing to do', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, tree)

    const first = await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])
    const second = await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])

    expect(first.code).toBe(0)
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('No changes.')
  })
})

describe('names with control characters', () => {
  const injected = 'n.txt\n  + upload  harmless.txt  1 B  created on source'
  const terminalCodes = 'red\u001b[31m\u001b]0;PWNED\u0007.txt'
  const bidi = 'invoice\u202etxt.exe'

  const hostilePair = async (): Promise<CliPair> => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, {
      [injected]: 'one',
      [terminalCodes]: 'two',
      [bidi]: 'three',
      'plain.txt': 'four',
    })
    return p
  }

  it('plan prints each on one line, quoted and escaped, and piped output holds no raw control character', async () => {
    const p = await hostilePair()

    const planned = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile])

    expect(planned.code).toBe(0)
    expect(planned.stdout).not.toMatch(RAW_CONTROL)
    const uploads = planned.stdout.split('\n').filter((line) => line.startsWith('  + upload'))
    expect(uploads).toHaveLength(4)
    expect(planned.stdout).toContain("$'n.txt\\n  + upload  harmless.txt  1 B  created on source'")
    expect(planned.stdout).toContain("$'red\\e[31m\\e]0;PWNED\\x07.txt'")
    expect(planned.stdout).toContain("$'invoice\\u202etxt.exe'")
    expect(planned.stdout).toMatch(/ {2}\+ upload {2}plain\.txt /)
  })

  it('the JSON plan keeps every name exact, and show prints it escaped', async () => {
    const p = await hostilePair()
    const planFile = join(p.scratch, 'plan.json')

    const json = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--json'])
    await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
    const shown = await cli(p, ['show', planFile])

    const paths = (JSON.parse(json.stdout) as { actions: { path: string }[] }).actions.map((a) => a.path)
    expect(paths.sort()).toEqual([bidi, terminalCodes, injected, 'plain.txt'].sort())
    expect(json.stdout).not.toMatch(RAW_CONTROL)
    expect(shown.code).toBe(0)
    expect(shown.stdout).not.toMatch(RAW_CONTROL)
    expect(shown.stdout).toContain("$'n.txt\\n  + upload  harmless.txt  1 B  created on source'")
  })

  it('apply copies them byte for byte, and status and errors print roots escaped', async () => {
    const p = await hostilePair()
    const root = join(p.base, 'dest\u001b[2J\nination')
    await mkdir(root)

    const synced = await cli(p, ['sync', p.src, root, '--state', p.stateFile])
    const status = await cli(p, ['status', p.src, root, '--state', p.stateFile])
    const overlap = await cli(p, ['plan', root, join(root, 'inner\u0007'), '--state', p.stateFile])

    expect(synced.code).toBe(0)
    expect(await readTree(root)).toEqual(await readTree(p.src))
    expect(synced.stdout + synced.stderr).not.toMatch(RAW_CONTROL)
    expect(status.stdout).not.toMatch(RAW_CONTROL)
    expect(status.stdout).toContain("/dest\\e[2J\\nination'")
    expect(overlap.code).toBe(1)
    const line = oneLineError(overlap.stderr)
    expect(line).not.toMatch(RAW_CONTROL)
    expect(line).toContain("/dest\\e[2J\\nination/inner\\x07'")
  })

  it('drift and failure lines of apply print the paths escaped', async () => {
    const p = await hostilePair()
    const planFile = join(p.scratch, 'plan.json')
    await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
    // Changed after the plan: the upload is skipped, and says so.
    await p.source.put(injected, 'changed after the plan')

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(3)
    expect(applied.stderr).not.toMatch(RAW_CONTROL)
    expect(applied.stderr).toContain(
      "skipped copy $'n.txt\\n  + upload  harmless.txt  1 B  created on source'",
    )
  })
})

describe('names that are not UTF-8', () => {
  it('a byte that is not UTF-8 is printed as \\xNN in the plan', async () => {
    const memory = memoryPair()
    // How a storage spells the byte 0xE9 of a Latin-1 name: U+10FF00 + (0xE9 − 0x80).
    const latin1 = `caf${String.fromCodePoint(0x10ff69)}.txt`
    await memory.source.put(latin1, 'coffee')

    const text = render(await session(memory).plan())

    expect(text).toContain("+ upload  $'caf\\xe9.txt'")
    expect(text).not.toContain(String.fromCodePoint(0x10ff69))
  })
})

describe('the live progress display', () => {
  it('shows a file in transfer escaped, never its escape codes raw', async () => {
    // The display draws with escape codes of its own; the name's are the ones that must not get through.
    const p = await cliPair()
    pair = p
    const title = 'title\u001b]0;PWNED\u0007.bin'
    await putTree(p.source, { [title]: 'x'.repeat(4 << 20) })

    const run = runInTerminal(['sync', p.src, p.dst, '--state', p.stateFile], {
      scratch: p.scratch,
      cwd: p.scratch,
      env: { COLUMNS: '100' },
    })

    expect(run.code).toBe(0)
    expect(run.output).not.toContain('\u001b]0;PWNED')
    expect(run.output).toContain("$'title\\e]0;PWNED\\x07.bin'")
  })
})
