import type { Entry } from '../entry.ts'
import { baseName, child, parentOf, type RelPath } from '../rel-path.ts'
import type { Side } from '../side.ts'

const MAX_DATE_MS = 8.64e15

/** `20261125-153612`, in UTC, from the file's own mtime: the plan stays a function of its inputs. */
const stampOf = (entry: Entry): string | undefined => {
  if (entry.kind !== 'file' || !Number.isFinite(entry.mtimeMs) || Math.abs(entry.mtimeMs) > MAX_DATE_MS)
    return undefined
  const iso = new Date(entry.mtimeMs).toISOString()
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`
}

/**
 * The name a conflict's losing version is kept under, beside the original: it says which side the
 * version came from and when it was last changed (`report.conflict-destination-20261125-153612.txt`).
 * A taken name gets `-2`, `-3`, … so no existing entry is ever overwritten.
 */
export const conflictName = (
  path: RelPath,
  side: Side,
  entry: Entry,
  taken: (candidate: RelPath) => boolean,
): RelPath => {
  const base = baseName(path)
  const dot = base.lastIndexOf('.')
  const stem = dot > 0 ? base.slice(0, dot) : base
  const extension = dot > 0 ? base.slice(dot) : ''
  const stamp = stampOf(entry)
  const label = stamp === undefined ? `conflict-${side}` : `conflict-${side}-${stamp}`
  for (let n = 1; ; n++) {
    const candidate = child(parentOf(path), `${stem}.${label}${n > 1 ? `-${n}` : ''}${extension}`)
    if (!taken(candidate)) return candidate
  }
}

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Whether `candidate` is a name `conflictName` gives to a version of `path` from `side`, at any time. */
export const isConflictNameOf = (candidate: RelPath, path: RelPath, side: Side): boolean => {
  if (parentOf(candidate) !== parentOf(path)) return false
  const base = baseName(path)
  const dot = base.lastIndexOf('.')
  const stem = dot > 0 ? base.slice(0, dot) : base
  const extension = dot > 0 ? base.slice(dot) : ''
  const pattern = new RegExp(
    `^${escaped(stem)}\\.conflict-${side}(-\\d{8}-\\d{6})?(-\\d+)?${escaped(extension)}$`,
  )
  return pattern.test(baseName(candidate))
}
