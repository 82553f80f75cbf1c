import type { ConfigError } from '../config/config-file.ts'
import { describeBlocked } from '../core/plan/delete-guard.ts'
import { showPath, showText } from '../core/show-path.ts'
import type { OwnFileRole } from '../state/regular-file.ts'
import type { SyncError } from './engine.ts'
import type { PlanFileError } from './plan-file-io.ts'

/** Every error the library returns: what `describeError` puts in words. */
export type LibraryError = SyncError | PlanFileError | ConfigError

const p = showPath

const join = (root: string, path: string): string =>
  path === '' ? root : `${root.replace(/\/$/, '')}/${path}`

/** What an errno code means, in words, for the codes a person can act on. */
export const wordsFor = (code: string): string | undefined => {
  switch (code) {
    case 'ENAMETOOLONG':
      return 'the name is too long for the file system (ENAMETOOLONG)'
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)'
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)'
    case 'EROFS':
      return 'the file system is read-only (EROFS)'
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`
    default:
      return undefined
  }
}

/** Why something failed: the words for its errno code, else the system's own message. */
export const becauseOf = (code: string, message: string): string => wordsFor(code) ?? showText(message)

/** What to do about an errno code, when the code itself says it; `otherwise` when it does not. */
export const adviceFor = (code: string, otherwise: string): string => {
  switch (code) {
    case 'ENAMETOOLONG':
      return 'use shorter names or fewer nested folders, or a path higher up'
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some space'
    default:
      return otherwise
  }
}

const OWN_FILE_ADVICE: Record<OwnFileRole, string> = {
  'state file': 'move it away, or pass --state with the path of a file',
  journal: 'move it away: syncengine keeps the journal of an apply there',
  'lock file': 'remove it: syncengine keeps the lock of an apply there',
  'plan file': 'give the path of a plan file (syncengine plan --out writes one), or another --out',
  'config file': 'pass --config with the config file',
}

const FOLDER_ADVICE: Record<OwnFileRole, string> = {
  'state file': 'pass --state with a path inside a folder',
  journal: 'pass --state with a path inside a folder (the journal goes beside the state)',
  'lock file': 'pass --state with a path inside a folder (the lock goes beside the state)',
  'plan file': 'give a plan file path inside a folder',
  'config file': 'pass --config with a path inside a folder',
}

/**
 * One line per error: what went wrong, where, and what to do about it; every path and name escaped, so
 * the line is safe to print. The command line prints exactly these.
 */
export const describeError = (error: LibraryError): string => {
  switch (error._tag) {
    case 'NotARegularFile':
      return `the ${error.role} ${p(error.file)} is ${error.target === undefined ? `${error.what}, not a regular file` : `a symlink to ${p(error.target)}, which does not exist`}; ${OWN_FILE_ADVICE[error.role]}`
    case 'OwnFileNameTooLong':
      return `the ${error.role} path ${p(error.file)} is too long for the file system (ENAMETOOLONG); ${error.role === 'plan file' ? 'give a shorter plan file path' : error.role === 'config file' ? 'pass --config with a shorter path' : 'pass --state with a shorter path'}`
    case 'FolderNotAFolder':
      return `the ${error.role} ${p(error.file)} cannot be there: ${p(error.folder)} is ${error.what}, not a folder; ${FOLDER_ADVICE[error.role]}`
    case 'RootsOverlap':
      return `${p(error.source)} and ${p(error.destination)} overlap (one is the other or inside it${error.real === undefined ? '' : `: they are ${p(error.real.source)} and ${p(error.real.destination)}`}); sync two separate folders`
    case 'BackupDirOverlaps':
      return `--backup-dir ${p(error.backupDir)}${error.real === error.backupDir ? '' : ` (really ${p(error.real)})`} overlaps the ${error.side} folder ${p(error.root)}, where its backups would be synced: it must be outside both folders (choose another --backup-dir)`
    case 'PlanOverwritesOwnFile':
      return `--out ${p(error.out)} is the pair's ${error.what} ${p(error.file)}: the plan would overwrite it; choose another --out`
    case 'StateInsideRoot':
      return `the plan names the state file ${p(error.file)}, inside the ${error.side} root ${p(error.root)}; nothing was applied (a state file inside a root is used only when you name it: pass --state with it if you chose it, or plan again)`
    case 'RootLinkBroken':
      return `${p(error.root)} is a symlink to ${p(error.target)}, ${error.what}; give a folder, or a symlink to one (nothing was planned or applied)`
    case 'Unreadable':
      return `cannot read ${p(join(error.root, error.path))}: ${becauseOf(error.cause.code, error.cause.message)}; nothing was planned (${adviceFor(error.cause.code, 'fix the permissions')}, or ignore it in .syncignore)`
    case 'HashFailed':
      return `cannot read ${p(join(error.root, error.cause.path))} to compare its contents: ${becauseOf(error.cause.code, error.cause.message)}; nothing was planned (${adviceFor(error.cause.code, 'fix the permissions')}, or ignore it in .syncignore)`
    case 'RootNotAFolder':
      return `${p(error.root)} is not a folder; give the folder to sync (nothing was planned or applied)`
    case 'RootMissing':
      if ('role' in error && error.role === 'truth')
        return `the ${error.side} root ${error.root} does not exist, and a ${error.side === 'source' ? 'source' : 'destination'}-side mirror or backup copies from it; check the path, or mount it (nothing was planned)`
      return `the ${error.side} root ${p(error.root)} does not exist, but the last sync recorded ${error.synced} paths there; mount or restore it, or pass the right path (nothing was planned)`
    case 'RootGone':
      return `the ${error.side} root ${p(error.root)} is gone since the plan was made; nothing was applied (mount or restore it, then apply again)`
    case 'StateUnreadable':
      return `cannot read the state file ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, "fix its permissions, or pass --state with the pair's file")}`
    case 'StateCorrupt':
      return `the state file ${p(error.file)} is damaged (${error.problems.map(showText).join('; ')}); move it away to start this pair again as a first sync, which deletes nothing`
    case 'StateOfOtherPair':
      return `the state file ${p(error.file)} belongs to ${p(error.recorded.source)} → ${p(error.recorded.destination)}; pass --state with this pair's own file`
    case 'StateUnwritable':
      return `cannot write the state file ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'make its folder writable and run again')} (the journal keeps what was done)`
    case 'StateGone':
      return `the state file ${p(error.file)} is gone, but the plan was made against it (serial ${error.planned.serial}); nothing was applied (restore the file and apply again, or plan again: without a state the plan is a first sync, which deletes nothing)`
    case 'LockHeld':
      return `another apply is running on this pair (pid ${error.pid} on ${showText(error.host)}, since ${showText(error.since)}); wait for it to finish, or remove ${p(error.file)} if that process is gone`
    case 'LockDamaged':
      return `the lock file ${p(error.file)} is damaged (${error.why}) and was written moments ago, so it is left alone; if no apply runs on this pair, remove it and run again`
    case 'LockFailed':
      return `cannot take the lock ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'make its folder writable, or pass --state with a file elsewhere')}`
    case 'JournalCorrupt':
      return `the journal of an interrupted apply, ${p(error.file)}, is damaged (${showText(error.message)}); remove it and plan again`
    case 'JournalUnreadable':
      return `cannot read the journal of an interrupted apply, ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'fix its permissions')}`
    case 'ApplyNotRecorded': {
      const { failure, report } = error
      const done = report.counts.applied + report.counts.alreadyDone
      const ran = `${done} of ${done + report.counts.drifted + report.counts.failed + report.notStarted} actions done`
      return error.what === 'journal'
        ? `cannot write the journal ${p(failure.file)}: ${becauseOf(failure.code, failure.message)}; the apply stopped with ${ran}, and the state was left as it was; ${adviceFor(failure.code, 'make its folder writable')}, then run the same apply again to finish it`
        : `cannot save the state file ${p(failure.file)}: ${becauseOf(failure.code, failure.message)}; the apply ended with ${ran}, which the journal keeps; ${adviceFor(failure.code, 'make its folder writable')}, then run the same apply again`
    }
    case 'PlanTouchesOwnFile':
      return `the plan touches ${p(error.path)}, which is syncengine's own ${error.file}; nothing was applied (plan again with syncengine plan, and do not edit plan files by hand)`
    case 'BackupInsideRoot':
      return `the plan keeps backups in ${p(error.backupDir)}, which overlaps the ${error.side} root ${p(error.root)}; nothing was applied (plan again with a --backup-dir outside both folders)`
    case 'BackupDirNotAbsolute':
      return `the plan keeps backups in ${p(error.backupDir)}, which is not an absolute path; nothing was applied (plan again with --backup-dir)`
    case 'PlanBlocked':
      return `the plan is blocked: ${describeBlocked(error)}; if that is intended, plan again with --allow-mass-delete`
    case 'PlanStale':
      return 'the plan is stale: the state changed after it was made (another apply ran); plan again'
    case 'RootMismatch':
      return `the plan's ${error.side} is ${p(error.planned)}, not ${p(error.given)}; apply it to the folders it was made for`
    case 'RootUnavailable':
      return `cannot use the ${error.side} root ${p(error.root)}: ${becauseOf(error.cause.code, error.cause.message)}; ${adviceFor(error.cause.code, 'check that it is mounted and readable')} (nothing was applied)`
    case 'PlanUnreadable':
      return `cannot read the plan file ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'check the path (plans are saved by syncengine plan --out)')}`
    case 'PlanInvalid':
      return `${p(error.file)} is not a valid plan: ${error.problems.map(showText).join('; ')}; nothing was applied (plan again to get a valid one)`
    case 'PlanUnwritable':
      return `cannot write the plan file ${p(error.file)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'choose another --out (or --out-dir)')}`
    case 'ConfigMissing':
      return `no ${p(error.shown)} (looked for ${p(error.file)})${error.why === undefined ? '' : `, and ${showText(error.why)}`}; create one with syncengine init, or pass --config FILE`
    case 'ConfigUnreadable':
      return `cannot read ${p(error.shown)}: ${becauseOf(error.code, error.message)}; ${adviceFor(error.code, 'fix its permissions, or pass --config with another file')}`
    case 'ConfigInvalid':
      return `${p(error.shown)}: ${error.problems.map(showText).join('; ')}`
    case 'InvalidInput':
      return `the ${error.what} given is not valid: ${error.problems.map(showText).join('; ')}`
    case 'SideUrlInvalid':
      return `${p(error.url)} is not a side syncengine can use: ${showText(error.why)}; give a folder path or a URL such as s3://bucket/prefix`
    case 'SchemeUnsupported':
      return `${p(error.url)}: ${showText(error.scheme)}:// sides are not supported; give a folder path, or a URL in one of ${error.supported.map((s) => `${s}:`).join(', ')}`
    case 'StorageUnavailable':
      return `cannot open ${p(error.url)}: ${showText(error.message)}; check the address, the credentials and that the server is reachable (nothing was changed)`
    default: {
      const unknown: never = error
      return String(unknown)
    }
  }
}
