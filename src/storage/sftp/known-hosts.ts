import { createHash, createHmac, randomBytes } from 'node:crypto'
import { patternListMatches } from './ssh-config.ts'

/**
 * `known_hosts` as OpenSSH reads it (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT): `[marker] patterns type key`,
 * where patterns are host names with wildcards and negations, `[host]:port` for another port than 22,
 * or one hashed name `|1|salt|hmac`. Certificate authorities are not used; revoked keys are refused.
 */

interface KnownLine {
  readonly marker: 'revoked' | 'cert-authority' | null
  readonly hosts: string
  readonly type: string
  readonly key: string
}

/** How a host's key compares with what the known_hosts files say about that host. */
export type HostKeyVerdict =
  | { readonly status: 'known' }
  | { readonly status: 'revoked' }
  /** A key of the same type is recorded for this host, and it is another one. */
  | { readonly status: 'changed' }
  /** Keys of other types are recorded for this host, none of this type: refused like a changed key. */
  | { readonly status: 'other-types'; readonly types: ReadonlyArray<string> }
  | { readonly status: 'unknown' }

export const parseKnownHosts = (text: string): ReadonlyArray<KnownLine> =>
  text.split(/\r?\n/).flatMap((raw) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return []
    const words = line.split(/\s+/)
    let marker: KnownLine['marker'] = null
    if (words[0] === '@revoked' || words[0] === '@cert-authority') {
      marker = words[0] === '@revoked' ? 'revoked' : 'cert-authority'
      words.shift()
    }
    const [hosts, type, key] = words
    if (hosts === undefined || type === undefined || key === undefined) return []
    return [{ marker, hosts, type, key }]
  })

/** How known_hosts names a host: plain on port 22, `[host]:port` on any other. */
export const knownHostName = (host: string, port: number): string =>
  port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`

const hashedMatches = (hashed: string, name: string): boolean => {
  const [, magic, salt, hash] = hashed.split('|')
  if (magic !== '1' || salt === undefined || hash === undefined) return false
  const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
  return expected === hash
}

const namesHost = (hosts: string, name: string): boolean =>
  hosts.startsWith('|') ? hashedMatches(hosts, name) : patternListMatches([hosts], name)

/** The type written inside a public key blob (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …). */
export const keyTypeOf = (blob: Buffer): string => {
  if (blob.length < 4) return ''
  const length = blob.readUInt32BE(0)
  return blob.subarray(4, 4 + length).toString('latin1')
}

/** The fingerprint as `ssh` and `ssh-keygen -l` print it. */
export const fingerprintOf = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`

/** The types of key the files record for a host, to ask the server for one of those first. */
export const knownTypesFor = (lines: ReadonlyArray<KnownLine>, name: string): ReadonlyArray<string> => [
  ...new Set(lines.filter((l) => l.marker === null && namesHost(l.hosts, name)).map((l) => l.type)),
]

export const verdictOf = (lines: ReadonlyArray<KnownLine>, name: string, blob: Buffer): HostKeyVerdict => {
  const type = keyTypeOf(blob)
  const key = blob.toString('base64')
  const forHost = lines.filter((l) => l.marker !== 'cert-authority' && namesHost(l.hosts, name))
  if (forHost.some((l) => l.marker === 'revoked' && l.key === key)) return { status: 'revoked' }
  const plain = forHost.filter((l) => l.marker === null)
  if (plain.some((l) => l.type === type && l.key === key)) return { status: 'known' }
  if (plain.some((l) => l.type === type)) return { status: 'changed' }
  if (plain.length > 0) return { status: 'other-types', types: [...new Set(plain.map((l) => l.type))] }
  return { status: 'unknown' }
}

/** The line that records a host's key, hashed like `HashKnownHosts yes` writes it when asked. */
export const knownHostsLine = (name: string, blob: Buffer, hashed: boolean): string => {
  const hosts = hashed
    ? (() => {
        const salt = randomBytes(20)
        return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`
      })()
    : name
  return `${hosts} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`
}
