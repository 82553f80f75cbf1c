import { randomBytes } from 'node:crypto'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Stats } from 'ssh2'
import { isWithin, parentOf, type RelPath } from '../../core/rel-path.ts'
import { describeFailure, withExec } from '../local.ts'
import {
  isTempOf,
  type Listed,
  type Staged,
  type Storage,
  type StorageError,
  storageError,
  tempName,
  type WriteMeta,
} from '../storage.ts'
import type { Connection, Lease } from './connection.ts'
import {
  entryAt,
  fileAt,
  foundAt,
  foundOf,
  kindOf,
  lstatAt,
  realpathAt,
  statAt,
  toSeconds,
  unlinkAt,
} from './remote-files.ts'
import type { RemoteHasher } from './remote-hashes.ts'
import { openFile, replaceWith, writeTemp } from './remote-open.ts'
import { CONNECTION_CODES, codeOf, detailOf, fail, SftpFailure } from './sftp-errors.ts'
import { closeHandle, type Pipeline } from './transfer.ts'

export interface SftpStorageSetup {
  /** The side's URL, without secrets: how people know this root. */
  readonly root: string
  /** The root's absolute path on the server. */
  readonly path: string
  readonly connection: Connection
  readonly hasher?: RemoteHasher
  readonly pipeline?: Pipeline
}

/** How long a request on a dropped connection is tried again: once, on a new connection. */
const RETRIES_FOR_READS = 1

export const sftpStorage = (setup: SftpStorageSetup): Storage => {
  const { connection, root } = setup
  const pipeline = setup.pipeline ?? { chunk: 256 * 1024, depth: 16 }
  const base = setup.path
  const absolute = (path: RelPath | ''): string =>
    path === '' ? base : base === '/' ? `/${path}` : `${base}/${path}`
  const shown = (path: RelPath | ''): string => (path === '' ? root : `${root}/${path}`)

  // Staged writes not yet committed or discarded, hidden from `list`; and temporary files that a dropped
  // connection kept us from removing, removed once a connection is back.
  const inFlight = new Set<string>()
  const orphans = new Set<string>()

  const withLease = async <A>(run: (lease: Lease) => Promise<A>): Promise<A> => {
    const lease = await connection.lease()
    try {
      if (orphans.size > 0) tidy(lease)
      return await run(lease)
    } finally {
      lease.release()
    }
  }

  const tidy = (lease: Lease): void => {
    for (const temp of orphans) {
      orphans.delete(temp)
      unlinkAt(lease, temp).catch((error: unknown) => {
        if (CONNECTION_CODES.has(codeOf(error))) orphans.add(temp)
      })
    }
  }

  const codeOfFailure = (error: unknown): string =>
    error instanceof SftpFailure ? error.code : codeOf(error)

  const failure =
    (op: string, path: RelPath | '', where: string) =>
    (error: unknown): StorageError => {
      const code = codeOfFailure(error)
      return storageError(op, path, code, describeFailure(op, where, detailOf(error), code))
    }

  /** Runs `run` again on a new connection when the old one dropped under it (for what changes nothing). */
  const retrying = async <A>(run: () => Promise<A>): Promise<A> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run()
      } catch (error) {
        if (attempt >= RETRIES_FOR_READS || !CONNECTION_CODES.has(codeOfFailure(error))) throw error
      }
    }
  }

  /** An operation that changes nothing: tried again on a new connection when the old one dropped. */
  const look = <A>(op: string, path: RelPath | '', run: (lease: Lease) => Promise<A>) =>
    TE.tryCatch(() => retrying(() => withLease(run)), failure(op, path, shown(path)))

  /** An operation that changes something: tried once; the applier re-checks and retries what failed. */
  const change = <A>(
    op: string,
    path: RelPath | '',
    run: (lease: Lease) => Promise<A>,
    where = shown(path),
  ) => TE.tryCatch(() => withLease(run), failure(op, path, where))

  // The root's real path, to see that a path's folders are real folders inside it (see `throughFolders`).
  let realRoot: Promise<string> | undefined

  /**
   * A change reaches its path through real folders only: the server follows links, so a folder swapped
   * for a symlink to elsewhere after the plan was made would take a write outside the root. One realpath
   * of the parent tells.
   */
  const throughFolders = async (lease: Lease, path: RelPath): Promise<void> => {
    const parent = parentOf(path)
    if (parent === '') return
    realRoot ??= realpathAt(lease, base).catch((error: unknown) => {
      realRoot = undefined
      throw error
    })
    const real = await realpathAt(lease, absolute(parent)).catch((error: unknown) => {
      // A parent that is not there: the operation itself says so, as it would without this check.
      if (codeOf(error) === 'ENOENT') return undefined
      throw error
    })
    if (real === undefined) return
    const expected = `${(await realRoot).replace(/\/$/, '')}/${parent}`
    if (real !== expected) fail('ELOOP', `${parent} is a symbolic link, which is never followed`)
  }

  /** Why a folder could not be made or used, when the server only said FAILURE or NO_SUCH_FILE. */
  const diagnose = async (lease: Lease, path: RelPath, error: unknown): Promise<never> => {
    const parent = parentOf(path)
    const above = parent === '' ? await statAt(lease, base) : await lstatAt(lease, absolute(parent))
    if (above === null) return fail('ENOENT', 'no such file or directory')
    if (kindOf(above.mode) !== 'dir') return fail('ENOTDIR', `${parent || 'the root'} is not a folder`)
    throw error
  }

  const tempBeside = (path: RelPath, token: string): string => {
    const parent = parentOf(path)
    const name = tempName(token, randomBytes(6).toString('hex'))
    return parent === '' ? absolute(name as RelPath) : `${absolute(parent)}/${name}`
  }

  const staged = (path: RelPath, temp: string): Staged => ({
    commit: () =>
      change('commit', path, async (lease) => {
        const abs = absolute(path)
        await replaceWith(lease, temp, abs)
        inFlight.delete(temp)
        return entryAt(lease, abs)
      }),
    discard: () =>
      change('discard', path, async (lease) => {
        await unlinkAt(lease, temp).catch((error: unknown) => {
          if (codeOf(error) !== 'ENOENT') throw error
        })
        inFlight.delete(temp)
      }),
  })

  const stage = (
    path: RelPath,
    data: AsyncIterable<Uint8Array>,
    meta: WriteMeta,
    token: string,
  ): TE.TaskEither<StorageError, Staged> =>
    change('stage', path, async (lease) => {
      await throughFolders(lease, path)
      const temp = tempBeside(path, token)
      inFlight.add(temp)
      try {
        await writeTemp(lease, temp, data, meta, pipeline)
      } catch (error) {
        inFlight.delete(temp)
        await unlinkAt(lease, temp).catch((unlinkError: unknown) => {
          if (CONNECTION_CODES.has(codeOf(unlinkError))) orphans.add(temp)
        })
        if (codeOf(error) === 'ENOENT') await diagnose(lease, path, error)
        throw error
      }
      return staged(path, temp)
    })

  const listAt = async (lease: Lease, dir: RelPath | ''): Promise<ReadonlyArray<Listed>> => {
    const abs = absolute(dir)
    // readdir follows a link; only the root itself may be one. Both questions go out together.
    const [st, children] = await Promise.all([
      dir === '' ? Promise.resolve(null) : lstatAt(lease, abs),
      lease
        .call<ReadonlyArray<{ filename: string; attrs: Stats }>>((done) => lease.sftp.readdir(abs, done))
        .catch((error: unknown) => error as Error),
    ])
    if (dir !== '' && st === null) fail('ENOENT', 'no such file or directory')
    if (st !== null && kindOf(st.mode) !== 'dir') fail('ENOTDIR', 'not a directory')
    if (!Array.isArray(children)) throw children
    const listed = await Promise.all(
      children
        .filter((c) => !inFlight.has(dir === '' ? absolute(c.filename as RelPath) : `${abs}/${c.filename}`))
        .map(async (c) => {
          const entry = await foundOf(lease, `${abs === '/' ? '' : abs}/${c.filename}`, c.attrs)
          return entry === null ? [] : [{ name: c.filename, entry }]
        }),
    )
    return listed.flat()
  }

  /** Hashes computed by the server; the paths it could not hash are left out, for the caller to read. */
  const hashesWith =
    (hasher: RemoteHasher) =>
    (paths: ReadonlyArray<RelPath>): TE.TaskEither<StorageError, ReadonlyMap<RelPath, string>> =>
      TE.tryCatch(
        async () => {
          const byAbsolute = new Map(paths.map((p) => [absolute(p), p]))
          const found = await retrying(() => hasher.hash([...byAbsolute.keys()]))
          if (found === undefined)
            return fail('ENOTSUP', 'the server runs neither sha256sum nor shasum for this user')
          const hashes = new Map<RelPath, string>()
          for (const [abs, hash] of found) {
            const path = byAbsolute.get(abs)
            if (path !== undefined) hashes.set(path, hash)
          }
          return hashes
        },
        failure('hash', '', root),
      )

  const probeNames = async (
    token: string,
  ): Promise<{ caseSensitive: boolean; normalizesUnicode: boolean }> => {
    const name = tempName(token, 'Probe-\u00e9')
    const fallback = { caseSensitive: true, normalizesUnicode: false }
    try {
      return await withLease(async (lease) => {
        const created = absolute(name as RelPath)
        const handle = await lease.call<Buffer>((done) => lease.sftp.open(created, 'wx', done))
        await closeHandle(lease, handle)
        try {
          const found = async (variant: string): Promise<boolean> =>
            (await lstatAt(lease, absolute(variant as RelPath))) !== null
          return {
            caseSensitive: !(await found(name.toLowerCase())),
            normalizesUnicode: await found(name.normalize('NFD')),
          }
        } finally {
          await unlinkAt(lease, created).catch(() => undefined)
        }
      })
    } catch {
      return fallback
    }
  }

  const storage: Storage = {
    root,
    capabilities: {
      caseSensitive: true,
      normalizesUnicode: false,
      mtimePrecisionMs: 1000,
      symlinks: true,
      execBit: true,
    },
    probeNames,
    stat: (path) =>
      look('stat', path, async (lease) => {
        // The root may be a link to a folder (a home on another disk); below it, links are never followed.
        if (path === '') {
          const st = await statAt(lease, base)
          return st === null ? null : foundOf(lease, base, st)
        }
        return foundAt(lease, absolute(path))
      }),
    list: (dir) => look('list', dir, (lease) => listAt(lease, dir)),
    read: (path) =>
      TE.tryCatch(
        () =>
          retrying(async () => {
            // The lease stays with the stream until it ends.
            const lease = await connection.lease()
            try {
              await throughFolders(lease, path)
              return await openFile(lease, absolute(path), pipeline)
            } catch (error) {
              lease.release()
              throw error
            }
          }),
        failure('read', path, shown(path)),
      ),
    ...(setup.hasher === undefined ? {} : { hashes: hashesWith(setup.hasher) }),
    stage,
    stageSymlink: (path, target, token) =>
      change('stageSymlink', path, async (lease) => {
        await throughFolders(lease, path)
        const temp = tempBeside(path, token)
        inFlight.add(temp)
        try {
          await lease.call<void>((done) => lease.sftp.symlink(target, temp, done))
        } catch (error) {
          inFlight.delete(temp)
          if (codeOf(error) === 'ENOENT') await diagnose(lease, path, error)
          throw error
        }
        return staged(path, temp)
      }),
    rename: (from, to) =>
      change(
        'rename',
        from,
        async (lease) => {
          if (isWithin(to, from)) fail('EINVAL', 'cannot move a folder into itself')
          await throughFolders(lease, from)
          await throughFolders(lease, to)
          const [moving, there] = await Promise.all([
            lstatAt(lease, absolute(from)),
            lstatAt(lease, absolute(to)),
          ])
          if (moving === null) fail('ENOENT', 'no such file or directory')
          if (there !== null) fail('EEXIST', 'file already exists')
          // Plain SFTP rename never replaces what is there (OpenSSH links, then unlinks).
          await lease.call<void>((done) => lease.sftp.rename(absolute(from), absolute(to), done))
        },
        `${shown(from)} to ${shown(to)}`,
      ),
    remove: (path) =>
      change('remove', path, async (lease) => {
        await throughFolders(lease, path)
        const abs = absolute(path)
        const st = await lstatAt(lease, abs)
        if (st === null) fail('ENOENT', 'no such file or directory')
        else if (kindOf(st.mode) !== 'dir') await unlinkAt(lease, abs)
        else
          await lease
            .call<void>((done) => lease.sftp.rmdir(abs, done))
            .catch(async (error: unknown) => {
              const left = await lease.call<ReadonlyArray<unknown>>((done) => lease.sftp.readdir(abs, done))
              if (left.length > 0) fail('ENOTEMPTY', 'directory not empty')
              throw error
            })
      }),
    mkdir: (path) =>
      change('mkdir', path, async (lease) => {
        await throughFolders(lease, path)
        const abs = absolute(path)
        await lease
          .call<void>((done) => lease.sftp.mkdir(abs, done))
          .catch(async (error: unknown) => {
            if ((await lstatAt(lease, abs)) !== null) fail('EEXIST', 'file already exists')
            await diagnose(lease, path, error)
          })
      }),
    createRoot: () =>
      change('createRoot', '', async (lease) => {
        const segments = base.split('/').filter((s) => s !== '')
        for (let i = 1; i <= segments.length; i++) {
          const folder = `/${segments.slice(0, i).join('/')}`
          const st = await statAt(lease, folder)
          if (st !== null && kindOf(st.mode) === 'dir') continue
          if (st !== null) fail('ENOTDIR', `${folder} is not a folder`)
          await lease
            .call<void>((done) => lease.sftp.mkdir(folder, done))
            .catch(async (error: unknown) => {
              // Made by someone else meanwhile is as good.
              if ((await statAt(lease, folder)) === null) throw error
            })
        }
      }),
    removeStaged: (dir, token) =>
      look('removeStaged', dir, async (lease) => {
        const abs = absolute(dir)
        const names = (
          await lease.call<ReadonlyArray<{ filename: string }>>((done) => lease.sftp.readdir(abs, done))
        )
          .map((c) => c.filename)
          .filter((name) => isTempOf(name, token))
        const prefix = abs === '/' ? '' : abs
        await Promise.all(names.map((name) => unlinkAt(lease, `${prefix}/${name}`).catch(() => undefined)))
        return names.length
      }),
    setMtime: (path, mtimeMs) =>
      look('setMtime', path, async (lease) => {
        await throughFolders(lease, path)
        const abs = absolute(path)
        await fileAt(lease, abs)
        const mtime = toSeconds(mtimeMs)
        await lease.call<void>((done) => lease.sftp.utimes(abs, Math.floor(Date.now() / 1000), mtime, done))
      }),
    setExec: (path, exec) =>
      look('setExec', path, async (lease) => {
        await throughFolders(lease, path)
        const abs = absolute(path)
        const st = await fileAt(lease, abs)
        await lease.call<void>((done) => lease.sftp.chmod(abs, withExec(st.mode, exec), done))
      }),
    close: () => connection.close(),
  }
  return storage
}
