import { FTPError } from 'basic-ftp'
import { describe, expect, it } from 'vitest'
import { isTransient } from '../../src/apply/retry.ts'
import { factTimeOf, foundOfFacts, parseFactsLine, parseFactTime } from '../../src/storage/ftp/facts.ts'
import { parseListing } from '../../src/storage/ftp/list-lines.ts'
import { codeOfReply, failureOf } from '../../src/storage/ftp/replies.ts'
import { storageError } from '../../src/storage/storage.ts'

const NOW = Date.UTC(2024, 0, 10, 12, 0)

describe('LIST lines in the Unix form', () => {
  it('keeps the spaces of a name, leading and inside', () => {
    const listed = parseListing(
      [
        'total 12',
        'drwxr-xr-x   3 tester   0            4096 Jan  2 05:19 .',
        'drwxr-xr-x   3 tester   0            4096 Jan  2 05:19 ..',
        '-rw-r--r--   1 tester   staff        1234 Jan  4 14:05 name with  two spaces.txt',
        '-rw-r--r--   1 tester   staff           3 Jan  4 14:05  leading',
      ].join('\r\n'),
      NOW,
    )
    expect(listed.map((l) => l.name)).toEqual(['name with  two spaces.txt', ' leading'])
    expect(listed[0]?.found).toEqual({
      kind: 'file',
      size: 1234,
      mtimeMs: Date.UTC(2024, 0, 4, 14, 5),
      exec: false,
    })
  })

  it('reads a time of day as this year or last, and a year as a whole day', () => {
    const [recent, lastYear, old] = parseListing(
      [
        '-rw-r--r-- 1 1000 1000 1 Jan 10 10:00 recent',
        '-rw-r--r-- 1 1000 1000 1 Dec 30 23:59 last-year',
        '-rw-r--r-- 1 1000 1000 1 Mar  4  2019 old',
      ].join('\n'),
      NOW,
    )
    expect(recent).toMatchObject({
      found: { mtimeMs: Date.UTC(2024, 0, 10, 10, 0) },
      mtimePrecisionMs: 60_000,
    })
    expect(lastYear).toMatchObject({ found: { mtimeMs: Date.UTC(2023, 11, 30, 23, 59) } })
    expect(old).toMatchObject({ found: { mtimeMs: Date.UTC(2019, 2, 4) }, mtimePrecisionMs: 86_400_000 })
  })

  it('tells folders, links with their own text, executables and special files apart', () => {
    const listed = parseListing(
      [
        'drwxr-xr-x   2 o g 4096 Dec  2 05:19 sub dir',
        'lrwxrwxrwx   1 o g    7 Dec  2 05:19 link name -> ../a b.txt',
        '-rwxr-x---   1 o g    9 Dec  2 05:19 tool.sh',
        'prw-r--r--   1 o g    0 Dec  2 05:19 pipe',
      ].join('\n'),
      NOW,
    )
    expect(listed.map((l) => [l.name, l.found])).toEqual([
      ['sub dir', { kind: 'dir' }],
      ['link name', { kind: 'symlink', target: '../a b.txt' }],
      ['tool.sh', expect.objectContaining({ kind: 'file', exec: true })],
      ['pipe', { kind: 'special', what: 'fifo' }],
    ])
  })
})

describe('LIST lines in the DOS form', () => {
  it('reads folders, sizes, 12-hour times and two-digit years', () => {
    const listed = parseListing(
      [
        '03-04-19  02:05PM       <DIR>          Folder One',
        '12-31-99  11:59AM              1234 file name.txt',
        '03-04-2019  14:05                42 x.txt',
      ].join('\r\n'),
      NOW,
    )
    expect(listed.map((l) => [l.name, l.found])).toEqual([
      ['Folder One', { kind: 'dir' }],
      ['file name.txt', { kind: 'file', size: 1234, mtimeMs: Date.UTC(1999, 11, 31, 11, 59), exec: false }],
      ['x.txt', { kind: 'file', size: 42, mtimeMs: Date.UTC(2019, 2, 4, 14, 5), exec: false }],
    ])
  })
})

describe('MLSD facts', () => {
  it('splits facts from a name that holds "; " and spaces', () => {
    const parsed = parseFactsLine(
      'modify=20200102030405;size=3;type=file;UNIX.mode=0755;unique=FE01; a b; c ',
    )
    expect(parsed?.name).toBe('a b; c ')
    expect(parsed && foundOfFacts(parsed.facts)).toEqual({
      kind: 'file',
      size: 3,
      mtimeMs: Date.UTC(2020, 0, 2, 3, 4, 5),
      exec: true,
      id: 'FE01',
    })
  })

  it('leaves out the folder itself and its parent, and knows links', () => {
    expect(foundOfFacts(parseFactsLine('type=cdir; .')?.facts ?? new Map())).toBeUndefined()
    expect(foundOfFacts(parseFactsLine('type=pdir; ..')?.facts ?? new Map())).toBeUndefined()
    expect(foundOfFacts(parseFactsLine('type=OS.unix=slink:/srv/A b; l')?.facts ?? new Map())).toEqual({
      kind: 'symlink',
      target: '/srv/A b',
    })
  })

  it('reads and writes UTC times with and without fractions', () => {
    expect(parseFactTime('20200102030405.5')).toBe(Date.UTC(2020, 0, 2, 3, 4, 5, 500))
    expect(parseFactTime('not a time')).toBeUndefined()
    expect(factTimeOf(Date.UTC(2001, 8, 9, 1, 46, 40, 999))).toBe('20010909014640')
  })
})

describe('FTP replies as POSIX codes', () => {
  it.each([
    [550, '/x: No such file or directory', 'ENOENT'],
    [550, "'/x' is not a directory", 'ENOTDIR'],
    [550, '/x: Permission denied', 'EACCES'],
    [550, '/x: Directory not empty', 'ENOTEMPTY'],
    [550, '/x: File exists', 'EEXIST'],
    [553, 'File name not allowed', 'EINVAL'],
    [452, 'Insufficient storage space', 'ENOSPC'],
    [421, 'Service not available, closing control connection', 'ECONNRESET'],
    [426, 'Connection closed; transfer aborted', 'ECONNRESET'],
    [450, 'File unavailable', 'EBUSY'],
    [451, 'Local error in processing', 'EAGAIN'],
    [530, 'Login incorrect', 'EACCES'],
    [502, 'Command not implemented', 'ENOTSUP'],
  ])('%i %s → %s', (reply, text, code) => {
    expect(codeOfReply(reply, text)).toBe(code)
  })

  it('gives the applier codes it retries for a dropped connection and a busy server, and none for a refusal', () => {
    const outcome = (code: string) => ({
      status: 'failed' as const,
      error: storageError('stat', 'x', code, code),
    })
    for (const error of [
      new FTPError({ code: 421, message: '421 closing' }),
      new FTPError({ code: 450, message: '450 busy' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Timeout (control socket)'),
      new Error('Server sent FIN packet unexpectedly, closing connection.'),
    ])
      expect(isTransient(outcome(failureOf(error).code))).toBe(true)
    expect(
      isTransient(outcome(failureOf(new FTPError({ code: 550, message: '550 x: Permission denied' })).code)),
    ).toBe(false)
  })
})
