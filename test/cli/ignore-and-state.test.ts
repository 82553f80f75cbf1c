import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'
import { readStateFile } from '../support/state-file.ts'
import { type CliPair, cliPair, putTree, runBinary, runCli } from './run-cli.ts'

/** What a sync leaves alone (`.syncignore`) and what it leaves behind (the state file). */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

describe('.syncignore and the state file', () => {
  it('a mirror sync neither deletes nor overwrites what the destination .syncignore names, and copies no .syncignore', async () => {
    pair = await cliPair()
    await putTree(pair.source, {
      '.syncignore': '*.tmp\n',
      'a.txt': 'alpha',
      'local.cfg': 'the source settings',
      'scratch.tmp': 'source scratch',
    })
    await putTree(pair.destination, {
      '.syncignore': 'local.cfg\n*.log\n',
      'local.cfg': 'the destination settings',
      'run.log': 'destination log',
      'stale.txt': 'not on source',
      'a.txt': 'an older alpha',
    })

    const synced = await runCli(
      ['sync', pair.src, pair.dst, '--state', pair.stateFile, '--mode', 'source-to-destination'],
      { cwd: pair.scratch },
    )

    expect(synced.code).toBe(0)
    expect(await readTree(pair.dst)).toEqual({
      '.syncignore': 'local.cfg\n*.log\n',
      'a.txt': 'alpha',
      'local.cfg': 'the destination settings',
      'run.log': 'destination log',
    })
    expect(await readTree(pair.src)).toEqual({
      '.syncignore': '*.tmp\n',
      'a.txt': 'alpha',
      'local.cfg': 'the source settings',
      'scratch.tmp': 'source scratch',
    })
    const again = await runCli(
      [
        'plan',
        pair.src,
        pair.dst,
        '--state',
        pair.stateFile,
        '--mode',
        'source-to-destination',
        '--detailed-exitcode',
      ],
      { cwd: pair.scratch },
    )
    expect(again.code).toBe(0)
  })

  it('after a sync the --state file exists and is a syncengine state for this pair', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })

    const synced = await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], {
      cwd: pair.scratch,
    })

    expect(synced.code).toBe(0)
    const state = await readStateFile(pair.stateFile)
    expect(state.format).toBe('syncengine-state')
    expect(JSON.parse(await readFile(pair.stateFile, 'utf8')).version).toBe(3)
    expect(state.source).toBe(pair.src)
    expect(state.destination).toBe(pair.dst)
    expect([...state.entries.keys()].sort()).toEqual(['a.txt', 'sub', 'sub/b.txt'])
    // --state was given: nothing went to the default place.
    expect(await stat(join(pair.scratch, 'xdg-state')).catch(() => null)).toBeNull()
  })

  it('without --state the state goes under $XDG_STATE_HOME/syncengine, and the next plan finds it', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })

    const synced = await runCli(['sync', pair.src, pair.dst], { cwd: pair.scratch })

    expect(synced.code).toBe(0)
    const files = await readdir(join(pair.scratch, 'xdg-state', 'syncengine'))
    expect(files).toHaveLength(1)
    const state = JSON.parse(
      await readFile(join(pair.scratch, 'xdg-state', 'syncengine', files[0] ?? ''), 'utf8'),
    )
    expect(state.format).toBe('syncengine-state')
    await pair.source.remove('a.txt')
    const planned = await runCli(['plan', pair.src, pair.dst], { cwd: pair.scratch })
    expect(planned.stdout).toMatch(/^ {2}- delete on destination +a\.txt /m)
  })

  it('an empty XDG_STATE_HOME counts as unset: the state goes under $HOME/.local/state, whatever the cwd', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })

    // The XDG spec: "If $XDG_STATE_HOME is either not set or empty, $HOME/.local/state is used."
    const synced = runBinary(['sync', pair.src, pair.dst], {
      scratch: pair.scratch,
      cwd: pair.scratch,
      env: { XDG_STATE_HOME: '' },
    })

    expect(synced.code).toBe(0)
    expect(await stat(join(pair.scratch, 'syncengine')).catch(() => null)).toBeNull()
    expect(await readdir(join(pair.scratch, '.local', 'state', 'syncengine'))).toHaveLength(1)
  })

  it('a state file or plan file inside a root is never synced', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    const stateFile = join(pair.src, 'pair-state.json')
    const planFile = join(pair.src, 'plan.json')

    const planned = await runCli(['plan', pair.src, pair.dst, '--state', stateFile, '--out', planFile], {
      cwd: pair.scratch,
    })
    const applied = await runCli(['apply', planFile, '--state', stateFile], { cwd: pair.scratch })

    expect(planned.code).toBe(0)
    expect(applied.code).toBe(0)
    expect(await readTree(pair.dst)).toEqual({ 'a.txt': 'alpha' })
    expect(Object.keys(await readTree(pair.src)).sort()).toEqual(['a.txt', 'pair-state.json', 'plan.json'])
  })
})
