import { describe, expect, it } from 'vitest'
import { type CliError, messageOf } from '../../src/cli/messages.ts'
import { newState } from '../../src/core/sync-state.ts'
import type { PairReport } from '../../src/pair/apply-pair.ts'
import { storageError } from '../../src/storage/storage.ts'
import { cliPair, oneLineError, runCli } from './run-cli.ts'

/**
 * Every error the command line can print is one line that says what went wrong, where, and what to do.
 * The table has an entry for every kind of error: a new kind is a type error here until it has one.
 */

type Examples = {
  readonly [K in CliError['_tag']]: ReadonlyArray<Extract<CliError, { readonly _tag: K }>>
}

const cause = storageError('list', 'photos', 'EACCES', 'permission denied')

const report: PairReport = {
  state: newState('l', '/a', '/b'),
  finished: [],
  counts: { applied: 11, alreadyDone: 0, drifted: 0, failed: 0 },
  conflictsLeft: 0,
  notStarted: 29,
  resumed: 0,
}

const examples: Examples = {
  Usage: [{ _tag: 'Usage', message: '--limit takes a whole number of lines, 0 for all (got "x")' }],
  RootsOverlap: [
    { _tag: 'RootsOverlap', source: '/a', destination: '/a/b' },
    { _tag: 'RootsOverlap', source: '/a', destination: '/l/b', real: { source: '/a', destination: '/a/b' } },
  ],
  Unreadable: [{ _tag: 'Unreadable', root: '/a', path: 'photos', cause }],
  HashFailed: [{ _tag: 'HashFailed', root: '/a', cause }],
  RootNotAFolder: [
    { _tag: 'RootNotAFolder', root: '/a' },
    { _tag: 'RootNotAFolder', side: 'source', root: '/a' },
  ],
  RootMissing: [
    { _tag: 'RootMissing', side: 'destination', root: '/b', synced: 12, role: 'synced' },
    { _tag: 'RootMissing', side: 'source', root: '/a', synced: 0, role: 'truth' },
  ],
  RootGone: [{ _tag: 'RootGone', side: 'destination', root: '/b' }],
  StateUnreadable: [
    { _tag: 'StateUnreadable', file: '/s.json', code: 'EACCES', message: 'EACCES: permission denied' },
    {
      _tag: 'StateUnreadable',
      file: '/s.json',
      code: 'ENAMETOOLONG',
      message: 'ENAMETOOLONG: name too long',
    },
  ],
  StateCorrupt: [{ _tag: 'StateCorrupt', file: '/s.json', problems: ['lineage: missing'] }],
  StateOfOtherPair: [
    { _tag: 'StateOfOtherPair', file: '/s.json', recorded: { source: '/x', destination: '/y' } },
  ],
  StateUnwritable: [{ _tag: 'StateUnwritable', file: '/s.json', code: 'EROFS', message: 'EROFS' }],
  LockHeld: [{ _tag: 'LockHeld', file: '/s.json.lock', pid: 42, host: 'nas', since: '2026-01-01T00:00:00Z' }],
  LockFailed: [{ _tag: 'LockFailed', file: '/s.json.lock', code: 'EROFS', message: 'EROFS' }],
  LockDamaged: [{ _tag: 'LockDamaged', file: '/s.json.lock', why: 'it is empty' }],
  JournalCorrupt: [{ _tag: 'JournalCorrupt', file: '/s.json.journal', message: 'line 3 is not JSON' }],
  JournalUnreadable: [
    { _tag: 'JournalUnreadable', file: '/s.json.journal', code: 'EACCES', message: 'EACCES' },
  ],
  NotARegularFile: [
    { _tag: 'NotARegularFile', role: 'state file', file: '/s.json', what: 'a FIFO (named pipe)' },
    { _tag: 'NotARegularFile', role: 'journal', file: '/s.json.journal', what: 'a folder' },
    { _tag: 'NotARegularFile', role: 'lock file', file: '/s.json.lock', what: 'a socket' },
    {
      _tag: 'NotARegularFile',
      role: 'plan file',
      file: '/p.json',
      what: 'a symlink to nothing',
      target: '/x',
    },
    { _tag: 'NotARegularFile', role: 'config file', file: '/c.json', what: 'a character device' },
  ],
  OwnFileNameTooLong: [{ _tag: 'OwnFileNameTooLong', role: 'state file', file: '/aaaa/s.json' }],
  FolderNotAFolder: [
    { _tag: 'FolderNotAFolder', role: 'state file', file: '/f/s.json', folder: '/f', what: 'a regular file' },
  ],
  StateGone: [{ _tag: 'StateGone', file: '/s.json', planned: { lineage: 'l', serial: 3 } }],
  ApplyNotRecorded: [
    {
      _tag: 'ApplyNotRecorded',
      what: 'journal',
      failure: { file: '/s.json.journal', code: 'ENOSPC', message: 'ENOSPC: no space left on device, write' },
      report,
    },
    {
      _tag: 'ApplyNotRecorded',
      what: 'state file',
      failure: { file: '/s.json', code: 'EACCES', message: 'EACCES: permission denied' },
      report,
    },
  ],
  BackupDirNotAbsolute: [{ _tag: 'BackupDirNotAbsolute', backupDir: 'backups' }],
  BackupDirOverlaps: [
    { _tag: 'BackupDirOverlaps', side: 'source', root: '/a', backupDir: '/l/b', real: '/a/b' },
  ],
  PlanOverwritesOwnFile: [
    { _tag: 'PlanOverwritesOwnFile', out: '/s.json', file: '/s.json', what: 'state file' },
  ],
  StateInsideRoot: [{ _tag: 'StateInsideRoot', side: 'source', root: '/a', file: '/a/s.json' }],
  RootLinkBroken: [
    { _tag: 'RootLinkBroken', root: '/l', target: '/gone', what: 'which does not exist' },
    { _tag: 'RootLinkBroken', root: '/l', target: '/f', what: 'which is a regular file, not a folder' },
  ],
  DigestMismatch: [{ _tag: 'DigestMismatch', file: '/p.json', expected: 'aa', actual: 'bb' }],
  PlanTouchesOwnFile: [{ _tag: 'PlanTouchesOwnFile', path: '/b/.state.json', file: 'state file' }],
  BackupInsideRoot: [{ _tag: 'BackupInsideRoot', side: 'destination', root: '/b', backupDir: '/b/backups' }],
  PlanBlocked: [
    { _tag: 'PlanBlocked', rule: 'limit', side: 'destination', deletes: 60, files: 100, limit: '50%' },
    { _tag: 'PlanBlocked', rule: 'every-file', side: 'destination', deletes: 8, files: 8, limit: '50%' },
    { _tag: 'PlanBlocked', rule: 'side-emptied', side: 'destination', deletes: 8, files: 9, limit: '50%' },
  ],
  PlanStale: [{ _tag: 'PlanStale', planned: null, current: { lineage: 'l', serial: 2 } }],
  RootMismatch: [{ _tag: 'RootMismatch', side: 'source', planned: '/a', given: '/c' }],
  RootUnavailable: [{ _tag: 'RootUnavailable', side: 'source', root: '/a', cause }],
  PlanUnreadable: [{ _tag: 'PlanUnreadable', file: '/p.json', code: 'ENOENT', message: 'ENOENT' }],
  PlanInvalid: [{ _tag: 'PlanInvalid', file: '/p.json', problems: ['actions[0].path: expected RelPath'] }],
  PlanUnwritable: [{ _tag: 'PlanUnwritable', file: '/p.json', code: 'EROFS', message: 'EROFS' }],
  ConfigMissing: [
    { _tag: 'ConfigMissing', file: '/w/syncengine.json', shown: 'syncengine.json' },
    {
      _tag: 'ConfigMissing',
      file: '/w/syncengine.json',
      shown: 'syncengine.json',
      why: '--all runs its pairs',
    },
  ],
  ConfigUnreadable: [
    { _tag: 'ConfigUnreadable', shown: 'syncengine.json', code: 'EACCES', message: 'EACCES' },
  ],
  ConfigInvalid: [
    {
      _tag: 'ConfigInvalid',
      shown: 'syncengine.json',
      problems: ['pairs.a.mode: expected one of two-way, …, found "x"'],
    },
  ],
  ConfigExists: [{ _tag: 'ConfigExists', shown: 'syncengine.json' }],
  ConfigUnwritable: [{ _tag: 'ConfigUnwritable', shown: 'syncengine.json', message: 'EROFS' }],
  PairUnknown: [{ _tag: 'PairUnknown', name: 'nsa', shown: 'syncengine.json', known: 'its pairs: nas' }],
  PlanMissing: [{ _tag: 'PlanMissing', name: 'nas', file: '.syncengine/plans/nas.json' }],
  SideUrlInvalid: [{ _tag: 'SideUrlInvalid', url: 's3://', why: 'it names no bucket' }],
  SchemeUnsupported: [
    { _tag: 'SchemeUnsupported', url: 'gopher://h/x', scheme: 'gopher', supported: ['file', 's3'] },
  ],
  StorageUnavailable: [{ _tag: 'StorageUnavailable', url: 'sftp://h/x', message: 'connection refused' }],
  InvalidInput: [{ _tag: 'InvalidInput', what: 'policy', problems: ['mode: expected one of two-way, …'] }],
}

/**
 * Words that tell the reader what to do next, or that nothing happened (so there is nothing to undo); for a
 * bad value, what it takes ("expected … found", "takes …") says what to put instead.
 */
const ADVICE =
  /plan again|free some space|use shorter|run |check|fix|give|pass |remove|wait|mount|make |choose|create|edit|review|apply it|move it|add the pair|nothing was|sync two|expected .*, found|takes /

describe('error messages', () => {
  it.each(
    Object.values(examples)
      .flat()
      .map((error) => [error._tag, error] as const),
  )('%s: one line, naming where, saying what to do', (_tag, error) => {
    const message = messageOf(error)
    expect(message).not.toContain('\n')
    expect(message.length).toBeGreaterThan(20)
    expect(message).toMatch(ADVICE)
  })

  it.each([
    [['plan', '--mdoe', 'x', 'a', 'b'], "error: unknown option '--mdoe' (Did you mean --mode?)"],
    [['plan', 'a', 'b', 'c'], "error: too many arguments for 'plan'"],
    [['frob'], "error: unknown command 'frob'"],
    [['apply'], "error: missing required argument 'plans'"],
    [['plan', 'a', 'b', '--progress', 'loud'], "error: option '--progress <how>' argument 'loud' is invalid"],
  ])('commander refuses %j on one line', async (argv, says) => {
    const p = await cliPair()
    try {
      const run = await runCli(argv, { cwd: p.scratch })
      expect(run.code).toBe(1)
      const line = oneLineError(run.stderr)
      expect(line).toContain(says)
      expect(line).toMatch(/\(run with --help for usage\)$/)
    } finally {
      await p.cleanup()
    }
  })
})
