import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { isCanonicalName } from './name-bytes.ts'

/**
 * A path relative to a sync root: `/`-separated, no leading or trailing `/`, no empty, `.` or `..`
 * segment, no NUL. Anything else a name may hold is a name: `x:y` or `C:` is a file like any other (a
 * path is joined to its root, never resolved on its own, so a colon cannot make it absolute). The root
 * itself is the empty string, which is not a RelPath: every entry has a name.
 * Only `relPath` and the codec build one, so a path that reached the planner or the applier has been
 * checked, whoever wrote the plan file.
 */
export interface RelPathBrand {
  readonly RelPath: unique symbol
}
export type RelPath = t.Branded<string, RelPathBrand>

export type PathError = { readonly _tag: 'InvalidPath'; readonly path: string; readonly why: string }

const DOT = 46

const problem = (path: string): string | undefined => {
  if (path.length === 0) return 'is empty'
  if (path.includes('\0')) return 'contains a NUL byte'
  if (path.startsWith('/')) return 'is absolute'
  // Segment by segment in place: a state holds a hundred thousand paths, each checked as it is read.
  for (let start = 0; start <= path.length; ) {
    const slash = path.indexOf('/', start)
    const end = slash < 0 ? path.length : slash
    const length = end - start
    if (length === 0) return 'has an empty segment'
    if (length <= 2 && path.charCodeAt(start) === DOT) {
      if (length === 1) return 'has a "." segment'
      if (path.charCodeAt(start + 1) === DOT) return 'has a ".." segment'
    }
    start = end + 1
  }
  if (!isCanonicalName(path))
    return 'escapes bytes that are valid UTF-8 (write them as the characters they are)'
  return undefined
}

export const relPath = (path: string): E.Either<PathError, RelPath> => {
  const why = problem(path)
  return why === undefined ? E.right(path as RelPath) : E.left({ _tag: 'InvalidPath', path, why })
}

export const RelPath = t.brand(t.string, (s): s is RelPath => problem(s) === undefined, 'RelPath')

/** Joins a validated parent (or the root, '') with one validated name. */
export const child = (parent: RelPath | '', name: string): RelPath =>
  (parent === '' ? name : `${parent}/${name}`) as RelPath

export const parentOf = (path: RelPath): RelPath | '' => {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : (path.slice(0, slash) as RelPath)
}

export const baseName = (path: RelPath): string => path.slice(path.lastIndexOf('/') + 1)

/** Every proper ancestor of a path, nearest last: `a/b/c` → `a`, `a/b`. */
export const ancestorsOf = (path: RelPath): ReadonlyArray<RelPath> => {
  const out: RelPath[] = []
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i) as RelPath)
  return out
}

export const isWithin = (path: RelPath, ancestor: RelPath): boolean =>
  path.length > ancestor.length && path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 47

/**
 * Depth-first order: code-unit order with `/` below every other character, so a folder is followed at
 * once by everything inside it (`a`, `a/x`, `a-b`). The same on every machine and locale.
 */
export const comparePaths = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return (x === 47 ? 0 : x) - (y === 47 ? 0 : y)
  }
  return a.length - b.length
}
