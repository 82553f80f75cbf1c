import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstat, mkdir, readdir, readFile, readlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cliEnv, REPO } from '../cli/run-cli.ts'

/**
 * What the safety tests share: a seeded random source, large trees on disk with the SHA-256 of every
 * file, a walk that finds staged writes a crash left behind, and the binary in a child process that can be
 * killed at a chosen moment.
 */

/** mulberry32: a small seeded PRNG, so a run is replayed from the seed it prints. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A whole number in [min, max]. */
export const between = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1))

/** The seed from `variable` when set (to replay a failure), else a fresh one; printed either way. */
export const seedFrom = (variable: string, label: string): number => {
  const given = process.env[variable]
  const seed = given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given)
  console.log(`${label}: seed ${seed} (replay with ${variable}=${seed})`)
  return seed
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

const pool = (random: () => number, size: number): Buffer => {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((random() * 2 ** 32) >>> 0, i)
  return bytes
}

export interface BigTreeOptions {
  readonly files: number
  /** One file in this many is 100–500 KiB; the rest are 0–8 KiB. */
  readonly largeEvery: number
  /** Prefix of every file's name, so a second batch of files gets new names. */
  readonly prefix?: string
}

/**
 * Writes `files` files under `root`, in folders up to four deep, each with content of its own (its path, a
 * counter, then bytes from a random pool at a random offset), and an mtime in the past whole-second range.
 * Returns path → SHA-256.
 */
export const writeBigTree = async (
  root: string,
  random: () => number,
  options: BigTreeOptions,
): Promise<Map<string, string>> => {
  const bytes = pool(random, 640 * 1024)
  const folders: string[] = ['']
  const hashes = new Map<string, string>()
  const prefix = options.prefix ?? 'f'
  for (let i = 0; i < options.files; i++) {
    // A new folder now and then, under a folder already made, so the tree grows nested.
    if (random() < 0.04 || folders.length < 4) {
      const parent = folders[between(random, 0, folders.length - 1)] ?? ''
      const depth = parent === '' ? 0 : parent.split('/').length
      if (depth < 4) folders.push(parent === '' ? `d${folders.length}` : `${parent}/d${folders.length}`)
    }
    const folder = folders[between(random, 0, folders.length - 1)] ?? ''
    const size =
      i % options.largeEvery === 0 ? between(random, 100 * 1024, 500 * 1024) : between(random, 0, 8 * 1024)
    const header = Buffer.from(`${prefix}${i} ${folder}\n`)
    const offset = between(random, 0, bytes.length - size)
    const content = Buffer.concat([header, bytes.subarray(offset, offset + size)])
    const path = folder === '' ? `${prefix}${i}.bin` : `${folder}/${prefix}${i}.bin`
    await mkdir(join(root, folder), { recursive: true })
    await writeFile(join(root, path), content)
    const mtime = 1_600_000_000 + between(random, 0, 10_000_000)
    await utimes(join(root, path), mtime, mtime)
    hashes.set(path, sha256(content))
  }
  return hashes
}

export interface Walked {
  /** path → SHA-256 of a file, `dir`, or `-> target`. */
  readonly entries: Map<string, string>
  /** Staged writes (`.syncengine-*.tmp`) found anywhere under the root. */
  readonly staged: ReadonlyArray<string>
}

/** Every entry under a folder, staged writes listed apart; {} when the folder does not exist. */
export const walk = async (root: string): Promise<Walked> => {
  const entries = new Map<string, string>()
  const staged: string[] = []
  const visit = async (dir: string, prefix: string): Promise<void> => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    for (const name of names) {
      const full = join(dir, name)
      const rel = prefix === '' ? name : `${prefix}/${name}`
      if (name.startsWith('.syncengine-') && name.endsWith('.tmp')) {
        staged.push(rel)
        continue
      }
      const info = await lstat(full)
      if (info.isDirectory()) {
        entries.set(rel, 'dir')
        await visit(full, rel)
      } else if (info.isSymbolicLink()) entries.set(rel, `-> ${await readlink(full)}`)
      else entries.set(rel, sha256(await readFile(full)))
    }
  }
  await visit(root, '')
  return { entries, staged }
}

/** The files of a walk, path → hash. */
export const filesOf = (walked: Walked): Map<string, string> =>
  new Map([...walked.entries].filter(([, value]) => value !== 'dir' && !value.startsWith('-> ')))

/** The paths where two hash maps differ, for a failure message. */
export const differences = (
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): ReadonlyArray<string> => {
  const out: string[] = []
  for (const [path, hash] of expected) {
    const got = actual.get(path)
    if (got === undefined) out.push(`missing ${path}`)
    else if (got !== hash) out.push(`different ${path}`)
  }
  for (const path of actual.keys()) if (!expected.has(path)) out.push(`unexpected ${path}`)
  return out
}

export const BIN = join(REPO, 'bin', 'syncengine.js')

export interface Running {
  readonly child: ChildProcess
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  /** Whether it has exited (on its own or killed). */
  readonly done: () => boolean
}

/** Starts `node bin/syncengine.js argv` in the repository, with the test environment of `runBinary`. */
export const start = (argv: ReadonlyArray<string>, scratch: string): Running => {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cliEnv(scratch) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let finished = false
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text
  })
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      finished = true
      resolve({ code, signal })
    })
  })
  return { child, exited, output: () => ({ stdout, stderr }), done: () => finished }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether the lock file names `pid` as its holder right now. */
export const holdsLock = async (lockFile: string, pid: number | undefined): Promise<boolean> => {
  try {
    const holder = JSON.parse(await readFile(lockFile, 'utf8')) as { pid?: unknown }
    return holder.pid === pid
  } catch {
    return false
  }
}

/**
 * Waits until the child holds the pair's lock (it is applying), polling every few milliseconds; false when
 * it exited first or `timeoutMs` passed.
 */
export const untilLocked = async (
  running: Running,
  lockFile: string,
  timeoutMs = 20_000,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (running.done()) return false
    if (await holdsLock(lockFile, running.child.pid)) return !running.done()
    await sleep(3)
  }
  return false
}
