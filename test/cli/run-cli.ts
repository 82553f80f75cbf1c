import { execFileSync, spawnSync } from 'node:child_process'
import { chmod, cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { localPair, type TestPair } from '../support/sides.ts'

/** The repository, where `bin/syncengine.js` lives. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment of every run: no color, and HOME and XDG_STATE_HOME inside the scratch folder, so a run
 * that forgot `--state` still never touches the real home.
 */
export const cliEnv = (scratch: string): Record<string, string> => ({
  HOME: scratch,
  XDG_STATE_HOME: join(scratch, 'xdg-state'),
  NO_COLOR: '1',
})

/** Runs `syncengine argv` in this process, as a user at a pipe would (or at a terminal), and captures what it prints. */
export const runCli = async (
  argv: ReadonlyArray<string>,
  options: {
    readonly cwd: string
    /** Both outputs are a terminal this wide. */
    readonly terminal?: { readonly columns: number }
    /** Variables on top of `cliEnv(cwd)`. */
    readonly env?: Readonly<Record<string, string>>
    readonly now?: () => number
  },
): Promise<CliResult> => {
  let stdout = ''
  let stderr = ''
  const tty =
    options.terminal === undefined ? { isTTY: false } : { isTTY: true, columns: options.terminal.columns }
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text
      },
      ...tty,
    },
    stderr: {
      write: (text: string) => {
        stderr += text
      },
      ...tty,
    },
    env: { ...cliEnv(options.cwd), ...options.env },
    cwd: options.cwd,
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  return { code, stdout, stderr }
}

/** Runs the real entry point, `node bin/syncengine.js argv`, in a child process. */
export const runBinary = (
  argv: ReadonlyArray<string>,
  options: {
    readonly scratch: string
    readonly user?: { readonly uid: number; readonly gid: number }
    /** Where it runs; the repository unless said otherwise. */
    readonly cwd?: string
    /** Variables on top of `cliEnv(scratch)`. */
    readonly env?: Readonly<Record<string, string>>
    /** Where `bin/syncengine.js` is: the repository, or a copy of it (see `runnableCopy`). */
    readonly repo?: string
  },
): CliResult => {
  const child = spawnSync(process.execPath, [join(options.repo ?? REPO, 'bin', 'syncengine.js'), ...argv], {
    cwd: options.cwd ?? REPO,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cliEnv(options.scratch), ...options.env },
    encoding: 'utf8',
    timeout: 20_000,
    // The CLI handles SIGTERM as a request to stop cleanly; a run past its time is killed outright.
    killSignal: 'SIGKILL',
    ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
  })
  if (child.error !== undefined) throw child.error
  return { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr }
}

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`

/**
 * Runs the real entry point under a pseudo-terminal (util-linux `script`), as a person at a terminal
 * would: stdout and stderr are the terminal, and what it shows comes back as one string.
 */
export const runInTerminal = (
  argv: ReadonlyArray<string>,
  options: {
    readonly scratch: string
    readonly cwd: string
    readonly env?: Readonly<Record<string, string>>
  },
): { readonly code: number; readonly output: string } => {
  const command = [process.execPath, join(REPO, 'bin', 'syncengine.js'), ...argv].map(quote).join(' ')
  const child = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TERM: 'xterm',
      ...cliEnv(options.scratch),
      ...options.env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  })
  if (child.error !== undefined) throw child.error
  return { code: child.status ?? -1, output: child.stdout }
}

/** A local pair under one temp folder, with the absolute paths the CLI is given. */
export interface CliPair extends TestPair {
  readonly base: string
  readonly src: string
  readonly dst: string
  readonly stateFile: string
}

export const cliPair = async (): Promise<CliPair> => {
  const pair = await localPair()
  const base = dirname(pair.scratch)
  return {
    ...pair,
    base,
    src: join(base, 'source'),
    dst: join(base, 'destination'),
    stateFile: join(pair.scratch, 'state.json'),
  }
}

/** Fills a side from a `{ path: content }` tree, in path order. */
export const putTree = async (
  side: TestPair['source'],
  tree: Readonly<Record<string, string>>,
): Promise<void> => {
  for (const [path, content] of Object.entries(tree)) await side.put(path, content)
}

/** Checks stderr is one `error: ...` line with no stack trace, and returns that line. */
export const oneLineError = (stderr: string): string => {
  expect(stderr).not.toMatch(/^\s+at /m)
  const lines = stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^error: /)
  return lines[0] ?? ''
}

/**
 * What the command line needs to run (bin, src, package.json and the packages it uses), copied where any
 * user can read it. A test that runs the CLI as another user runs this copy: the clone itself may sit in
 * a folder only its owner can enter (`mktemp -d` makes them 0700), where that user could not load a module.
 */
export const runnableCopy = async (): Promise<{
  readonly repo: string
  readonly remove: () => Promise<void>
}> => {
  const repo = await mkdtemp(join(tmpdir(), 'syncengine-cli-'))
  for (const part of ['bin', 'src', 'package.json', 'tsconfig.json'])
    await cp(join(REPO, part), join(repo, part), { recursive: true })
  // The packages the program runs with, and tsx, which runs bin/syncengine.js from the sources: the
  // production packages of package-lock.json and tsx's, with what each needs.
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    readonly packages: Readonly<
      Record<
        string,
        {
          readonly dev?: boolean
          readonly dependencies?: Readonly<Record<string, string>>
          readonly optionalDependencies?: Readonly<Record<string, string>>
        }
      >
    >
  }
  const wanted = Object.entries(lock.packages)
    .filter(([path, info]) => path.lastIndexOf('node_modules/') === 0 && info.dev !== true)
    .map(([path]) => path)
  wanted.push('node_modules/tsx')
  const copied = new Set<string>()
  while (wanted.length > 0) {
    const path = wanted.pop() as string
    if (copied.has(path)) continue
    copied.add(path)
    // Optional packages for other platforms are listed but not installed.
    if ((await stat(join(REPO, path)).catch(() => null)) === null) continue
    await cp(join(REPO, path), join(repo, path), { recursive: true, verbatimSymlinks: true })
    const info = lock.packages[path]
    for (const name of Object.keys({ ...info?.dependencies, ...info?.optionalDependencies }))
      if (lock.packages[`${path}/node_modules/${name}`] === undefined) wanted.push(`node_modules/${name}`)
  }
  await chmod(repo, 0o755)
  execFileSync('chmod', ['-R', 'a+rX', repo])
  return { repo, remove: () => rm(repo, { recursive: true, force: true }) }
}
