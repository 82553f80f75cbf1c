import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { SftpOptions } from '../../src/storage/sftp/sftp-options.ts'

/**
 * OpenSSH's sshd on a free loopback port, for tests: its own config, host key and authorized key in a
 * temporary folder, run in the foreground as the current user (root in CI, with keys only). The client
 * side gets a throwaway HOME whose `.ssh` holds the user's key and a known_hosts that trusts the server.
 */
export interface Sshd {
  readonly host: string
  readonly port: number
  readonly user: string
  /** The throwaway HOME, with `.ssh/id_ed25519` and `.ssh/known_hosts`. */
  readonly home: string
  /** A scratch folder on the server (the same machine), for roots. */
  readonly scratch: string
  readonly dir: string
  /** Options that open sides on this server with the throwaway HOME. */
  readonly options: SftpOptions
  readonly url: (path: string) => string
  /** The host key's public line (`ssh-ed25519 AAAA…`). */
  readonly hostKey: () => Promise<string>
  /** Kills the server and every session it forked, at once, as a crash or a pulled cable would. */
  readonly kill: () => Promise<void>
  /** Stops every open session (SIGSTOP) as a hung server or a dead link would; new ones are served. Returns a thaw. */
  readonly freeze: () => () => void
  /** Starts it again on the same port with the same keys. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const SSHD_PATHS = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/usr/bin/sshd']

export const sshdBinary = (): string | undefined => SSHD_PATHS.find((p) => existsSync(p))

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const keygen = (file: string): void => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'syncengine-test', '-f', file])
}

/** Every process below `pid`, read from /proc (sshd's sessions leave its process group). */
const descendantsOf = (pid: number): number[] => {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(name))
      children.set(ppid, list)
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = []
  const visit = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c)
      visit(c)
    }
  }
  visit(pid)
  return out
}

const waitForListening = (child: ChildProcess): Promise<void> =>
  new Promise((resolve, reject) => {
    let log = ''
    const onData = (chunk: Buffer): void => {
      log += chunk.toString()
      if (/Server listening on/.test(log)) {
        child.stderr?.off('data', onData)
        child.off('exit', onExit)
        // Keep reading, so that a full pipe never blocks the server.
        child.stderr?.resume()
        resolve()
      }
    }
    const onExit = (code: number | null): void =>
      reject(new Error(`sshd exited (${code}) before listening:\n${log}`))
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })

/**
 * Starts a server, or says why it cannot: in CI (`CI` set) a missing sshd is an error; elsewhere the
 * tests that need it are skipped with that message.
 */
export const startSshd = async (
  options: {
    /** Like a server that allows SFTP only (`ForceCommand internal-sftp`): no command can be run. */
    readonly sftpOnly?: boolean
  } = {},
): Promise<Sshd | string> => {
  const binary = sshdBinary()
  if (binary === undefined) {
    const why = 'OpenSSH server not found (apt-get install openssh-server)'
    if (process.env.CI !== undefined) throw new Error(why)
    return why
  }
  const dir = await mkdtemp(join(tmpdir(), 'syncengine-sshd-'))
  const home = join(dir, 'home')
  const scratch = join(dir, 'data')
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 })
  await mkdir(scratch)
  keygen(join(dir, 'host_ed25519'))
  keygen(join(home, '.ssh', 'id_ed25519'))
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(home, '.ssh', 'id_ed25519.pub')))
  const port = await freePort()
  const host = '127.0.0.1'
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 32',
      'MaxStartups 64',
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      // bash sources ~/.bashrc for commands run over ssh unless it is a nested shell: the test machine's
      // dotfiles (which may start slow tools) are not part of the server under test.
      'SetEnv SHLVL=1',
      ...(options.sftpOnly === true ? ['ForceCommand internal-sftp'] : []),
      '',
    ].join('\n'),
  )
  const hostKey = async (): Promise<string> =>
    (await readFile(join(dir, 'host_ed25519.pub'), 'utf8')).split(' ').slice(0, 2).join(' ')
  await writeFile(join(home, '.ssh', 'known_hosts'), `[${host}]:${port} ${await hostKey()}\n`)
  // sshd run by root wants its privilege separation folder.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })

  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const started = spawn(binary, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child = started
    await waitForListening(started)
  }
  const kill = async (): Promise<void> => {
    const running = child
    const pid = running?.pid
    if (running === undefined || pid === undefined) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    for (const p of [pid, ...descendantsOf(pid)]) {
      try {
        process.kill(p, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    child = undefined
    if (running.exitCode === null && running.signalCode === null) await exited
  }
  const signalSessions = (signal: NodeJS.Signals, pids: ReadonlyArray<number>): void => {
    for (const p of pids) {
      try {
        process.kill(p, signal)
      } catch {
        // Already gone.
      }
    }
  }
  const freeze = (): (() => void) => {
    const pid = child?.pid
    const sessions = pid === undefined ? [] : descendantsOf(pid)
    signalSessions('SIGSTOP', sessions)
    return () => signalSessions('SIGCONT', sessions)
  }
  await start()
  const user = userInfo().username
  return {
    host,
    port,
    user,
    home,
    scratch,
    dir,
    options: { home, retries: 2, retryDelayMs: 100 },
    url: (path) => `sftp://${encodeURIComponent(user)}@${host}:${port}${path}`,
    hostKey,
    kill,
    freeze,
    restart: start,
    stop: async () => {
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
