import { createHash } from 'node:crypto'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type CliPair, cliPair, oneLineError, putTree, runCli } from './run-cli.ts'

/** `syncengine status`: where each pair stands, and what to run next. */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const HOUR = 3_600_000

const configured = async (): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' })
  await writeFile(
    join(p.scratch, 'syncengine.json'),
    JSON.stringify({
      pairs: {
        nas: { source: '../source', destination: '../destination', state: 'state/nas.json' },
        usb: { source: '../source', destination: '../usb', state: 'state/usb.json' },
      },
    }),
  )
  return p
}

const status = (p: CliPair, args: ReadonlyArray<string> = [], now?: number) =>
  runCli(['status', ...args], { cwd: p.scratch, ...(now === undefined ? {} : { now: () => now }) })

/** The `label: value` lines of one pair's status. */
const fieldsOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/^ {2}([a-z ]+): +(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  )

const journalOf = (p: CliPair) => join(p.scratch, 'state', 'nas.json.journal')

/** What an apply leaves when it is killed right after it began: the journal's header. */
const writeJournal = async (p: CliPair, plan: string) => {
  await mkdir(join(p.scratch, 'state'), { recursive: true })
  await writeFile(
    journalOf(p),
    `${JSON.stringify({ format: 'syncengine-journal', version: 1, plan, base: null })}\n`,
  )
}

describe('syncengine status', () => {
  it('before any sync: never synced, no state, no plan, and the hint is to plan', async () => {
    const p = await configured()

    const shown = await status(p)

    expect(shown.code, shown.stderr).toBe(0)
    const [nas, usb] = shown.stdout.split('\n\n')
    expect(nas).toMatch(new RegExp(`^nas: ${p.src} → ${p.dst}\n`))
    expect(usb).toMatch(/^usb: /)
    expect(fieldsOf(nas ?? '')).toEqual({
      'last sync': 'never',
      state: 'none yet (state/nas.json)',
      plan: 'none saved',
      interrupted: 'no',
      next: 'run `syncengine plan nas` to see what a first sync would do (it deletes nothing)',
    })
  })

  it('with a plan saved: pending, with its summary, and the hint is to review and apply it', async () => {
    const p = await configured()
    await runCli(['plan', 'nas'], { cwd: p.scratch })

    const shown = await status(p, ['nas'])

    const fields = fieldsOf(shown.stdout)
    expect(fields.plan).toMatch(
      /^pending, 3 to upload, 0 to download, 0 to move, 0 to delete, 0 conflicts; made \d{4}-\d\d-\d\d \d\d:\d\d \(just now\) in \.syncengine\/plans\/nas\.json$/,
    )
    expect(fields.next).toBe('review it with `syncengine show nas`, then `syncengine apply nas`')
  })

  it('after the apply: when it synced, how many paths the state holds, and the saved plan is no longer pending', async () => {
    const p = await configured()
    await runCli(['plan', 'nas'], { cwd: p.scratch })
    await runCli(['apply', 'nas'], { cwd: p.scratch })
    const synced = (await stat(join(p.scratch, 'state', 'nas.json'))).mtimeMs

    const shown = await status(p, ['nas'], synced + 3 * HOUR + 60_000)

    expect(shown.code).toBe(0)
    expect(fieldsOf(shown.stdout)).toEqual({
      'last sync': expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d \(3 hours ago\)$/),
      state: '3 paths (state/nas.json)',
      plan: 'none pending (.syncengine/plans/nas.json was made before the last sync)',
      interrupted: 'no',
      next: 'run `syncengine plan nas` to see what changed since the last sync',
    })
  })

  it('an interrupted apply of the pending plan: the hint is to run the same apply again', async () => {
    const p = await configured()
    await runCli(['plan', 'nas'], { cwd: p.scratch })
    const digest = createHash('sha256')
      .update(await readFile(join(p.scratch, '.syncengine', 'plans', 'nas.json')))
      .digest('hex')
    await writeJournal(p, digest)

    const shown = await status(p, ['nas'])

    const fields = fieldsOf(shown.stdout)
    expect(fields.interrupted).toBe('yes, an apply stopped before it finished (state/nas.json.journal)')
    expect(fields.next).toBe('run `syncengine apply nas` again to finish the interrupted apply')
  })

  it('an interrupted apply of another plan: the hint is to plan, which folds the journal into the state', async () => {
    const p = await configured()
    await writeJournal(p, 'f'.repeat(64))

    const shown = await status(p, ['nas'])

    const fields = fieldsOf(shown.stdout)
    expect(fields.interrupted).toMatch(/^yes, /)
    expect(fields.next).toBe(
      'run `syncengine plan nas`: it takes what the interrupted apply finished into the state, and plans the rest',
    )
  })

  it('status SOURCE DESTINATION works without a config, from the state file', async () => {
    pair = await cliPair()
    await putTree(pair.source, { 'a.txt': 'alpha' })
    await runCli(['sync', pair.src, pair.dst, '--state', pair.stateFile], { cwd: pair.scratch })

    const shown = await status(pair, [pair.src, pair.dst, '--state', pair.stateFile])

    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`^${pair.src} → ${pair.dst}\n`))
    expect(fieldsOf(shown.stdout)).toMatchObject({
      state: '1 path (state.json)',
      plan: 'kept only for pairs named in syncengine.json',
      next: `run \`syncengine plan ${pair.src} ${pair.dst} --state ${pair.stateFile}\` to see what changed since the last sync`,
    })
  })

  it('status with no pair and no config says so on one line', async () => {
    pair = await cliPair()

    const shown = await status(pair)

    expect(shown.code).toBe(1)
    expect(oneLineError(shown.stderr)).toContain('no syncengine.json')
  })
})
