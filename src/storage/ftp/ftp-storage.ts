import { randomBytes } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { type Client, FTPError } from 'basic-ftp'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Entry, FileEntry } from '../../core/entry.ts'
import { child, isWithin, parentOf, type RelPath } from '../../core/rel-path.ts'
import { describeFailure, withExec } from '../local.ts'
import {
  type Capabilities,
  CHANGED_WHILE_READ,
  type Found,
  isTempOf,
  type Listed,
  type Opened,
  type Staged,
  type Storage,
  type StorageError,
  storageError,
  tempName,
  type WriteMeta,
} from '../storage.ts'
import type { Traits } from './connect.ts'
import { factTimeOf, foundOfFacts, linesOf, modeOf, parseFactsLine, parseFactTime } from './facts.ts'
import { parseListing } from './list-lines.ts'
import type { Pool } from './pool.ts'
import { coded, failureOf } from './replies.ts'

export interface FtpSide {
  /** The side as people know it: the URL without credentials. */
  readonly root: string
  /** The root folder, absolute on the server, without a trailing slash ('/' for the server's root). */
  readonly path: string
  readonly traits: Traits
  /** Whether mtimes are set at all (MFMT offered, and not turned off). */
  readonly setsMtime: boolean
  readonly pool: Pool
  /** Where an undated LIST line's year is worked out from. */
  readonly now: () => number
}

interface ReadState {
  /** The bytes feed an upload to this same storage, which holds a connection while it waits for them. */
  intoUpload: boolean
}

interface Child {
  readonly name: string
  readonly found: Found
  /** Octal mode bits, where the listing gives them (setExec keeps the others). */
  readonly mode?: number
}

const EMPTY_GRACE_MS = 20

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const isFtpReply = (error: unknown, ...codes: ReadonlyArray<number>): boolean =>
  error instanceof FTPError && codes.includes(error.code)

/**
 * A listing's raw text. basic-ftp parses listings itself; we take its text and parse it here, where
 * names with spaces, links and both date forms are handled (and tested).
 */
const rawListing = async (client: Client, command: string, abs: string | undefined): Promise<string> => {
  let text = ''
  client.parseList = (raw) => {
    text = raw
    return []
  }
  client.availableListCommands = [command]
  await client.list(abs ?? '')
  return text
}

/** LIST of a folder, from inside it: a path on LIST's command line would be read as options and globs. */
const listLines = async (client: Client, abs: string, now: number) => {
  await client.send(`CWD ${abs}`)
  return parseListing(await rawListing(client, 'LIST -a', undefined), now)
}

export const ftpStorage = (side: FtpSide): Storage => {
  const { traits, pool } = side
  const capabilities: Capabilities = {
    caseSensitive: true,
    normalizesUnicode: false,
    // MLSD, MLST and MDTM give whole seconds; LIST alone gives minutes at best.
    mtimePrecisionMs: traits.mlsd || traits.mdtm ? 1000 : 60_000,
    symlinks: false,
    execBit: (traits.unixMode || !traits.mlsd) && traits.chmod,
    keepsMtime: side.setsMtime,
  }

  /** A command line cannot hold a line break: a name with one would end the command and start another. */
  const absolute = (path: RelPath | ''): string => {
    const abs = path === '' ? side.path : side.path === '/' ? `/${path}` : `${side.path}/${path}`
    if (/[\r\n\0]/.test(abs)) throw coded('EINVAL', 'an FTP server cannot be sent a name with a line break')
    return abs
  }
  const where = (path: RelPath | ''): string =>
    path === '' ? side.root : `${side.root.replace(/\/$/, '')}/${path}`

  // Writes staged and not yet committed or discarded, by absolute name: hidden from list, and only these.
  const inFlight = new Set<string>()
  // The reads this storage handed out, so that a write fed by one of them (a copy within the server)
  // lets that read take a connection of its own while the write holds another.
  const reads = new WeakMap<object, ReadState>()

  const attempt = <A>(
    op: string,
    path: RelPath | '',
    run: () => Promise<A>,
  ): TE.TaskEither<StorageError, A> =>
    TE.tryCatch(run, (error) => {
      const failure = failureOf(error)
      return storageError(
        op,
        path,
        failure.code,
        describeFailure(op, where(path), failure.detail, failure.code),
      )
    })

  /** The children of a folder given by its absolute name. */
  const listAt = async (client: Client, abs: string): Promise<ReadonlyArray<Child>> => {
    if (!traits.mlsd) {
      const lines = await listLines(client, abs, side.now())
      const out: Child[] = []
      for (const line of lines) {
        // LIST times are in the server's zone and coarse; MDTM gives the file's time in UTC, to the second.
        if (line.found.kind === 'file' && traits.mdtm) {
          let reply: string
          try {
            reply = (await client.send(`MDTM ${abs === '/' ? '' : abs}/${line.name}`)).message
          } catch (error) {
            // Deleted since the listing: not there any more.
            if (failureOf(error).code === 'ENOENT') continue
            throw error
          }
          const mtimeMs = parseFactTime(reply.slice(4))
          out.push({
            name: line.name,
            found: mtimeMs === undefined ? line.found : { ...line.found, mtimeMs },
          })
        } else out.push({ name: line.name, found: line.found })
      }
      return out
    }
    const out: Child[] = []
    let links = false
    for (const line of linesOf(await rawListing(client, 'MLSD', abs))) {
      const parsed = parseFactsLine(line)
      if (parsed === undefined) continue
      const found = foundOfFacts(parsed.facts)
      if (found === undefined || parsed.name === '.' || parsed.name === '..') continue
      if (found.kind === 'symlink') links = true
      const mode = modeOf(parsed.facts)
      out.push({ name: parsed.name, found, ...(mode === undefined ? {} : { mode }) })
    }
    if (!links) return out
    // MLSD gives a link's target resolved (or not at all); a copy must carry the link's own text, which
    // only LIST shows.
    const targets = new Map(
      (await listLines(client, abs, side.now()))
        .filter((line) => line.found.kind === 'symlink')
        .map((line) => [line.name, line.found]),
    )
    return out.map((c) => (c.found.kind === 'symlink' ? { ...c, found: targets.get(c.name) ?? c.found } : c))
  }

  /** The path's entry found in its folder's listing; null when the folder or the name is not there. */
  const statViaParent = async (client: Client, path: RelPath | ''): Promise<Child | null> => {
    const abs = absolute(path)
    if (abs === '/') return { name: '', found: { kind: 'dir' } }
    const cut = abs.lastIndexOf('/')
    const folder = cut === 0 ? '/' : abs.slice(0, cut)
    try {
      return (await listAt(client, folder)).find((c) => c.name === abs.slice(cut + 1)) ?? null
    } catch (error) {
      // The folder is missing or is a file: the path is absent, as lstat would say.
      const { code } = failureOf(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return null
      throw error
    }
  }

  /** MLST of one absolute name: its facts, or undefined when the server refuses (550: missing, or not listable). */
  const mlst = async (client: Client, abs: string) => {
    let reply: string
    try {
      reply = (await client.send(`MLST ${abs}`)).message
    } catch (error) {
      if (isFtpReply(error, 550, 501)) return undefined
      throw error
    }
    const line = reply.split(/\r?\n/).find((l) => l.startsWith(' '))
    const parsed = line === undefined ? undefined : parseFactsLine(line.slice(1))
    if (parsed === undefined) throw coded('EIO', `the server's MLST reply cannot be read: ${reply}`)
    return parsed
  }

  /**
   * One path, in one or two round trips and no data connection. MLST answers 550 alike for a missing
   * path and one it will not show; the folder decides: when MLST shows it as a folder, a name it cannot
   * show in it is missing (stat needs no more than the folder can give), and when the folder is itself
   * missing or a file, the path is absent as lstat would say. Links go by the folder's listing, since
   * only LIST shows a link's own text.
   */
  const statAt = async (client: Client, path: RelPath | ''): Promise<Child | null> => {
    if (!traits.mlsd) return statViaParent(client, path)
    const abs = absolute(path)
    const parsed = await mlst(client, abs)
    if (parsed === undefined) {
      if (abs === '/') return null
      const cut = abs.lastIndexOf('/')
      const folder = await mlst(client, cut === 0 ? '/' : abs.slice(0, cut))
      if (folder === undefined || foundOfFacts(folder.facts)?.kind !== 'dir') {
        // Neither the path nor its folder can be seen: absent, unless something higher up is unreadable,
        // which the folder's listing tells.
        return folder === undefined ? statViaParent(client, path) : null
      }
      return null
    }
    const found = foundOfFacts(parsed.facts)
    if (found === undefined || found.kind === 'dir') return { name: parsed.name, found: { kind: 'dir' } }
    if (found.kind === 'symlink') return statViaParent(client, path)
    const mode = modeOf(parsed.facts)
    return { name: parsed.name, found, ...(mode === undefined ? {} : { mode }) }
  }

  const fileAt = async (client: Client, path: RelPath): Promise<Child & { readonly found: FileEntry }> => {
    const there = await statAt(client, path)
    if (there === null) throw coded('ENOENT', 'no such file or directory')
    switch (there.found.kind) {
      case 'file':
        return { ...there, found: there.found }
      case 'dir':
        throw coded('EISDIR', 'illegal operation on a directory')
      case 'symlink':
        throw coded('ELOOP', 'is a symbolic link')
      case 'special':
        throw coded('EINVAL', 'not a regular file')
    }
  }

  const asEntry = (there: Child | null): Entry => {
    if (there === null) throw coded('ENOENT', 'no such file or directory')
    if (there.found.kind === 'special') throw coded('EIO', `became a ${there.found.what}`)
    return there.found
  }

  const sameVersion = (a: FileEntry, b: Found | undefined): boolean =>
    b?.kind === 'file' && a.size === b.size && a.mtimeMs === b.mtimeMs

  /**
   * RETR, streamed with backpressure on its own connection. Nothing is sent until the first chunk is asked
   * for; at the end the file is looked at again, on the same connection, and a torn read fails.
   */
  async function* retrieve(path: RelPath, entry: FileEntry, how: ReadState): AsyncIterable<Uint8Array> {
    const held = await pool.lease(how.intoUpload)
    let broken = true
    const pipe = new PassThrough({ highWaterMark: 1 << 20 })
    const download = held.client.downloadTo(pipe, absolute(path))
    const ended = download.then(
      () => undefined,
      (error: unknown) => {
        pipe.destroy(error instanceof Error ? error : new Error(String(error)))
        return error
      },
    )
    try {
      let count = 0
      for await (const chunk of pipe as AsyncIterable<Buffer>) {
        count += chunk.length
        if (count > entry.size) throw coded(CHANGED_WHILE_READ, 'the file changed while it was read')
        yield chunk
      }
      const failed = await ended
      if (failed !== undefined) throw failed
      const after = await statAt(held.client, path)
      broken = false
      if (count !== entry.size || !sameVersion(entry, after?.found))
        throw coded(CHANGED_WHILE_READ, 'the file changed while it was read')
    } catch (error) {
      const failure = failureOf(error)
      throw coded(failure.code, failure.detail)
    } finally {
      // Stopped early, or failed: the transfer is still running, so the connection is closed, not reused.
      held.release(broken)
      await ended
    }
  }

  /**
   * STOR, streamed with backpressure. An empty file over TLS gets a moment before its data connection is
   * closed: a close right after the handshake can reach the server before it has finished its side (ProFTPD
   * then fails the transfer), and an empty upload, unlike any other, can simply be sent again.
   */
  const upload = async (abs: string, data: AsyncIterable<Uint8Array>): Promise<void> => {
    let bytes = 0
    let ended = false
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of data) {
        bytes += chunk.length
        yield chunk
      }
      ended = true
      if (bytes === 0) await sleep(EMPTY_GRACE_MS)
    }
    async function* empty(wait: number): AsyncIterable<Uint8Array> {
      await sleep(wait)
      yield* []
    }
    const send = (source: AsyncIterable<Uint8Array>): Promise<void> =>
      pool.run(async (client) => {
        await client.uploadFrom(Readable.from(source, { objectMode: false }), abs)
      }, false)
    try {
      await send(counted())
    } catch (error) {
      if (!(ended && bytes === 0)) throw error
      for (let attempt = 1; ; attempt++) {
        try {
          return await send(empty(EMPTY_GRACE_MS * 4 ** attempt))
        } catch (again) {
          if (attempt >= 3) throw again
        }
      }
    }
  }

  /** Why a write into `path`'s folder failed, when the folder is the reason (the reply may be lost with the data connection). */
  const folderProblem = async (path: RelPath): Promise<Error | undefined> => {
    const folder = parentOf(path)
    const there = await pool.run((client) => statAt(client, folder), true).catch(() => undefined)
    if (there === null) return coded('ENOENT', 'no such file or directory')
    if (there !== undefined && there.found.kind !== 'dir') return coded('ENOTDIR', 'not a directory')
    return undefined
  }

  const setMeta = (client: Client, abs: string, path: RelPath, meta: WriteMeta): Promise<void> =>
    (async () => {
      if (side.setsMtime) await client.send(`MFMT ${factTimeOf(meta.mtimeMs)} ${abs}`)
      if (meta.exec && capabilities.execBit) {
        const mode = (await fileAt(client, path)).mode ?? 0o644
        await client.send(`SITE CHMOD ${withExec(mode, true).toString(8)} ${abs}`)
      }
    })()

  // Temporary names a failed write left behind and could not remove (the server was gone): ours to
  // remove, and hidden from listings until they are.
  const orphans = new Set<string>()
  const removeQuietly = async (abs: string): Promise<void> => {
    try {
      await pool.run(async (client) => {
        try {
          await client.send(`DELE ${abs}`)
        } catch (error) {
          if (failureOf(error).code !== 'ENOENT') throw error
        }
      }, true)
      orphans.delete(abs)
    } catch {
      orphans.add(abs)
    }
  }
  const removeOrphans = async (): Promise<void> => {
    for (const abs of [...orphans]) await removeQuietly(abs)
  }

  const staged = (path: RelPath, temp: RelPath): Staged => {
    const tempAbs = absolute(temp)
    return {
      commit: () =>
        attempt('commit', path, async () => {
          try {
            return await pool.run(async (client) => {
              // RNTO replaces a file where the server allows overwriting, as rename(2) does; over a folder
              // it would fail in a server's own words, so say it in ours.
              if ((await statAt(client, path))?.found.kind === 'dir')
                throw coded('EISDIR', 'illegal operation on a directory')
              await client.send(`RNFR ${tempAbs}`)
              await client.send(`RNTO ${absolute(path)}`)
              inFlight.delete(tempAbs)
              return asEntry(await statAt(client, path))
            }, false)
          } catch (error) {
            // The write is of no use now (a retry stages it again): it goes, now or once the server is back.
            if (inFlight.delete(tempAbs)) await removeQuietly(tempAbs)
            throw error
          }
        }),
      discard: () =>
        attempt('discard', path, async () => {
          try {
            await pool.run(async (client) => {
              try {
                await client.send(`DELE ${tempAbs}`)
              } catch (error) {
                if (failureOf(error).code !== 'ENOENT') throw error
              }
            }, true)
          } catch (error) {
            // The server is gone: the file goes once it is back (see `orphans`).
            if (inFlight.delete(tempAbs)) orphans.add(tempAbs)
            throw error
          }
          inFlight.delete(tempAbs)
        }),
    }
  }

  return {
    root: side.root,
    capabilities,
    stat: (path) =>
      attempt('stat', path, () =>
        pool.run(async (client) => (await statAt(client, path))?.found ?? null, true),
      ),
    list: (dir) =>
      attempt('list', dir, async () => {
        if (orphans.size > 0) await removeOrphans()
        return pool.run(async (client): Promise<ReadonlyArray<Listed>> => {
          const abs = absolute(dir)
          const ours = (name: string): boolean => {
            const full = abs === '/' ? `/${name}` : `${abs}/${name}`
            return inFlight.has(full) || orphans.has(full)
          }
          return (await listAt(client, abs))
            .filter((c) => !ours(c.name))
            .map((c) => ({ name: c.name, entry: c.found }))
        }, true)
      }),
    read: (path) =>
      attempt('read', path, async (): Promise<Opened> => {
        const { found } = await pool.run((client) => fileAt(client, path), true)
        const how: ReadState = { intoUpload: false }
        const data = retrieve(path, found, how)
        reads.set(data, how)
        return { entry: found, data }
      }),
    stage: (path, data, meta, token) =>
      attempt('stage', path, async () => {
        const temp = child(parentOf(path), tempName(token, randomBytes(6).toString('hex')))
        const tempAbs = absolute(temp)
        const own = reads.get(data)
        if (own !== undefined) own.intoUpload = true
        inFlight.add(tempAbs)
        try {
          await upload(tempAbs, data)
          await pool.run((client) => setMeta(client, tempAbs, temp, meta), true)
        } catch (error) {
          inFlight.delete(tempAbs)
          // A source never asked for its bytes (the connection failed first) still holds its file open.
          await (data as AsyncGenerator<Uint8Array>).return?.(undefined).catch(() => undefined)
          const folder = await folderProblem(path)
          if (folder !== undefined) throw folder
          // A failed STOR may have left part of the file under the temporary name; a crash before this
          // leaves it to removeStaged, which knows the token.
          await removeQuietly(tempAbs)
          throw error
        }
        return staged(path, temp)
      }),
    stageSymlink: (path) =>
      attempt('stageSymlink', path, () =>
        Promise.reject(coded('ENOTSUP', 'FTP has no command to make a symbolic link')),
      ),
    rename: (from, to) =>
      attempt('rename', from, () =>
        pool.run(async (client) => {
          if (isWithin(to, from)) throw coded('EINVAL', 'a folder cannot move into itself')
          if ((await statAt(client, from)) === null) throw coded('ENOENT', 'no such file or directory')
          // RNTO replaces what is at `to` on most servers, and a move must never: look first. Someone who
          // creates `to` in the round trip between the look and RNTO loses that file; the applier has just
          // checked `to` too, and the next plan sees whatever is there.
          if ((await statAt(client, to)) !== null) throw coded('EEXIST', 'file already exists')
          await client.send(`RNFR ${absolute(from)}`)
          await client.send(`RNTO ${absolute(to)}`)
        }, false),
      ),
    remove: (path) =>
      attempt('remove', path, () =>
        pool.run(async (client) => {
          const there = await statAt(client, path)
          if (there === null) throw coded('ENOENT', 'no such file or directory')
          await client.send(`${there.found.kind === 'dir' ? 'RMD' : 'DELE'} ${absolute(path)}`)
        }, false),
      ),
    mkdir: (path) =>
      attempt('mkdir', path, () =>
        pool.run(async (client) => {
          await client.send(`MKD ${absolute(path)}`)
        }, false),
      ),
    createRoot: () =>
      attempt('createRoot', '', () =>
        pool.run(async (client) => {
          const names = side.path.split('/').filter((n) => n !== '')
          for (let i = 1; i <= names.length; i++) {
            const abs = `/${names.slice(0, i).join('/')}`
            try {
              await client.send(`MKD ${abs}`)
            } catch (error) {
              // Already there: fine when it is a folder.
              const there = await client.send(`CWD ${abs}`).catch(() => undefined)
              if (there === undefined) throw error
            }
          }
        }, true),
      ),
    removeStaged: (dir, token) =>
      attempt('removeStaged', dir, () =>
        pool.run(async (client) => {
          const abs = absolute(dir)
          const names = (await listAt(client, abs)).map((c) => c.name).filter((n) => isTempOf(n, token))
          for (const name of names) await client.send(`DELE ${abs === '/' ? '' : abs}/${name}`)
          return names.length
        }, true),
      ),
    setMtime: (path, mtimeMs) =>
      attempt('setMtime', path, () =>
        pool.run(async (client) => {
          await fileAt(client, path)
          // A server without MFMT keeps the time of the upload; the side says so in its capabilities.
          if (side.setsMtime) await client.send(`MFMT ${factTimeOf(mtimeMs)} ${absolute(path)}`)
        }, true),
      ),
    setExec: (path, exec) =>
      attempt('setExec', path, () =>
        pool.run(async (client) => {
          const { mode } = await fileAt(client, path)
          if (!capabilities.execBit) throw coded('ENOTSUP', 'the server cannot set permissions')
          await client.send(`SITE CHMOD ${withExec(mode ?? 0o644, exec).toString(8)} ${absolute(path)}`)
        }, true),
      ),
    close: async () => {
      await removeOrphans()
      await pool.close()
    },
  }
}
