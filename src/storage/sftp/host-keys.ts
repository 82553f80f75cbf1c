import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  fingerprintOf,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  knownTypesFor,
  parseKnownHosts,
  verdictOf,
} from './known-hosts.ts'
import { SftpFailure } from './sftp-errors.ts'

export interface HostKeyPolicy {
  readonly host: string
  readonly port: number
  /** The files to look in; new keys are added to the first. */
  readonly files: ReadonlyArray<string>
  readonly acceptNew: boolean
  readonly hashNew: boolean
}

export interface HostKeyChecker {
  /** The server host key algorithms to ask for, those already recorded for the host first (as ssh does). */
  readonly algorithms: () => Promise<ReadonlyArray<string>>
  /** Resolves when the key may be trusted; rejects with an EHOSTKEY failure that shows the fingerprint. */
  readonly verify: (blob: Buffer) => Promise<void>
}

const ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/** A known_hosts type names the key; an RSA key is offered under three signature algorithms. */
const algorithmsOf = (type: string): ReadonlyArray<string> =>
  type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]

/** How ssh names a key type in its messages. */
const shownType = (type: string): string => {
  if (type === 'ssh-ed25519') return 'ED25519'
  if (type.startsWith('ecdsa-')) return 'ECDSA'
  if (type === 'ssh-rsa') return 'RSA'
  return type
}

const readAll = async (files: ReadonlyArray<string>): Promise<string> => {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')))
  return texts.join('\n')
}

export const hostKeyChecker = (policy: HostKeyPolicy): HostKeyChecker => {
  const name = knownHostName(policy.host, policy.port)
  const where = policy.port === 22 ? policy.host : `${policy.host} port ${policy.port}`
  const refuse = (message: string): never => {
    throw new SftpFailure('EHOSTKEY', message)
  }
  return {
    algorithms: async () => {
      const known = knownTypesFor(parseKnownHosts(await readAll(policy.files)), name).flatMap(algorithmsOf)
      return [...new Set([...known.filter((a) => ALGORITHMS.includes(a)), ...ALGORITHMS])]
    },
    verify: async (blob) => {
      const verdict = verdictOf(parseKnownHosts(await readAll(policy.files)), name, blob)
      const key = `${shownType(keyTypeOf(blob))} key fingerprint is ${fingerprintOf(blob)}`
      const remove = `ssh-keygen -R "${name}"`
      switch (verdict.status) {
        case 'known':
          return
        case 'revoked':
          return refuse(`the host key of ${where} is marked as revoked in known_hosts (${key}); refused`)
        case 'changed':
          return refuse(
            `the host key of ${where} has CHANGED (${key}), it is not the one recorded in known_hosts: ` +
              `someone may be intercepting the connection. Refused; if the server's key really changed, ` +
              `remove the old one (${remove}) and connect again`,
          )
        case 'other-types':
          return refuse(
            `the host key of ${where} (${key}) is not recorded, but keys of other types ` +
              `(${verdict.types.join(', ')}) are: refused, as a changed key would be`,
          )
        case 'unknown':
          if (!policy.acceptNew)
            return refuse(
              `the host key of ${where} is not known (${key}). If that is the server's key, accept it ` +
                `with acceptNewHostKey (--accept-new-host-key), or add it to ${policy.files[0] ?? 'known_hosts'}`,
            )
          await record(policy, name, blob)
      }
    },
  }
}

/** Appends the key to the first known_hosts file, on a line of its own. */
const record = async (policy: HostKeyPolicy, name: string, blob: Buffer): Promise<void> => {
  const file = policy.files[0]
  if (file === undefined) return
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const before = await readFile(file, 'utf8').catch(() => '')
  const separator = before === '' || before.endsWith('\n') ? '' : '\n'
  await appendFile(file, `${separator}${knownHostsLine(name, blob, policy.hashNew)}`, { mode: 0o600 })
}
