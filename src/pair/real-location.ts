import { lstat, readlink, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type RelPath, relPath } from '../core/rel-path.ts'

/**
 * Where a path really is, so that two spellings of one place are one place: `alias/inner` with
 * `alias → a` is `a/inner`. Roots, the state, journal, lock, plan and backup folder are compared this
 * way, never by their text.
 */
export interface Location {
  /** The path as given (absolute). */
  readonly given: string
  /**
   * The real path: the nearest existing ancestor resolved (symlinks followed, `realpath`), with the
   * names that do not exist yet after it; a symlink to nothing is followed to where it points.
   */
  readonly real: string
  /** Device and inode of the real path and of each existing folder above it, nearest first. */
  readonly ids: ReadonlyArray<{ readonly path: string; readonly id: string }>
  /** Whether the path itself exists. */
  readonly exists: boolean
}

const idOf = (info: { readonly dev: number; readonly ino: number }): string => `${info.dev}:${info.ino}`

/** Links followed before a path counts as a loop (Linux's own limit). */
const MAX_LINKS = 40

const realOf = async (path: string): Promise<string> => {
  let rest: string[] = []
  let at = path
  for (let links = 0; links <= MAX_LINKS; ) {
    try {
      const real = await realpath(at)
      return rest.length === 0 ? real : join(real, ...rest)
    } catch {
      // Not there (or not reachable): a dangling symlink leads to where it points; else one level up.
      const link = await lstat(at).catch(() => null)
      if (link?.isSymbolicLink() === true) {
        const target = await readlink(at).catch(() => null)
        if (target !== null) {
          at = resolve(dirname(at), target)
          links++
          continue
        }
      }
      const parent = dirname(at)
      if (parent === at) return join(at, ...rest)
      rest = [basename(at), ...rest]
      at = parent
    }
  }
  return join(at, ...rest)
}

/** Where `path` (absolute) really is; nothing needs to exist. */
export const locate = async (path: string): Promise<Location> => {
  const given = resolve(path)
  const real = await realOf(given)
  const ids: Array<{ readonly path: string; readonly id: string }> = []
  let exists = false
  for (let at = real; ; at = dirname(at)) {
    const info = await stat(at).catch(() => null)
    if (info !== null) {
      ids.push({ path: at, id: idOf(info) })
      if (at === real) exists = true
    }
    if (dirname(at) === at) break
  }
  return { given, real, ids, exists }
}

const own = (location: Location): string | undefined => (location.exists ? location.ids[0]?.id : undefined)

/** The same place: the same real path, or the same file (device and inode: a hard link, a bind mount). */
export const samePlace = (a: Location, b: Location): boolean => {
  if (a.real === b.real) return true
  const id = own(a)
  return id !== undefined && id === own(b)
}

/**
 * Where `inner` is inside `outer`, as a path relative to `outer` (undefined when it is not strictly
 * inside): by real paths, or by a folder above `inner` that is `outer` itself (a bind mount of it).
 */
export const placeInside = (outer: Location, inner: Location): string | undefined => {
  const byPath = relative(outer.real, inner.real)
  if (byPath !== '' && !byPath.startsWith(`..${sep}`) && byPath !== '..' && !byPath.startsWith(sep))
    return byPath
  const id = own(outer)
  if (id === undefined) return undefined
  const above = inner.ids.find((a) => a.id === id && a.path !== inner.real)
  return above === undefined ? undefined : relative(above.path, inner.real)
}

export const isInside = (outer: Location, inner: Location): boolean => placeInside(outer, inner) !== undefined

/** Equal, or one inside the other. */
export const overlap = (a: Location, b: Location): boolean =>
  samePlace(a, b) || isInside(a, b) || isInside(b, a)

/** `file` as a path in `root`, for a snapshot to leave out; undefined when it is not inside. */
export const pathInRoot = (root: Location, file: Location): RelPath | undefined => {
  const inside = placeInside(root, file)
  if (inside === undefined) return undefined
  const path = relPath(inside.split(sep).join('/'))
  return E.isRight(path) ? path.right : undefined
}
