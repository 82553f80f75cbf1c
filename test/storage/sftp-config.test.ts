import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  fingerprintOf,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  knownTypesFor,
  parseKnownHosts,
  verdictOf,
} from '../../src/storage/sftp/known-hosts.ts'
import { expandPath, hostConfigOf, parseSshConfig } from '../../src/storage/sftp/ssh-config.ts'

/** A public key blob: its type, then bytes standing for the key. */
const blob = (type: string, seed: string): Buffer => {
  const name = Buffer.from(type)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(name.length)
  return Buffer.concat([length, name, Buffer.from(seed)])
}

describe('~/.ssh/config', () => {
  const config = parseSshConfig(
    [
      '# comment',
      'Host web !web-old web-*',
      '  HostName %h.example.org',
      '  User deploy',
      'Host *.internal',
      '  Port=2222',
      '  IdentityFile ~/.ssh/internal_%r',
      'Match host web',
      '  User never-me',
      'Host *',
      '  User everyone',
      '  Port 22',
      '  IdentityFile "~/.ssh/key with space"',
      '  UserKnownHostsFile ~/.ssh/kh1 /etc/kh2',
      '  HashKnownHosts yes',
      '  IdentityAgent none',
      '  ServerAliveInterval 30',
    ].join('\n'),
  )

  it('takes the first value of each keyword from the matching Host blocks', () => {
    expect(hostConfigOf(config, 'web-1')).toEqual({
      hostName: 'web-1.example.org',
      user: 'deploy',
      port: 22,
      identityFiles: ['~/.ssh/key with space'],
      identityAgent: 'none',
      userKnownHostsFiles: ['~/.ssh/kh1', '/etc/kh2'],
      hashKnownHosts: true,
      serverAliveIntervalSeconds: 30,
    })
  })

  it('lets a negated pattern exclude a host, and skips Match blocks', () => {
    expect(hostConfigOf(config, 'web-old').user).toBe('everyone')
    expect(hostConfigOf(config, 'web').user).toBe('deploy')
  })

  it('adds identity files up from every matching block, in order', () => {
    const box = hostConfigOf(config, 'db.internal')
    expect(box.port).toBe(2222)
    expect(box.identityFiles).toEqual(['~/.ssh/internal_%r', '~/.ssh/key with space'])
    expect(
      expandPath(box.identityFiles[0] ?? '', { home: '/h', localUser: 'me', host: 'db', user: 'ops' }),
    ).toBe('/h/.ssh/internal_ops')
  })
})

describe('known_hosts', () => {
  const ed = blob('ssh-ed25519', 'the key')
  const other = blob('ssh-ed25519', 'another key')
  const rsa = blob('ssh-rsa', 'an rsa key')

  it('reads a key type and prints a fingerprint like ssh-keygen', () => {
    expect(keyTypeOf(ed)).toBe('ssh-ed25519')
    expect(fingerprintOf(ed)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('names a host on another port as [host]:port', () => {
    expect(knownHostName('Example.ORG', 22)).toBe('example.org')
    expect(knownHostName('example.org', 2222)).toBe('[example.org]:2222')
  })

  it('knows a key by plain name, pattern or hashed name, and tells a changed key from an unknown one', () => {
    const salt = randomBytes(20)
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[h.example]:2222').digest('base64')}`
    const lines = parseKnownHosts(
      [
        `a.example,b.example ssh-ed25519 ${ed.toString('base64')} comment`,
        `*.wild ssh-ed25519 ${ed.toString('base64')}`,
        `${hashed} ssh-ed25519 ${ed.toString('base64')}`,
        `rsa.example ssh-rsa ${rsa.toString('base64')}`,
        `@revoked * ssh-ed25519 ${other.toString('base64')}`,
      ].join('\n'),
    )
    expect(verdictOf(lines, 'b.example', ed)).toEqual({ status: 'known' })
    expect(verdictOf(lines, 'x.wild', ed)).toEqual({ status: 'known' })
    expect(verdictOf(lines, '[h.example]:2222', ed)).toEqual({ status: 'known' })
    expect(verdictOf(lines, 'h.example', ed)).toEqual({ status: 'unknown' })
    expect(verdictOf(lines, 'a.example', blob('ssh-ed25519', 'changed'))).toEqual({ status: 'changed' })
    expect(verdictOf(lines, 'rsa.example', ed)).toEqual({ status: 'other-types', types: ['ssh-rsa'] })
    expect(verdictOf(lines, 'a.example', other)).toEqual({ status: 'revoked' })
    expect(knownTypesFor(lines, 'rsa.example')).toEqual(['ssh-rsa'])
  })

  it('writes lines it reads back, hashed or not', () => {
    for (const hashed of [false, true]) {
      const lines = parseKnownHosts(knownHostsLine('[127.0.0.1]:2200', ed, hashed))
      expect(verdictOf(lines, '[127.0.0.1]:2200', ed)).toEqual({ status: 'known' })
      expect(verdictOf(lines, '[127.0.0.1]:2201', ed)).toEqual({ status: 'unknown' })
    }
  })
})
