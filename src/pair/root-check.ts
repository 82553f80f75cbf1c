import { lstat, readlink, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { kindOf } from '../state/regular-file.ts'
import type { PairError } from './pair-errors.ts'

/**
 * A root may be a symlink to a folder. A symlink to anything else, or to nothing, is said to be exactly
 * that, with where it points, rather than "not a folder" or "does not exist".
 */
export const checkRoot = async (root: string): Promise<PairError | undefined> => {
  const link = await lstat(root).catch(() => null)
  if (link === null || !link.isSymbolicLink()) return undefined
  const target = resolve(dirname(root), await readlink(root).catch(() => '?'))
  const info = await stat(root).catch(() => null)
  if (info === null) return { _tag: 'RootLinkBroken', root, target, what: 'which does not exist' }
  if (!info.isDirectory())
    return { _tag: 'RootLinkBroken', root, target, what: `which is ${kindOf(info)}, not a folder` }
  return undefined
}
