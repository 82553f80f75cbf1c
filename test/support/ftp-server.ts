import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A real FTP server for the tests: ProFTPD from Debian's proftpd-core (and proftpd-mod-crypto for TLS),
 * run in the foreground with its own config, users file and certificate, on loopback ports nobody else
 * uses. One port speaks plain FTP and AUTH TLS; another speaks implicit TLS.
 */
export interface FtpServer {
  readonly host: string
  /** Plain FTP, and explicit TLS (AUTH TLS) on request. */
  readonly port: number
  /** Implicit TLS (ftps://). */
  readonly implicitPort: number
  readonly user: string
  readonly password: string
  /** The PEM certificate the server presents (self-signed for 127.0.0.1), to trust as a CA. */
  readonly caFile: string
  /** A folder the server serves (absolute on the server, which is this machine). */
  readonly home: string
  /** Stops the server for good, as a crash would (SIGKILL to every process it forked). */
  readonly kill: () => Promise<void>
  /** Starts it again on the same ports after `kill`. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const PROFTPD = '/usr/sbin/proftpd'

/** Whether ProFTPD and its TLS module are installed. */
export const hasProftpd = (): boolean => {
  try {
    execFileSync(PROFTPD, ['-v'], { stdio: 'ignore' })
    execFileSync('test', ['-f', '/usr/lib/proftpd/mod_tls.so'])
    return true
  } catch {
    return false
  }
}

/** Every process below `pid`, from /proc (a session of ProFTPD may have left its process group). */
const descendantsOf = async (pid: number): Promise<ReadonlyArray<number>> => {
  const children = new Map<number, number[]>()
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
  }
  const out: number[] = []
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.pop() ?? -1) ?? []
    out.push(...next)
    queue = [...queue, ...next]
  }
  return out
}

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

const configOf = (dir: string, port: number, implicitPort: number, usersFile: string): string => {
  const root = process.getuid?.() === 0
  const common = `
  AuthOrder mod_auth_file.c
  AuthUserFile ${usersFile}
  RequireValidShell off
  ${root ? 'RootLogin on' : ''}
  AllowOverwrite on
  Umask 022
  ListOptions "-a"
  ShowSymlinks on
  FactsOptions UseSlink
  TimeoutIdle 600
  TLSEngine on
  TLSProtocol TLSv1.2 TLSv1.3
  TLSECCertificateFile ${dir}/cert.pem
  TLSECCertificateKeyFile ${dir}/key.pem
  TLSVerifyClient off
  TLSRenegotiate none
  TLSLog ${dir}/tls.log
`
  return `
ServerName "syncengine test"
ServerType standalone
Port ${port}
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
UseReverseDNS off
${root ? 'User root\nGroup root' : ''}
PidFile ${dir}/proftpd.pid
ScoreboardFile ${dir}/proftpd.scoreboard
DelayTable none
DelayEngine off
WtmpLog off
SystemLog ${dir}/system.log
TransferLog none
ModulePath /usr/lib/proftpd
LoadModule mod_tls.c
MaxInstances 64
<Global>${common}</Global>
<VirtualHost 127.0.0.1>
  Port ${implicitPort}
  TLSOptions UseImplicitSSL
</VirtualHost>
`
}

/**
 * Starts a server, or returns undefined outside CI when ProFTPD is not installed (in CI a missing server
 * fails the test that asked for it).
 */
export const startFtpServer = async (): Promise<FtpServer | undefined> => {
  if (!hasProftpd()) {
    if (process.env.CI !== undefined && process.env.CI !== '')
      throw new Error('ProFTPD is not installed (apt-get install proftpd-core proftpd-mod-crypto)')
    return undefined
  }
  const dir = await mkdtemp(join(tmpdir(), 'syncengine-ftpd-'))
  const home = join(dir, 'home')
  await mkdir(home)
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  const user = 'syncer'
  const password = `pw-${randomBytes(12).toString('hex')}`
  const hash = execFileSync('openssl', ['passwd', '-6', '-salt', randomBytes(6).toString('hex'), '-stdin'], {
    input: password,
  })
    .toString()
    .trim()
  const usersFile = join(dir, 'users')
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  await writeFile(usersFile, `${user}:${hash}:${uid}:${gid}::${home}:/bin/sh\n`, { mode: 0o600 })
  const [port, implicitPort] = [await freePort(), await freePort()]
  const config = join(dir, 'proftpd.conf')
  await writeFile(config, configOf(dir, port, implicitPort, usersFile))

  let child: ChildProcess | undefined
  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // Its own process group: killing it takes the sessions it forked too, as a crash of the host would.
      const started = spawn(PROFTPD, ['-n', '-c', config], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child = started
      let said = ''
      const listen = (data: Buffer): void => {
        said += data.toString()
        // ProFTPD says STARTUP once every socket is bound.
        if (/STARTUP/.test(said)) {
          started.stdout?.off('data', listen)
          started.stderr?.off('data', listen)
          child = started
          resolve()
        }
      }
      started.stdout?.on('data', listen)
      started.stderr?.on('data', listen)
      started.once('error', reject)
      started.once('exit', (code) => reject(new Error(`proftpd exited (${code}) before it started: ${said}`)))
    })
  /** The whole process group at once, sessions included: a crash, not a shutdown. */
  const kill = (): Promise<void> => {
    const running = child
    child = undefined
    if (running?.pid === undefined || running.exitCode !== null) return Promise.resolve()
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()))
    try {
      process.kill(-running.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
    return exited.then(async () => {
      // A session that left the group is found by its parent, if it has not been handed to init yet.
      for (const pid of await descendantsOf(running.pid ?? -1)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    })
  }
  /** A session that outlived a kill may hold the port a moment longer: each failed start is followed by another. */
  const restart = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null) return
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch()
      } catch (error) {
        if (attempt >= 50 || !/Address already in use/.test(String(error))) throw error
      }
    }
  }
  await launch()
  return {
    host: '127.0.0.1',
    port,
    implicitPort,
    user,
    password,
    caFile: join(dir, 'cert.pem'),
    home,
    kill,
    restart,
    stop: async () => {
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
