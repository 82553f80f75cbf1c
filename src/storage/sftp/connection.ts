import ssh2, { type Client, type SFTPWrapper } from 'ssh2'
import type { Authenticator } from './auth.ts'
import type { HostKeyChecker } from './host-keys.ts'
import { CONNECTION_CODES, codeOf, detailOf, SftpFailure } from './sftp-errors.ts'

/**
 * One SSH connection to one server, opened when first needed and again after it dropped, carrying up to
 * `transfers` SFTP channels (each served by its own sftp-server on the other end, so transfers run side by
 * side) and exec channels for commands. A request that gets no answer for `idleTimeoutMs` ends the
 * connection (ETIMEDOUT); every request waiting on a connection that ended fails with ECONNRESET or
 * ETIMEDOUT, which the applier retries, and the next request connects again.
 */
export interface ConnectionSettings {
  readonly host: string
  readonly user: string
  readonly port: number
  /** `user@host:port`, for messages. */
  readonly label: string
  readonly authenticator: () => Authenticator
  readonly hostKeys: HostKeyChecker
  readonly transfers: number
  readonly connectTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly keepaliveIntervalMs: number
  readonly keepaliveCountMax: number
  readonly retries: number
  readonly retryDelayMs: number
  /** Called after each new connection (not the first), to tidy what the dropped one left. */
  readonly onReconnect?: () => Promise<void>
}

export interface Lease {
  readonly sftp: SFTPWrapper
  /** Runs one request on the channel, so that the idle watchdog knows it is waiting. */
  readonly call: <A>(
    request: (done: (error: Error | undefined | null, value?: A) => void) => void,
  ) => Promise<A>
  /** Whether the server offers an SFTP extension (`posix-rename@openssh.com`, …). */
  readonly hasExtension: (name: string) => boolean
  /** The most bytes one read or write request may carry (the server says, with limits@openssh.com). */
  readonly maxRequest: { readonly read: number; readonly write: number }
  readonly release: () => void
}

export interface ExecResult {
  readonly code: number | null
  readonly stdout: Buffer
}

export interface Connection {
  /** An SFTP channel, the least busy one, connecting first when there is no connection. */
  readonly lease: () => Promise<Lease>
  /** Runs a command on the server with `input` on its standard input. */
  readonly exec: (command: string, input: Buffer) => Promise<ExecResult>
  readonly close: () => Promise<void>
}

interface Slot {
  readonly sftp: SFTPWrapper
  busy: number
}

interface Live {
  readonly client: Client
  readonly slots: Slot[]
  /** Channels being opened, so that leases wait for one instead of opening more than allowed. */
  readonly opening: Set<Promise<Slot>>
  /** The code every request still waiting gets once the connection ends. */
  endedWith: string | undefined
  waiting: number
  lastHeard: number
  readonly watchdog: NodeJS.Timeout
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref())

/** What ssh2 keeps on a channel about the server: the extensions it announced, its request limits. */
interface ChannelInternals {
  readonly _extensions?: Record<string, string>
  readonly _maxReadLen?: number
  readonly _maxWriteLen?: number
}

const extensionsOf = (sftp: SFTPWrapper): Readonly<Record<string, string>> =>
  (sftp as unknown as ChannelInternals)._extensions ?? {}

/** ssh2 splits a longer request into several sent one after the other: requests stay within these. */
const maxRequestOf = (sftp: SFTPWrapper): { readonly read: number; readonly write: number } => {
  const { _maxReadLen, _maxWriteLen } = sftp as unknown as ChannelInternals
  return { read: _maxReadLen ?? 32 * 1024, write: _maxWriteLen ?? 32 * 1024 }
}

export const connection = (settings: ConnectionSettings): Connection => {
  let current: Promise<Live> | undefined
  /** The connection `current` gave, once it did: looked at to see whether it ended. */
  let settled: Live | undefined
  let closed = false
  let connections = 0

  const handshake = (): Promise<Live> =>
    new Promise<Live>((resolve, reject) => {
      const client = new ssh2.Client()
      const auth = settings.authenticator()
      let refusal: SftpFailure | undefined
      let ready = false
      const why = (error: unknown): SftpFailure => {
        if (refusal !== undefined) return refusal
        if (/authentication methods failed/i.test(detailOf(error))) {
          const tried = auth.tried()
          const what = tried.length === 0 ? 'nothing: no agent, no key, no password' : tried.join(', ')
          return new SftpFailure('EACCES', `${settings.label} refused every way to log in (tried ${what})`)
        }
        return new SftpFailure(codeOf(error), `cannot connect to ${settings.label}: ${detailOf(error)}`)
      }
      const fail = (error: unknown): void => {
        if (ready) return
        ready = true
        client.destroy()
        reject(why(error))
      }
      client.on('error', fail)
      client.on('close', () => fail(new SftpFailure('ECONNRESET', 'the connection closed')))
      client.on('ready', () => {
        if (ready) return
        ready = true
        const live: Live = {
          client,
          slots: [],
          opening: new Set(),
          endedWith: undefined,
          waiting: 0,
          lastHeard: Date.now(),
          watchdog: setInterval(
            () => {
              if (live.waiting > 0 && Date.now() - live.lastHeard > settings.idleTimeoutMs) {
                live.endedWith = 'ETIMEDOUT'
                client.destroy()
              }
            },
            Math.max(250, Math.floor(settings.idleTimeoutMs / 4)),
          ).unref(),
        }
        client.removeAllListeners('error')
        client.removeAllListeners('close')
        // A connection that ends takes its channels with it; the next lease connects again.
        client.on('error', (error) => {
          live.endedWith ??= CONNECTION_CODES.has(codeOf(error)) ? codeOf(error) : 'ECONNRESET'
          client.destroy()
        })
        client.on('close', () => {
          live.endedWith ??= 'ECONNRESET'
          clearInterval(live.watchdog)
          live.slots.length = 0
        })
        resolve(live)
      })
      // Requests are small and answered one by one: Nagle's algorithm would hold each for a delayed ACK.
      client.on('connect', () => client.setNoDelay(true))
      settings.hostKeys.algorithms().then((serverHostKey) => {
        client.connect({
          host: settings.host,
          port: settings.port,
          username: settings.user,
          readyTimeout: settings.connectTimeoutMs,
          keepaliveInterval: settings.keepaliveIntervalMs,
          keepaliveCountMax: settings.keepaliveCountMax,
          // AES-GCM runs in OpenSSL (with AES-NI); ChaCha20 would run in JavaScript without ssh2's addon.
          algorithms: {
            serverHostKey: [...serverHostKey] as never,
            cipher: [
              'aes128-gcm@openssh.com',
              'aes256-gcm@openssh.com',
              'aes128-ctr',
              'aes256-ctr',
              'chacha20-poly1305@openssh.com',
            ] as never,
          },
          authHandler: auth.handler,
          hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
            settings.hostKeys.verify(key).then(
              () => verify(true),
              (error: unknown) => {
                refusal =
                  error instanceof SftpFailure
                    ? error
                    : new SftpFailure('EHOSTKEY', `cannot check the host key: ${detailOf(error)}`)
                verify(false)
              },
            )
          },
        })
      }, fail)
    })

  /** Connects, trying again after a refused, reset or timed-out attempt, waiting longer each time. */
  const connect = async (): Promise<Live> => {
    for (let attempt = 0; ; attempt++) {
      if (closed) throw new SftpFailure('ECONNABORTED', `the connection to ${settings.label} was closed`)
      try {
        const live = await handshake()
        if (connections++ > 0) await settings.onReconnect?.().catch(() => undefined)
        return live
      } catch (error) {
        const code = error instanceof SftpFailure ? error.code : codeOf(error)
        if (attempt >= settings.retries || !CONNECTION_CODES.has(code)) throw error
        await wait(settings.retryDelayMs * 2 ** attempt)
      }
    }
  }

  const live = (): Promise<Live> => {
    if (settled?.endedWith !== undefined) {
      current = undefined
      settled = undefined
    }
    if (current === undefined) {
      const attempt = connect()
      current = attempt
      attempt.then(
        (l) => {
          if (current === attempt) settled = l
        },
        () => {
          if (current === attempt) current = undefined
        },
      )
    }
    return current
  }

  const openChannel = (l: Live): Promise<SFTPWrapper> =>
    new Promise((resolve, reject) => {
      try {
        l.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))
      } catch (error) {
        reject(error)
      }
    })

  const least = (l: Live): Slot | undefined =>
    l.slots.reduce<Slot | undefined>((a, s) => (a === undefined || s.busy < a.busy ? s : a), undefined)

  const openSlot = async (l: Live): Promise<Slot> => {
    const sftp = await openChannel(l)
    const slot: Slot = { sftp, busy: 0 }
    sftp.on('close', () => {
      const at = l.slots.indexOf(slot)
      if (at >= 0) l.slots.splice(at, 1)
    })
    l.slots.push(slot)
    return slot
  }

  const slotFor = async (l: Live): Promise<Slot> => {
    const best = least(l)
    if ((best === undefined || best.busy > 0) && l.slots.length + l.opening.size < settings.transfers) {
      const opening = openSlot(l)
      l.opening.add(opening)
      try {
        return await opening
      } catch (error) {
        // The server may allow fewer sessions than asked (MaxSessions): use the channels there are.
        const fallback = least(l)
        if (fallback === undefined) throw error
        return fallback
      } finally {
        l.opening.delete(opening)
      }
    }
    if (best !== undefined) return best
    // Other leases are opening every channel allowed: share the first that opens.
    return Promise.any(l.opening).catch(() => slotFor(l))
  }

  const ended = (l: Live, error: unknown): Error => {
    if (error instanceof SftpFailure) return error
    const code = codeOf(error)
    if (l.endedWith !== undefined && (code === 'ECONNRESET' || code === 'EIO'))
      return new SftpFailure(l.endedWith, `the connection to ${settings.label} was lost: ${detailOf(error)}`)
    return error as Error
  }

  const lease = async (): Promise<Lease> => {
    const l = await live()
    const slot = await slotFor(l)
    slot.busy++
    let released = false
    return {
      sftp: slot.sftp,
      hasExtension: (name) => extensionsOf(slot.sftp)[name] !== undefined,
      maxRequest: maxRequestOf(slot.sftp),
      call: <A>(request: (done: (error: Error | undefined | null, value?: A) => void) => void) =>
        new Promise<A>((resolve, reject) => {
          if (l.endedWith !== undefined)
            return reject(new SftpFailure(l.endedWith, `the connection to ${settings.label} was lost`))
          if (l.waiting++ === 0) l.lastHeard = Date.now()
          const done = (error: Error | undefined | null, value?: A): void => {
            l.waiting--
            l.lastHeard = Date.now()
            if (error) reject(ended(l, error))
            else resolve(value as A)
          }
          try {
            request(done)
          } catch (error) {
            done(error as Error)
          }
        }),
      release: () => {
        if (!released) slot.busy--
        released = true
      },
    }
  }

  const exec = async (command: string, input: Buffer): Promise<ExecResult> => {
    const l = await live()
    return new Promise<ExecResult>((resolve, reject) => {
      l.client.exec(command, (error, stream) => {
        if (error) return reject(ended(l, error))
        const out: Buffer[] = []
        let code: number | null = null
        stream.on('data', (chunk: Buffer) => out.push(chunk))
        stream.stderr.resume()
        stream.on('exit', (status: number | null) => {
          code = status
        })
        stream.on('close', () => {
          if (l.endedWith !== undefined && code === null)
            reject(new SftpFailure(l.endedWith, `the connection to ${settings.label} was lost`))
          else resolve({ code, stdout: Buffer.concat(out) })
        })
        stream.end(input)
      })
    })
  }

  return {
    lease,
    exec,
    close: async () => {
      closed = true
      const open = current
      current = undefined
      const l = await open?.catch(() => undefined)
      if (l === undefined) return
      clearInterval(l.watchdog)
      await new Promise<void>((resolve) => {
        l.client.once('close', () => resolve())
        l.client.end()
        setTimeout(() => {
          l.client.destroy()
          resolve()
        }, 2000).unref()
      })
    },
  }
}
