import * as E from 'fp-ts/lib/Either.js'
import type { Entry } from '../core/entry.ts'
import { ancestorsOf, type RelPath } from '../core/rel-path.ts'
import type { Side } from '../core/side.ts'
import type { Storage, StorageError } from '../storage/storage.ts'

/** Keeps a copy of what a delete or an overwrite is about to remove. */
export interface Backup {
  readonly keep: (
    side: Side,
    path: RelPath,
    from: Storage,
    entry: Entry,
    token: string,
  ) => Promise<E.Either<StorageError, RelPath>>
}

/**
 * Backups under `<side>/<path>.<stamp>` in `storage` (`destination/docs/a.txt.20261125-153612`), with
 * `-2`, `-3`, … when an earlier one of the same second is there. The copy is complete before the
 * original goes: if it fails, the delete or overwrite does not happen.
 */
export const backupIn = (storage: Storage, stamp: string): Backup => {
  const made = new Set<string>()
  const ensureFolders = async (path: RelPath): Promise<E.Either<StorageError, void>> => {
    if (!made.has('')) {
      const root = await storage.createRoot()()
      if (E.isLeft(root)) return root
      made.add('')
    }
    for (const folder of ancestorsOf(path)) {
      if (made.has(folder)) continue
      const created = await storage.mkdir(folder)()
      if (E.isLeft(created) && created.left.code !== 'EEXIST') return created
      made.add(folder)
    }
    return E.right(undefined)
  }
  return {
    keep: async (side, path, from, entry, token) => {
      for (let n = 1; ; n++) {
        const name = `${side}/${path}.${stamp}${n > 1 ? `-${n}` : ''}` as RelPath
        const there = await storage.stat(name)()
        if (E.isLeft(there)) return there
        if (there.right !== null) continue
        const folders = await ensureFolders(name)
        if (E.isLeft(folders)) return folders
        const staged = await (async () => {
          if (entry.kind === 'symlink') return storage.stageSymlink(name, entry.target, token)()
          const data = await from.read(path)()
          if (E.isLeft(data)) return data
          return storage.stage(
            name,
            data.right.data,
            { mtimeMs: data.right.entry.mtimeMs, exec: false },
            token,
          )()
        })()
        if (E.isLeft(staged)) return staged
        const committed = await staged.right.commit()()
        return E.isLeft(committed) ? committed : E.right(name)
      }
    },
  }
}
