import type { ApplyError } from '../apply/apply.ts'
import type { ConfigError } from '../config/config-file.ts'
import { describeBlocked } from '../core/plan/delete-guard.ts'
import type { PlanError } from '../core/plan/plan.ts'
import type { ApplyPairError } from '../pair/apply-pair.ts'
import type { PlanFileError } from '../pair/plan-file-io.ts'
import type { HashError } from '../snapshot/fill-hashes.ts'
import type { SnapshotError } from '../snapshot/snapshot.ts'
import type { JournalError } from '../state/journal-file.ts'
import type { LockError } from '../state/lock-file.ts'
import type { StateError } from '../state/state-file.ts'

export type CliError =
  | PlanError
  | SnapshotError
  | HashError
  | StateError
  | ApplyError
  | ApplyPairError
  | PlanFileError
  | LockError
  | JournalError
  | {
      readonly _tag: 'DigestMismatch'
      readonly file: string
      readonly expected: string
      readonly actual: string
    }
  | { readonly _tag: 'PlanTouchesOwnFile'; readonly path: string; readonly file: string }
  | { readonly _tag: 'Usage'; readonly message: string }
  | { readonly _tag: 'RootsOverlap'; readonly source: string; readonly destination: string }
  | ConfigError
  | { readonly _tag: 'ConfigExists'; readonly shown: string }
  | { readonly _tag: 'ConfigUnwritable'; readonly shown: string; readonly message: string }
  | { readonly _tag: 'PairUnknown'; readonly name: string; readonly shown: string; readonly known: string }
  | { readonly _tag: 'PlanMissing'; readonly name: string; readonly file: string }

const join = (root: string, path: string): string =>
  path === '' ? root : `${root.replace(/\/$/, '')}/${path}`

/** One line per error: what went wrong, where, and what to do about it. */
export const messageOf = (error: CliError): string => {
  switch (error._tag) {
    case 'Usage':
      return error.message
    case 'ConfigMissing':
      return `no ${error.shown} (looked for ${error.file})${error.why === undefined ? '' : `, and ${error.why}`}; create one with syncengine init, or pass --config FILE`
    case 'ConfigUnreadable':
      return `cannot read ${error.shown}: ${error.message}; fix its permissions, or pass --config with another file`
    case 'ConfigInvalid':
      return `${error.shown}: ${error.problems.join('; ')}`
    case 'ConfigExists':
      return `${error.shown} already exists; edit it, or pass --config with a new file name`
    case 'ConfigUnwritable':
      return `cannot write ${error.shown}: ${error.message}; run init in a folder you can write to, or pass --config with another path`
    case 'PairUnknown':
      return `${error.shown} has no pair named "${error.name}" (${error.known}); check the name, or add the pair`
    case 'PlanMissing':
      return `no plan for the pair ${error.name} at ${error.file}; make one with: syncengine plan ${error.name}`
    case 'RootsOverlap':
      return `${error.source} and ${error.destination} overlap (one is inside the other); sync two separate folders`
    case 'Unreadable':
      return `cannot read ${join(error.root, error.path)}: ${error.cause.message}; nothing was planned (fix the permissions, or ignore it in .syncignore)`
    case 'HashFailed':
      return `cannot read ${join(error.root, error.cause.path)} to compare its contents: ${error.cause.message}; nothing was planned (fix the permissions, or ignore it in .syncignore)`
    case 'RootNotAFolder':
      return `${error.root} is not a folder; give the folder to sync (nothing was planned or applied)`
    case 'RootMissing':
      if ('role' in error && error.role === 'truth')
        return `the ${error.side} root ${error.root} does not exist, and a ${error.side === 'source' ? 'source' : 'destination'}-side mirror or backup copies from it; check the path, or mount it (nothing was planned)`
      return 'synced' in error
        ? `the ${error.side} root ${error.root} does not exist, but the last sync recorded ${error.synced} paths there; mount or restore it, or pass the right path (nothing was planned)`
        : `the ${error.side} root ${error.root} is gone since the plan was made; nothing was applied (mount or restore it, then apply again)`
    case 'StateUnreadable':
      return `cannot read the state file ${error.file}: ${error.message}; fix its permissions, or pass --state with the pair's file`
    case 'StateCorrupt':
      return `the state file ${error.file} is damaged (${error.problems.join('; ')}); move it away to start this pair again as a first sync, which deletes nothing`
    case 'StateOfOtherPair':
      return `the state file ${error.file} belongs to ${error.recorded.source} → ${error.recorded.destination}; pass --state with this pair's own file`
    case 'StateUnwritable':
      return `cannot write the state file ${error.file}: ${error.message}; make its folder writable and run again (the journal keeps what was done)`
    case 'LockHeld':
      return `another apply is running on this pair (pid ${error.pid} on ${error.host}, since ${error.since}); wait for it to finish, or remove ${error.file} if that process is gone`
    case 'LockFailed':
      return `cannot take the lock ${error.file}: ${error.message}; make its folder writable, or pass --state with a file elsewhere`
    case 'JournalCorrupt':
      return `the journal of an interrupted apply, ${error.file}, is damaged (${error.message}); remove it and plan again`
    case 'DigestMismatch':
      return `${error.file} is not the reviewed plan: its digest is ${error.actual}, expected ${error.expected}; nothing was applied (review this plan with syncengine show, or apply the one you reviewed)`
    case 'PlanTouchesOwnFile':
      return `the plan touches ${error.path}, which is syncengine's own ${error.file}; nothing was applied (plan again with syncengine plan, and do not edit plan files by hand)`
    case 'BackupInsideRoot':
      return `the plan keeps backups in ${error.backupDir}, which overlaps the ${error.side} root ${error.root}; nothing was applied (plan again with a --backup-dir outside both folders)`
    case 'PlanBlocked':
      return `the plan is blocked: ${describeBlocked(error)}; if that is intended, plan again with --allow-mass-delete`
    case 'PlanStale':
      return 'the plan is stale: the state changed after it was made (another apply ran); plan again'
    case 'RootMismatch':
      return `the plan's ${error.side} is ${error.planned}, not ${error.given}; apply it to the folders it was made for`
    case 'RootUnavailable':
      return `cannot use the ${error.side} root ${error.root}: ${error.cause.message}; check that it is mounted and readable (nothing was applied)`
    case 'PlanUnreadable':
      return `cannot read the plan file ${error.file}: ${error.message}; check the path (plans are saved by syncengine plan --out)`
    case 'PlanInvalid':
      return `${error.file} is not a valid plan: ${error.problems.join('; ')}; nothing was applied (plan again to get a valid one)`
    case 'PlanUnwritable':
      return `cannot write the plan file ${error.file}: ${error.message}; choose another --out (or --out-dir)`
  }
}
