import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSide } from '../../src/storage/open.ts'
import type { SftpOptions } from '../../src/storage/sftp/sftp-options.ts'

/**
 * Passwords, against a server that takes only passwords. OpenSSH's sshd checks passwords against the
 * system's accounts (which a test must not touch), so this server is ssh2's: it checks the password, by
 * keyboard-interactive or password, and opens an SFTP channel, which is all that opening a side needs.
 */
const secret = `pw-${randomBytes(8).toString('hex')}`
let dir: string
let home: string
let server: ssh2.Server
let port: number
const methods: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncengine-password-'))
  home = join(dir, 'home')
  await mkdir(join(home, '.ssh'), { recursive: true })
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')])
  server = new ssh2.Server({ hostKeys: [await readFile(join(dir, 'host'))] }, (client) => {
    client.on('authentication', (context) => {
      methods.push(context.method)
      if (context.method === 'password') {
        if (context.password === secret) context.accept()
        else context.reject(['keyboard-interactive', 'password'])
      } else if (context.method === 'keyboard-interactive') {
        context.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          if (answers[0] === secret) context.accept()
          else context.reject(['keyboard-interactive', 'password'])
        })
      } else context.reject(['keyboard-interactive', 'password'])
    })
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => {
          acceptSftp()
        })
      })
    })
    client.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  const hostKey = (await readFile(join(dir, 'host.pub'), 'utf8')).split(' ').slice(0, 2).join(' ')
  await writeFile(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`)
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, { recursive: true, force: true })
})

const open = (env: Record<string, string>, sftp: SftpOptions = {}) =>
  openSide(`sftp://someone@127.0.0.1:${port}/data`, { cwd: '/', env, sftp: { home, retries: 0, ...sftp } })()

describe('sftp passwords', () => {
  it('logs in with the password from the environment', async () => {
    methods.length = 0
    const opened = await open({ SYNCENGINE_SFTP_PASSWORD: secret })
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    await opened.right.close?.()
    expect(methods).toEqual(['keyboard-interactive'])
  })

  it('asks the prompt when the environment has none, and only once', async () => {
    const asked: string[] = []
    const opened = await open(
      {},
      {
        prompt: async (question, kind) => {
          asked.push(`${kind}: ${question}`)
          return kind === 'password' ? secret : undefined
        },
      },
    )
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
    await opened.right.close?.()
    expect(asked).toEqual([`password: Password for someone@127.0.0.1:${port}: `])
  })

  it('says what it tried when nothing works, without the password', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`
    const refused = await open({ SYNCENGINE_SFTP_PASSWORD: wrong })
    expect(E.isLeft(refused) && refused.left._tag).toBe('StorageUnavailable')
    const message = E.isLeft(refused) && 'message' in refused.left ? refused.left.message : ''
    expect(message).toContain('refused every way to log in (tried keyboard-interactive, password)')
    expect(message).not.toContain(wrong)

    const nothing = await open({})
    expect(E.isLeft(nothing) && 'message' in nothing.left ? nothing.left.message : '').toContain(
      'tried nothing: no agent, no key, no password',
    )
  })
})
