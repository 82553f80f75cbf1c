import type { Side } from '../core/side.ts'

/** What the pair's own files are called in messages, in the order `ownFilesOf` lists them. */
export const OWN_FILE_NAMES = ['state file', 'journal', 'lock file', 'probe record'] as const
export type OwnFileName = (typeof OWN_FILE_NAMES)[number]

/**
 * Why a pair cannot be opened, planned or applied as given, before anything is read or written: the
 * rules about where its roots and its own files are, and a program's input that does not decode.
 */
export type PairError =
  | {
      /** A program's input that does not decode: a policy with `mode: 'sideways'`, say. */
      readonly _tag: 'InvalidInput'
      readonly what: string
      readonly problems: ReadonlyArray<string>
    }
  | {
      readonly _tag: 'RootsOverlap'
      readonly source: string
      readonly destination: string
      /** Where they really are, when that is not how they were spelled (a symlink on the way). */
      readonly real?: { readonly source: string; readonly destination: string }
    }
  | {
      readonly _tag: 'BackupDirOverlaps'
      readonly side: Side
      readonly root: string
      readonly backupDir: string
      /** Where the backup folder really is. */
      readonly real: string
    }
  | {
      /** `plan --out` naming the pair's own state, journal or lock (however spelled). */
      readonly _tag: 'PlanOverwritesOwnFile'
      readonly out: string
      readonly file: string
      readonly what: OwnFileName
    }
  | { readonly _tag: 'PlanTouchesOwnFile'; readonly path: string; readonly file: string }
  | {
      /** A state file named by the plan alone (not by `--state` or the config) inside a root. */
      readonly _tag: 'StateInsideRoot'
      readonly side: Side
      readonly root: string
      readonly file: string
    }
  | {
      /** A root that is a symlink to something other than a folder, or to nothing. */
      readonly _tag: 'RootLinkBroken'
      readonly root: string
      readonly target: string
      readonly what: string
    }
