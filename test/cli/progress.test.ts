import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { BAR_DONE, BAR_LEFT } from '../../src/cli/progress/progress-lines.ts'
import type { ProgressEvent } from '../../src/core/progress-event.ts'
import { type CliPair, cliPair, runBinary, runCli, runInTerminal } from './run-cli.ts'

/**
 * Progress on the command line: a live display on a terminal, nothing animated anywhere else, and JSON
 * events, one per line, for programs.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const ESC = '\u001b'

const SIZES = [3_000_000, 2_000_000, 1_500_000, 700]
/** What the uploads add up to: 6.2 MiB. */
const UPLOAD_BYTES = SIZES.reduce((a, b) => a + b, 0)

/** A pair with four files to upload in a new folder (most of a few MiB, so transfers report bytes as they go) and one to download. */
const pairWithWork = async (): Promise<CliPair> => {
  const p = await cliPair()
  pair = p
  await mkdir(join(p.src, 'photos'), { recursive: true })
  for (const [i, size] of SIZES.entries())
    await writeFile(join(p.src, 'photos', `img-${i}.bin`), randomBytes(size))
  await p.destination.put('notes.txt', 'from the destination')
  return p
}

const lines = (text: string): ReadonlyArray<unknown> =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))

describe('progress on a terminal', () => {
  it('sync under a pseudo-terminal draws a bar that reaches 100%, a line per file in transfer, then the summary', async () => {
    const p = await pairWithWork()

    const run = runInTerminal(['sync', p.src, p.dst, '--state', p.stateFile], {
      scratch: p.scratch,
      cwd: p.scratch,
    })

    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(BAR_LEFT)
    expect(run.output).toContain(BAR_DONE)
    expect(run.output).toMatch(/\] +0% {2}0 B of /)
    expect(run.output).toMatch(/\] 100% {2}6\.2 MiB of 6\.2 MiB/)
    expect(run.output).toMatch(/\d+\/6 actions/)
    expect(run.output).toMatch(/ {2}(↑ photos\/img-\d\.bin|↓ notes\.txt) {2}\d+(\.\d)? (B|KiB|MiB) of /)
    expect(run.output).toContain('Scanning: source ')
    expect(run.output).toContain('Apply complete: 6 applied')
    // The cursor is hidden while drawing and shown again.
    expect(run.output).toContain(`${ESC}[?25l`)
    expect(run.output).toContain(`${ESC}[?25h`)
  })

  it('in-process with a terminal Io, apply draws on stderr and keeps stdout free of control characters', async () => {
    const p = await pairWithWork()
    const planFile = join(p.scratch, 'plan.json')
    await runCli(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], { cwd: p.scratch })

    const applied = await runCli(['apply', planFile], { cwd: p.scratch, terminal: { columns: 100 } })

    expect(applied.code).toBe(0)
    expect(applied.stderr).toContain(`${ESC}[`)
    expect(applied.stderr).toMatch(/\] 100% {2}6\.2 MiB of 6\.2 MiB/)
    expect(applied.stdout).toBe(
      'Apply complete: 6 applied, 0 already done, 0 skipped (changed since the plan), 0 failed.\n',
    )
    // A redraw starts each line with a cursor move (up, or to column 1), not always with \r: each is a break.
    const drawn = applied.stderr
      .split(new RegExp(`\r|\n|${ESC}\\[\\d*[ABEFGH]`))
      .map((l) => stripVTControlCharacters(l))
    for (const line of drawn) expect([...line].length, line).toBeLessThan(100)
  })

  it('--quiet on a terminal: no display at all, only the summary', async () => {
    const p = await pairWithWork()

    const synced = await runCli(['sync', p.src, p.dst, '--state', p.stateFile, '--quiet'], {
      cwd: p.scratch,
      terminal: { columns: 80 },
    })

    expect(synced.code).toBe(0)
    expect(synced.stderr).toBe('')
    expect(synced.stdout).toBe(
      'Apply complete: 6 applied, 0 already done, 0 skipped (changed since the plan), 0 failed.\n',
    )
  })
})

describe('progress when piped', () => {
  it('the binary with stdout and stderr piped prints no control character: no escape, no carriage return', async () => {
    const p = await pairWithWork()
    const planFile = join(p.scratch, 'plan.json')

    const planned = runBinary(['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile], {
      scratch: p.scratch,
      env: { NO_COLOR: '' },
    })
    const applied = runBinary(['apply', planFile], { scratch: p.scratch, env: { NO_COLOR: '' } })
    const synced = runBinary(['sync', p.src, p.dst, '--state', p.stateFile], {
      scratch: p.scratch,
      env: { NO_COLOR: '' },
    })

    for (const run of [planned, applied, synced]) {
      expect(run.code, run.stderr).toBe(0)
      expect(`${run.stdout}${run.stderr}`).not.toContain(ESC)
      expect(`${run.stdout}${run.stderr}`).not.toContain('\r')
      expect(`${run.stdout}${run.stderr}`).not.toContain(BAR_LEFT)
    }
    expect(applied.stdout).toContain('Apply complete: 6 applied')
  })
})

describe('--progress json', () => {
  it('sync writes only JSON events on stdout, from the scans through sync-start to sync-complete, with byte totals that add up', async () => {
    const p = await pairWithWork()
    const uploadBytes = UPLOAD_BYTES

    const synced = await runCli(['sync', p.src, p.dst, '--state', p.stateFile, '--progress=json'], {
      cwd: p.scratch,
    })

    expect(synced.code, synced.stderr).toBe(0)
    const events = lines(synced.stdout) as ReadonlyArray<ProgressEvent>
    const types = events.map((e) => e.type)
    expect(types).toContain('scan-start')
    expect(types).toContain('scan-complete')
    const start = types.indexOf('sync-start')
    expect(start).toBeGreaterThan(types.lastIndexOf('scan-complete'))
    expect(types.at(-1)).toBe('sync-complete')
    const first = events[start]
    const last = events.at(-1)
    if (first?.type !== 'sync-start' || last?.type !== 'sync-complete')
      throw new Error('no sync-start or sync-complete')
    expect(first.upload).toMatchObject({ filesToUpload: 4, bytesToUpload: uploadBytes })
    expect(first.download).toMatchObject({ filesToDownload: 1, bytesToDownload: 20 })
    expect(last.upload).toEqual({
      filesUploaded: 4,
      filesToUpload: 4,
      bytesUploaded: uploadBytes,
      bytesToUpload: uploadBytes,
    })
    expect(last.download).toMatchObject({ bytesDownloaded: 20, bytesToDownload: 20 })
    expect(last.overall).toEqual({
      filesDone: 6,
      filesTotal: 6,
      bytesDone: uploadBytes + 20,
      bytesTotal: uploadBytes + 20,
    })
    const completed = events.flatMap((e) =>
      e.type === 'upload-file-complete' || e.type === 'download-file-complete' ? [e.size] : [],
    )
    expect(completed.reduce((a, b) => a + b, 0)).toBe(uploadBytes + 20)
    // The plan and the summary went to stderr.
    expect(synced.stderr).toContain('Plan: 5 to upload, 1 to download')
    expect(synced.stderr).toContain('Apply complete: 6 applied')
  })

  it('apply of several plans writes a sync-start … sync-complete run for each, and plan writes its scan events', async () => {
    const p = await pairWithWork()
    const other = join(p.base, 'other')
    const planA = join(p.scratch, 'a.json')
    const planB = join(p.scratch, 'b.json')
    const planned = await runCli(
      ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planA, '--progress', 'json'],
      {
        cwd: p.scratch,
      },
    )
    await runCli(['plan', p.src, other, '--state', join(p.scratch, 'other.json'), '--out', planB], {
      cwd: p.scratch,
    })

    const applied = await runCli(['apply', planA, planB, '--progress', 'json'], { cwd: p.scratch })

    expect(planned.code).toBe(0)
    expect(new Set((lines(planned.stdout) as ProgressEvent[]).map((e) => e.type))).toEqual(
      new Set(['scan-start', 'scan-complete']),
    )
    expect(planned.stderr).toContain('Plan: 5 to upload')
    expect(applied.code, applied.stderr).toBe(0)
    const types = (lines(applied.stdout) as ProgressEvent[]).map((e) => e.type)
    expect(types.filter((t) => t === 'sync-start')).toHaveLength(2)
    expect(types.filter((t) => t === 'sync-complete')).toHaveLength(2)
    expect(applied.stderr.match(/Apply complete/g)).toHaveLength(2)
  })

  it('--json with --progress json is refused: both would write to stdout', async () => {
    const p = await pairWithWork()

    const planned = await runCli(['plan', p.src, p.dst, '--json', '--progress', 'json'], { cwd: p.scratch })

    expect(planned.code).toBe(1)
    expect(planned.stderr).toBe('error: --json and --progress json both print to stdout; choose one\n')
  })
})
