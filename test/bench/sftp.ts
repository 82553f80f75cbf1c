/**
 * SFTP throughput against OpenSSH's own `sftp` client, on one sshd on loopback started here: a big file
 * up and down through syncengine (plan and apply, so progress metering and the checks are included) and
 * through `sftp -b`, in the same run. The copies are checked with SHA-256 (on the server, and locally).
 * Each is run `BENCH_SFTP_ROUNDS` times (3), the two clients taking turns so that a busy machine slows
 * both alike, and the best time of each counts. Prints one line per figure. `BENCH_QUICK=1` makes the
 * file small; `BENCH_SFTP_MIB=n` sets its size.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import * as E from 'fp-ts/lib/Either.js'
import { applyPlan } from '../../src/apply/apply.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import { newState } from '../../src/core/sync-state.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { localStorage } from '../../src/storage/local.ts'
import { openSide } from '../../src/storage/open.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { startSshd } from '../support/sshd.ts'

const MiB = 1024 * 1024
const size = Number(process.env.BENCH_SFTP_MIB ?? (process.env.BENCH_QUICK === '1' ? 32 : 200)) * MiB
const rounds = Number(process.env.BENCH_SFTP_ROUNDS ?? 3)

const report = (name: string, value: string): void => console.log(`${name.padEnd(44)} ${value}`)

const seconds = async (run: () => Promise<unknown>): Promise<number> => {
  const start = process.hrtime.bigint()
  await run()
  return Number(process.hrtime.bigint() - start) / 1e9
}

const sha256Of = async (file: string): Promise<string> => {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

/** Random bytes do not compress: neither side may gain by it. */
const makeFile = async (file: string): Promise<void> => {
  const out = createWriteStream(file)
  const block = Buffer.alloc(MiB)
  let x = 0x9e3779b9
  for (let i = 0; i < size / MiB; i++) {
    for (let j = 0; j < MiB; j += 4) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      block.writeUInt32LE(x >>> 0, j)
    }
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  out.end()
  await finished(out)
}

/** Plans and applies one direction of a copy: the path a user's sync takes. */
const sync = async (source: Storage, destination: Storage): Promise<void> => {
  const plan = await planPair({ sides: { source, destination }, state: null, policy: defaultPolicy })()
  if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
  const applied = await applyPlan(
    plan.right,
    { source, destination },
    {
      current: null,
      fresh: () => newState('bench', source.root, destination.root),
      meter: (_action, data) => data,
    },
  )()
  if (E.isLeft(applied) || applied.right.counts.failed > 0) throw new Error('the copy failed')
}

const main = async (): Promise<void> => {
  const sshd = await startSshd()
  if (typeof sshd === 'string') throw new Error(sshd)
  const work = await mkdtemp(join(tmpdir(), 'syncengine-bench-sftp-'))
  try {
    const folders = ['local', 'remote', 'back', 'openssh-up', 'openssh-down'].map((f) => join(work, f))
    const [local, remote, back, opensshUp, opensshDown] = folders as [string, string, string, string, string]
    await Promise.all(folders.map((f) => mkdir(f)))
    await makeFile(join(local, 'big.bin'))
    const expected = await sha256Of(join(local, 'big.bin'))
    const opened = await openSide(sshd.url(remote), { cwd: '/', env: {}, sftp: sshd.options })()
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    const server = opened.right
    const mib = size / MiB

    const sftp = (commands: string): void => {
      execFileSync(
        'sftp',
        [
          '-q',
          '-F',
          '/dev/null',
          '-o',
          `UserKnownHostsFile=${join(sshd.home, '.ssh', 'known_hosts')}`,
          '-o',
          'BatchMode=yes',
          '-i',
          join(sshd.home, '.ssh', 'id_ed25519'),
          '-P',
          String(sshd.port),
          '-b',
          '-',
          `${sshd.user}@${sshd.host}`,
        ],
        { input: commands, stdio: ['pipe', 'ignore', 'inherit'] },
      )
    }
    const best = { up: Infinity, down: Infinity, theirUp: Infinity, theirDown: Infinity }
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        [remote, back, opensshUp, opensshDown].map((f) => rm(join(f, 'big.bin'), { force: true })),
      )
      best.up = Math.min(best.up, await seconds(() => sync(localStorage(local), server)))
      const remoteHash = await (server.hashes as NonNullable<Storage['hashes']>)(['big.bin' as never])()
      if (E.isLeft(remoteHash) || remoteHash.right.get('big.bin' as never) !== expected)
        throw new Error('the uploaded file does not hash like the original')
      best.theirUp = Math.min(
        best.theirUp,
        await seconds(async () => sftp(`put ${join(local, 'big.bin')} ${opensshUp}/big.bin\n`)),
      )
      best.down = Math.min(best.down, await seconds(() => sync(server, localStorage(back))))
      if ((await sha256Of(join(back, 'big.bin'))) !== expected)
        throw new Error('the downloaded file does not hash like the original')
      best.theirDown = Math.min(
        best.theirDown,
        await seconds(async () => sftp(`get ${join(opensshUp, 'big.bin')} ${opensshDown}/big.bin\n`)),
      )
      if ((await sha256Of(join(opensshDown, 'big.bin'))) !== expected) throw new Error('sftp copied it wrong')
    }
    await server.close?.()
    const { up, down, theirUp, theirDown } = best

    const rate = (s: number): string => `${(mib / s).toFixed(0)} MiB/s`
    report(`sftp upload ${mib} MiB: syncengine`, rate(up))
    report(`sftp upload ${mib} MiB: OpenSSH sftp`, rate(theirUp))
    report(`sftp download ${mib} MiB: syncengine`, rate(down))
    report(`sftp download ${mib} MiB: OpenSSH sftp`, rate(theirDown))
    report('sftp upload: syncengine / OpenSSH', `${(theirUp / up).toFixed(2)}`)
    report('sftp download: syncengine / OpenSSH', `${(theirDown / down).toFixed(2)}`)
  } finally {
    await rm(work, { recursive: true, force: true })
    await sshd.stop()
  }
}

await main()
