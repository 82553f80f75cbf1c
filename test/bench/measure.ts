/**
 * One timed run of a command: wall time from here, CPU time (user + sys) and peak RSS from GNU time
 * (Debian's `time` package), which reads them from the kernel's rusage of the finished child.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

export interface Command {
  readonly file: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
}

export interface Run {
  readonly wallMs: number
  /** null where GNU time is missing. */
  readonly userMs: number | null
  readonly sysMs: number | null
  /** The largest resident set of the process or of any one of its children (rusage's ru_maxrss). */
  readonly maxRssKiB: number | null
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

const GNU_TIME = '/usr/bin/time'

export const gnuTime: boolean =
  existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0

/** Writes dirty pages out, so that one run does not pay for the writes of the run or reset before it. */
export const flush = (): void => {
  spawnSync('sync', { stdio: 'ignore' })
}

const keepTail = (text: string, more: string, limit = 64 * 1024): string =>
  (text + more).length > limit ? (text + more).slice(-limit) : text + more

/** Runs `command` once and measures it; `rusageFile` is a scratch file for GNU time's report. */
export const measure = (
  command: Command,
  rusageFile: string,
  options: { readonly stdout?: boolean } = {},
): Promise<Run> =>
  new Promise((resolve, reject) => {
    rmSync(rusageFile, { force: true })
    const [file, args] = gnuTime
      ? [GNU_TIME, ['-f', '%U %S %M', '-o', rusageFile, '--', command.file, ...command.args]]
      : [command.file, [...command.args]]
    let stdout = ''
    let stderr = ''
    const start = process.hrtime.bigint()
    const child = spawn(file, args, {
      env: { ...process.env, ...command.env },
      cwd: command.cwd,
      stdio: ['ignore', options.stdout === true ? 'pipe' : 'ignore', 'pipe'],
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = keepTail(stdout, chunk.toString())
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = keepTail(stderr, chunk.toString())
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6
      // GNU time writes "Command exited with non-zero status N" before its own line on a failure.
      const line =
        gnuTime && existsSync(rusageFile) ? readFileSync(rusageFile, 'utf8').trim().split('\n').pop() : ''
      const [user, sys, rss] = (line ?? '').split(' ').map(Number)
      const known = (n: number | undefined, scale: number) =>
        n === undefined || Number.isNaN(n) ? null : Math.round(n * scale)
      resolve({
        wallMs,
        userMs: known(user, 1000),
        sysMs: known(sys, 1000),
        maxRssKiB: known(rss, 1),
        exitCode: code ?? (signal === null ? -1 : 128),
        stdout,
        stderr,
      })
    })
  })

/** The same for work done inside this process (hashing through the library): no RSS of its own. */
export const measureHere = async (work: () => Promise<void>): Promise<Run> => {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  await work()
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  const used = process.cpuUsage(cpu)
  return {
    wallMs,
    userMs: Math.round(used.user / 1000),
    sysMs: Math.round(used.system / 1000),
    maxRssKiB: null,
    exitCode: 0,
    stdout: '',
    stderr: '',
  }
}

export const rusageFileIn = (dir: string): string => join(dir, 'rusage.txt')
