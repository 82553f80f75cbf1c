import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from './run-cli.ts'

/**
 * syncengine.json: named pairs run by name, one source feeding two destinations, every plan at once, the
 * command line over the file, and a one-line message naming each bad field.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const exists = async (file: string): Promise<boolean> => (await stat(file).catch(() => null)) !== null

/** The source feeds `destination` (pair "nas", two-way) and `usb` (pair "usb", a backup). */
const CONFIG = `// two destinations for one source
{
  "pairs": {
    "nas": { "source": "../source", "destination": "../destination", "state": "state/nas.json" },
    "usb": {
      "source": "../source",
      "destination": "../usb",
      "mode": "source-backup",   // keeps what the source deletes
      "ignore": ["*.tmp"],
    },
  },
}
`

const configured = async (text = CONFIG): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'scratch.tmp': 'scratch' })
  await writeFile(join(p.scratch, 'syncengine.json'), text)
  return p
}

const cli = (p: CliPair, ...argv: string[]) => runCli(argv, { cwd: p.scratch })

describe('named pairs', () => {
  it('plan NAME saves the plan in .syncengine/plans, show NAME prints it, apply NAME carries it out', async () => {
    const p = await configured()

    const planned = await cli(p, 'plan', 'nas')
    const shown = await cli(p, 'show', 'nas')
    const applied = await cli(p, 'apply', 'nas')

    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain(`${p.src} → ${p.dst}`)
    expect(planned.stdout).toContain('Plan: 4 to upload, 0 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(planned.stderr).toContain(
      'Saved the plan to .syncengine/plans/nas.json. Apply it with: syncengine apply nas',
    )
    expect(shown.stdout).toBe(planned.stdout)
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toContain('Apply complete: 4 applied')
    expect(await readTree(p.dst)).toEqual({
      'a.txt': 'alpha',
      'scratch.tmp': 'scratch',
      'sub/': '',
      'sub/b.txt': 'beta',
    })
    // The pair's state file, relative to the config's folder.
    expect(await exists(join(p.scratch, 'state', 'nas.json'))).toBe(true)
    expect((await cli(p, 'plan', 'nas', '--detailed-exitcode')).code).toBe(0)
  })

  it("uses the pair's settings, and a flag on the command line wins over them", async () => {
    const p = await configured()

    const asWritten = await cli(p, 'plan', 'usb')
    const overridden = await cli(p, 'plan', 'usb', '--mode', 'source-to-destination', '--ignore', 'sub/')

    expect(asWritten.stdout).toContain('mode: source-backup, conflicts: keep-both')
    expect(asWritten.stdout).not.toContain('scratch.tmp')
    expect(overridden.stdout).toContain('mode: source-to-destination, conflicts: keep-both')
    // --ignore adds to the pair's patterns: both *.tmp and sub/ are left alone.
    expect(overridden.stdout).toContain('Plan: 1 to upload, 0 to download')
  })

  it('sync NAME plans and applies the pair without a flag', async () => {
    const p = await configured()

    const synced = await cli(p, 'sync', 'usb')

    expect(synced.code, synced.stderr).toBe(0)
    expect(await readTree(join(p.base, 'usb'))).toEqual({ 'a.txt': 'alpha', 'sub/': '', 'sub/b.txt': 'beta' })
  })

  it('plan --all writes one plan per pair, and apply takes both files in turn', async () => {
    const p = await configured()

    const planned = await cli(p, 'plan', '--all')
    const files = ['nas', 'usb'].map((name) => join(p.scratch, '.syncengine', 'plans', `${name}.json`))
    const applied = await cli(p, 'apply', ...files)

    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toMatch(/^== nas ==$/m)
    expect(planned.stdout).toMatch(/^== usb ==$/m)
    expect(planned.stdout.match(/^Plan: /gm)).toHaveLength(2)
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout.match(/^Apply complete/gm)).toHaveLength(2)
    expect(await readTree(p.dst)).toMatchObject({ 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
    expect(await readTree(join(p.base, 'usb'))).toEqual({ 'a.txt': 'alpha', 'sub/': '', 'sub/b.txt': 'beta' })
  })

  it('plan --all --out-dir puts the plans there; apply by name of several pairs exits with the worst code', async () => {
    const p = await configured()
    const planned = await cli(p, 'plan', '--all', '--out-dir', 'reviewed')
    expect(planned.code, planned.stderr).toBe(0)
    expect(Object.keys(await readTree(join(p.scratch, 'reviewed'))).sort()).toEqual(['nas.json', 'usb.json'])
    // The nas plan is applied once; applying it again is refused as stale, while the usb plan still runs.
    expect((await cli(p, 'apply', 'reviewed/nas.json')).code).toBe(0)

    const applied = await cli(p, 'apply', 'reviewed/nas.json', 'reviewed/usb.json')

    expect(applied.code).toBe(1)
    expect(applied.stderr).toContain('the plan is stale')
    expect(applied.stdout).toContain('== reviewed/usb.json ==\nApply complete: 3 applied')
    expect(await readTree(join(p.base, 'usb'))).toEqual({ 'a.txt': 'alpha', 'sub/': '', 'sub/b.txt': 'beta' })
  })

  it('apply NAME of a pair with no saved plan says how to make one', async () => {
    const p = await configured()

    const applied = await cli(p, 'apply', 'usb')

    expect(applied.code).toBe(1)
    expect(oneLineError(applied.stderr)).toBe(
      'error: no plan for the pair usb at .syncengine/plans/usb.json; make one with: syncengine plan usb',
    )
  })

  it('a name the config does not have is refused, listing its pairs', async () => {
    const p = await configured()

    const planned = await cli(p, 'plan', 'nsa')

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toBe(
      'error: syncengine.json has no pair named "nsa" (its pairs: nas, usb); check the name, or add the pair',
    )
  })

  it('a pair name with no syncengine.json says where it looked and how to make one', async () => {
    pair = await cliPair()

    const planned = await cli(pair, 'sync', 'photos')

    expect(planned.code).toBe(1)
    const line = oneLineError(planned.stderr)
    expect(line).toContain(`no syncengine.json (looked for ${join(pair.scratch, 'syncengine.json')})`)
    expect(line).toContain('syncengine init')
  })

  it('--config names another file; a --config that is not there is an error', async () => {
    const p = await configured()
    await writeFile(
      join(p.scratch, 'other.json'),
      '{ "pairs": { "only": { "source": "../source", "destination": "../usb" } } }',
    )

    const planned = await cli(p, 'plan', 'only', '--config', 'other.json')
    const missing = await cli(p, 'plan', 'only', '--config', 'missing.json')

    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stderr).toContain('Apply it with: syncengine apply only --config other.json')
    expect(missing.code).toBe(1)
    expect(oneLineError(missing.stderr)).toContain('no missing.json')
  })
})

describe('a bad config file', () => {
  const pairWith = (fields: string) =>
    `{ "pairs": { "photos": { "source": "../source", "destination": "../destination"${fields} } } }`

  it.each([
    [
      'an unknown mode',
      pairWith(', "mode": "sideways"'),
      'syncengine.json: pairs.photos.mode: expected one of two-way, source-to-destination, source-backup, destination-to-source, destination-backup, found "sideways"',
    ],
    [
      'an unknown conflict strategy',
      pairWith(', "conflict": "coin"'),
      'pairs.photos.conflict: expected one of newest, source, destination, keep-both, manual, found "coin"',
    ],
    [
      'a missing destination',
      '{ "pairs": { "photos": { "source": "../source" } } }',
      'pairs.photos.destination: missing (expected a folder path (a string))',
    ],
    [
      'a misspelt field',
      pairWith(', "destinaton": "x"'),
      'pairs.photos.destinaton: unknown field; did you mean destination?',
    ],
    [
      'ignore patterns that are not strings',
      pairWith(', "ignore": ["*.tmp", 3]'),
      'pairs.photos.ignore[1]: expected a gitignore pattern (a string), found 3',
    ],
    [
      'ignore that is not a list',
      pairWith(', "ignore": "*.tmp"'),
      'pairs.photos.ignore: expected a list of gitignore patterns, found "*.tmp"',
    ],
    [
      'a delete limit over 100%',
      pairWith(', "maxDelete": "150%"'),
      'pairs.photos.maxDelete: expected a number of files, or a percentage like "50%", found "150%"',
    ],
    [
      'zero transfers',
      pairWith(', "transfers": 0'),
      'pairs.photos.transfers: expected a whole number from 1, found 0',
    ],
    [
      'a flag that is not true or false',
      pairWith(', "allowMassDelete": "yes"'),
      'pairs.photos.allowMassDelete: expected true or false, found "yes"',
    ],
    [
      'a folder that is not a string',
      pairWith(', "backupDir": 7'),
      'pairs.photos.backupDir: expected a folder path (a string), found 7',
    ],
    [
      'a pair name with a space',
      '{ "pairs": { "my photos": { "source": "a", "destination": "b" } } }',
      'pairs.my photos: a pair name is letters, digits, - and _',
    ],
    [
      'a pair named __proto__',
      '{ "pairs": { "__proto__": { "source": "../source", "destination": "../destination" } } }',
      'pairs.__proto__: a pair name is letters, digits, - and _, starting with a letter or digit',
    ],
    ['a top-level __proto__', '{ "pairs": {}, "__proto__": { "pairs": {} } }', '__proto__: unknown field'],
    [
      'an mtime tolerance of 1e20',
      pairWith(', "mtimeTolerance": 1e20'),
      'pairs.photos.mtimeTolerance: expected milliseconds, a whole number from 0 to 86400000 (a day), found 100000000000000000000',
    ],
    [
      'a negative mtime tolerance',
      pairWith(', "mtimeTolerance": -1'),
      'pairs.photos.mtimeTolerance: expected milliseconds, a whole number from 0 to 86400000 (a day), found -1',
    ],
    ['pairs that are a list', '{ "pairs": [] }', 'pairs: expected an object of named pairs, found []'],
    ['no pairs at all', '{}', 'pairs: missing (expected an object of named pairs)'],
    [
      'a misspelt top-level field',
      '{ "pairs": {}, "plan": "x" }',
      'plan: unknown field; did you mean plans?',
    ],
    [
      'text that is not JSON',
      '{ "pairs": { "photos" { } } }',
      'syncengine.json:1:23: expected a colon (it is JSON, with comments allowed)',
    ],
    ['an empty file', '', 'syncengine.json:1:1: expected a value'],
  ])('%s: exit 1, one line naming the field', async (_name, text, says) => {
    const p = await configured(text)

    const planned = await cli(p, 'plan', 'photos')

    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain(says)
    expect(await readTree(p.dst)).toEqual({})
    expect(await exists(join(p.scratch, '.syncengine'))).toBe(false)
  })

  it('pairs named constructor and prototype are pairs like any other', async () => {
    const p = await configured(
      '{ "pairs": { "constructor": { "source": "../source", "destination": "../destination" }, "prototype": { "source": "../source", "destination": "../usb" } } }',
    )

    const synced = await cli(p, 'sync', '--all')
    const status = await cli(p, 'status')

    expect(synced.code).toBe(0)
    expect(synced.stdout).toContain('== constructor ==')
    expect(synced.stdout).toContain('== prototype ==')
    expect(await readTree(p.dst)).toEqual(await readTree(p.src))
    expect(await readTree(join(p.base, 'usb'))).toEqual(await readTree(p.src))
    expect(status.stdout).toContain('constructor: ')
    expect(status.stdout).toContain('prototype: ')
  })

  it('names every bad field at once, on one line', async () => {
    const p = await configured(
      '{ "pairs": { "photos": { "source": 1, "destination": "d", "mode": "sideways", "retries": -1 } } }',
    )

    const planned = await cli(p, 'plan', 'photos')

    expect(oneLineError(planned.stderr)).toBe(
      'error: syncengine.json: pairs.photos.source: expected a folder path (a string), found 1; pairs.photos.mode: expected one of two-way, source-to-destination, source-backup, destination-to-source, destination-backup, found "sideways"; pairs.photos.retries: expected a whole number from 0, found -1',
    )
  })

  it('a bad config does not stop a command given two folders', async () => {
    const p = await configured('not a config')

    const planned = await cli(p, 'plan', p.src, p.dst, '--state', p.stateFile)

    expect(planned.code, planned.stderr).toBe(0)
  })
})

describe('syncengine init', () => {
  it('writes a commented starter for two folders, and plan NAME works with it at once', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })

    const made = await cli(
      pair,
      'init',
      '../source',
      '../destination',
      '--name',
      'docs',
      '--mode',
      'source-backup',
    )
    const planned = await cli(pair, 'plan', 'docs')
    const applied = await cli(pair, 'apply', 'docs')

    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toContain(
      'Wrote syncengine.json with the pair docs: ../source → ../destination (source-backup).',
    )
    expect(made.stdout).toContain('syncengine plan docs')
    const text = await readFile(join(pair.scratch, 'syncengine.json'), 'utf8')
    expect(text).toMatch(/^\/\/ /m)
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain('mode: source-backup')
    expect(planned.stdout).toContain('Plan: 1 to upload')
    expect(applied.code).toBe(0)
    expect(await readTree(pair.dst)).toEqual({ 'a.txt': 'alpha' })
  })

  it('with no folders writes an example pair that plans as it is', async () => {
    pair = await cliPair()

    const made = await cli(pair, 'init')
    const planned = await cli(pair, 'plan', 'documents')

    expect(made.code).toBe(0)
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain(
      `${join(pair.scratch, 'documents')} → ${join(pair.scratch, 'backup', 'documents')}`,
    )
  })

  it('names the pair after the source folder, and never overwrites an existing config', async () => {
    pair = await cliPair()
    await cli(pair, 'init', '../source', '../destination')
    const before = await readFile(join(pair.scratch, 'syncengine.json'), 'utf8')

    const again = await cli(pair, 'init', '../destination', '../source')

    expect(before).toContain('"source": {')
    expect(again.code).toBe(1)
    expect(oneLineError(again.stderr)).toBe(
      'error: syncengine.json already exists; edit it, or pass --config with a new file name',
    )
    expect(await readFile(join(pair.scratch, 'syncengine.json'), 'utf8')).toBe(before)
  })

  it('--config writes elsewhere, with paths relative to that file', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })

    const made = await cli(pair, 'init', '../source', '../destination', '--config', 'conf/sync.json')
    const planned = await cli(pair, 'plan', 'source', '--config', 'conf/sync.json')

    expect(made.code, made.stderr).toBe(0)
    expect(await readFile(join(pair.scratch, 'conf', 'sync.json'), 'utf8')).toContain('"../../source"')
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain(`${pair.src} → ${pair.dst}`)
  })
})
