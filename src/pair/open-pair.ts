import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { describeErrors } from '../core/codec.ts'
import { defaultPolicy, Policy } from '../core/policy.ts'
import type { RelPath } from '../core/rel-path.ts'
import { checkOwnFolder, type OwnFileError } from '../state/regular-file.ts'
import { defaultStateFile } from '../state/state-file.ts'
import { type OpenError, type OpenOptions, openSide } from '../storage/open.ts'
import { parseSideUrl } from '../storage/side-url.ts'
import type { Sides } from '../storage/sides.ts'
import type { Storage } from '../storage/storage.ts'
import { ownFilesOf, ownPathsIn } from './own-files.ts'
import { OWN_FILE_NAMES, type PairError } from './pair-errors.ts'
import { type Location, locate, overlap, samePlace } from './real-location.ts'
import { checkRoot } from './root-check.ts'

/** A side given as a path or URL (`./docs`, `s3://bucket/prefix`, `sftp://me@host/path`), or as a Storage. */
export type SideSpec = Storage | string

/** What each remote backend needs besides its URL (endpoints, host keys, TLS, timeouts). */
export type StorageOptions = Omit<OpenOptions, 'cwd' | 'env'>

/** A pair as a program, the config file or the command line names it. */
export interface PairSpec {
  readonly source: SideSpec
  readonly destination: SideSpec
  /** Default: `defaultStateFile` of both roots. */
  readonly stateFile?: string
  readonly policy?: Partial<Policy>
  readonly storage?: StorageOptions
}

/** Where relative paths start, and the environment (HOME, XDG_STATE_HOME, credentials). */
export interface PairContext {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Files a run writes besides the pair's own (a plan, the folder of named pairs' plans). */
export interface RunFiles {
  readonly out?: string
  readonly folder?: string
}

/**
 * A pair ready to plan or apply: its storages open, its policy checked, where its state lives, and
 * which of its own files sit inside a root (never listed, never touched). `close` ends the storages'
 * connections.
 */
export interface OpenedPair {
  readonly sides: Sides
  readonly policy: Policy
  readonly stateFile: string
  /** Whether the state file was named (by a program, `--state` or the config) rather than defaulted. */
  readonly namedStateFile: boolean
  readonly exclude: { readonly source: ReadonlyArray<RelPath>; readonly destination: ReadonlyArray<RelPath> }
  readonly close: () => Promise<void>
}

export type OpenPairError = PairError | OpenError | OwnFileError

/**
 * The state file of a pair named by its sides, without opening them (to tell where a pair stands): the
 * one the spec names, else the default for the two roots.
 */
export const stateFileOf = (spec: PairSpec, context: PairContext): string => {
  const root = (side: SideSpec): string => (typeof side === 'string' ? side : side.root)
  return spec.stateFile === undefined
    ? defaultStateFile(root(spec.source), root(spec.destination), context.env)
    : resolve(context.cwd, spec.stateFile)
}

/** A local folder's root (an absolute path), as opposed to a URL or `memory:`. */
export const isLocalRoot = (root: string): boolean => {
  const parsed = parseSideUrl(root, '/')
  return E.isRight(parsed) && parsed.right.scheme === 'file'
}

const invalid = (what: string, problems: ReadonlyArray<string>): PairError => ({
  _tag: 'InvalidInput',
  what,
  problems,
})

/** The policy a program gave, over the defaults, checked as a plan file's policy is. */
export const policyOf = (given: Partial<Policy> | undefined): E.Either<PairError, Policy> => {
  const decoded = Policy.decode({ ...defaultPolicy, ...given })
  return E.isLeft(decoded) ? E.left(invalid('policy', describeErrors(decoded.left))) : decoded
}

const sideOf = async (
  spec: SideSpec,
  context: PairContext,
  storage: StorageOptions,
): Promise<E.Either<OpenError | PairError, Storage>> => {
  if (typeof spec !== 'string') {
    const looksLikeStorage =
      typeof spec === 'object' && spec !== null && typeof (spec as Partial<Storage>).stat === 'function'
    return looksLikeStorage ? E.right(spec) : E.left(invalid('side', ['expected a path, a URL or a Storage']))
  }
  return openSide(spec, { cwd: context.cwd, env: context.env, ...storage })()
}

/**
 * Opens a pair: checks the policy, opens both sides, and applies every rule about where things are,
 * by where they really are (symlinks resolved, device and inode): two roots that are one place or one
 * inside the other are refused, and so is a backup folder in a root or a plan written over the pair's
 * own files; those own files (state, journal, lock) may sit inside a root, and are then kept out of both
 * snapshots. The same rules for the library and the command line: this is the one place they live.
 */
export const openPair =
  (spec: PairSpec, context: PairContext, files: RunFiles = {}): TE.TaskEither<OpenPairError, OpenedPair> =>
  async () => {
    const policy = policyOf(spec.policy)
    if (E.isLeft(policy)) return policy
    const storageOptions = spec.storage ?? {}
    const source = await sideOf(spec.source, context, storageOptions)
    if (E.isLeft(source)) return source
    const destination = await sideOf(spec.destination, context, storageOptions)
    const close = async (): Promise<void> => {
      await source.right.close?.()
      if (E.isRight(destination)) await destination.right.close?.()
    }
    if (E.isLeft(destination)) {
      await close()
      return destination
    }
    const opened = await placesOf(
      { source: source.right, destination: destination.right },
      policy.right,
      spec,
      context,
      files,
    )
    if (E.isLeft(opened)) {
      await close()
      return opened
    }
    return E.right({ ...opened.right, close })
  }

const placesOf = async (
  sides: Sides,
  policy: Policy,
  spec: PairSpec,
  context: PairContext,
  files: RunFiles,
): Promise<E.Either<OpenPairError, Omit<OpenedPair, 'close'>>> => {
  const roots = { source: sides.source.root, destination: sides.destination.root }
  const local = { source: isLocalRoot(roots.source), destination: isLocalRoot(roots.destination) }
  for (const side of ['source', 'destination'] as const) {
    if (!local[side]) continue
    const broken = await checkRoot(roots[side])
    if (broken !== undefined) return E.left(broken)
  }
  const located: { source?: Location; destination?: Location } = {}
  if (local.source) located.source = await locate(roots.source)
  if (local.destination) located.destination = await locate(roots.destination)
  const overlapping =
    located.source !== undefined && located.destination !== undefined
      ? overlap(located.source, located.destination)
      : roots.source === roots.destination
  if (overlapping) {
    const spelled =
      located.source !== undefined &&
      located.destination !== undefined &&
      (located.source.real !== roots.source || located.destination.real !== roots.destination)
    return E.left({
      _tag: 'RootsOverlap',
      source: roots.source,
      destination: roots.destination,
      ...(spelled && located.source !== undefined && located.destination !== undefined
        ? { real: { source: located.source.real, destination: located.destination.real } }
        : {}),
    })
  }
  if (policy.backupDir !== null) {
    const backups = await locate(resolve(context.cwd, policy.backupDir))
    for (const side of ['source', 'destination'] as const) {
      const root = located[side]
      if (root !== undefined && overlap(backups, root))
        return E.left({
          _tag: 'BackupDirOverlaps',
          side,
          root: roots[side],
          backupDir: policy.backupDir,
          real: backups.real,
        })
    }
  }
  const stateFile = stateFileOf(spec, context)
  const folder = await checkOwnFolder(stateFile, 'state file')
  if (folder !== undefined) return E.left(folder)
  const own = await Promise.all(ownFilesOf(stateFile).map(locate))
  const out = files.out === undefined ? undefined : await locate(resolve(context.cwd, files.out))
  if (out !== undefined)
    for (const [i, file] of own.entries())
      if (samePlace(out, file))
        return E.left({
          _tag: 'PlanOverwritesOwnFile',
          out: out.given,
          file: file.given,
          what: OWN_FILE_NAMES[i] ?? 'state file',
        })
  const plans = files.folder === undefined ? undefined : await locate(resolve(context.cwd, files.folder))
  const exclude = ownPathsIn(
    located,
    [...own, out, plans].filter((l): l is Location => l !== undefined),
  )
  return E.right({
    sides,
    policy:
      policy.backupDir === null ? policy : { ...policy, backupDir: resolve(context.cwd, policy.backupDir) },
    stateFile,
    namedStateFile: spec.stateFile !== undefined,
    exclude,
  })
}
