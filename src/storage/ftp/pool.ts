import type { Client } from 'basic-ftp'
import { coded, failureOf, isTransientCode } from './replies.ts'

/**
 * FTP runs one command, and one transfer, at a time on a control connection: a pool of `size` logged-in
 * connections serves transfers and metadata commands alike. A dropped connection is never reused; the
 * next lease opens a fresh one, so an apply goes on after the server comes back.
 */
export interface PoolSettings {
  readonly size: number
  readonly connect: () => Promise<Client>
  /** How often an unused connection sends NOOP, so neither the server nor a firewall drops it. */
  readonly keepAliveMs: number
  /** An unused connection is closed after this long. */
  readonly idleTimeoutMs: number
  readonly retries: number
  readonly retryDelayMs: number
  /** A connection already logged in (the one that asked the server what it can do), kept for use. */
  readonly first?: Client
}

export interface Lease {
  readonly client: Client
  /** Gives the connection back; a broken one (dropped, or left mid-transfer) is closed instead. */
  readonly release: (broken: boolean) => void
}

export interface Pool {
  /**
   * Runs `work` on a connection. A transient failure (a dropped connection, a 4xx reply) is tried again on a
   * fresh connection, with a doubling wait, when `idempotent`: a command that may have taken effect before
   * the reply was lost (a rename, a delete) is not sent twice; the applier re-checks and decides.
   */
  readonly run: <A>(work: (client: Client) => Promise<A>, idempotent: boolean) => Promise<A>
  /**
   * A connection held until released, for a transfer the caller streams itself. `beyond`: the caller
   * already holds one of this pool's connections and cannot give it back until this one is done (a copy
   * within one server reads on one connection and writes on another): waiting for a free one would
   * deadlock once every connection is held that way, so such a lease may go over `size`, by at most `size`.
   */
  readonly lease: (beyond?: boolean) => Promise<Lease>
  readonly close: () => Promise<void>
}

interface Idle {
  readonly client: Client
  timers: ReadonlyArray<NodeJS.Timeout>
  /** A NOOP in flight: the connection is handed out once it is answered. */
  busy: Promise<void>
}

/** A waiter gets a live connection, or `null`: a free slot to connect in. */
type Grant = (client: Client | null) => void

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const connectionPool = (settings: PoolSettings): Pool => {
  const idle: Idle[] = []
  const waiting: Grant[] = []
  /** Connections counted against `size`: leased, idle, or being opened. */
  let slots = 0
  /** Connections opened beyond `size` for a lease taken while another is held (see `lease`). */
  let extras = 0
  let closed = false

  const shut = (client: Client): void => {
    try {
      client.close()
    } catch {
      // Already closed.
    }
  }

  const park = (client: Client): void => {
    const entry: Idle = { client, timers: [], busy: Promise.resolve() }
    const drop = (): void => {
      const at = idle.indexOf(entry)
      if (at < 0) return
      idle.splice(at, 1)
      for (const timer of entry.timers) clearInterval(timer)
      shut(client)
      slots--
      wake()
    }
    const keepAlive = setInterval(() => {
      entry.busy = client.send('NOOP').then(
        () => undefined,
        () => drop(),
      )
    }, settings.keepAliveMs)
    const expire = setTimeout(drop, settings.idleTimeoutMs)
    keepAlive.unref()
    expire.unref()
    entry.timers = [keepAlive, expire]
    idle.push(entry)
  }

  /** A freed slot goes to the first waiter, who connects in it. */
  const wake = (): void => {
    if (slots < settings.size) {
      const next = waiting.shift()
      if (next !== undefined) {
        slots++
        next(null)
      }
    }
  }

  const open = async (): Promise<Client> => {
    try {
      if (closed) throw coded('ECONNRESET', 'the connection pool is closed')
      return await settings.connect()
    } catch (error) {
      slots--
      wake()
      throw error
    }
  }

  const takeIdle = async (): Promise<Client | undefined> => {
    for (let entry = idle.pop(); entry !== undefined; entry = idle.pop()) {
      for (const timer of entry.timers) clearInterval(timer)
      await entry.busy
      if (!entry.client.closed) return entry.client
      slots--
    }
    return undefined
  }

  const acquire = async (beyond: boolean): Promise<{ readonly client: Client; readonly extra: boolean }> => {
    if (closed) throw coded('ECONNRESET', 'the connection pool is closed')
    const reused = await takeIdle()
    if (reused !== undefined) return { client: reused, extra: false }
    if (slots < settings.size) {
      slots++
      return { client: await open(), extra: false }
    }
    if (beyond && extras < settings.size) {
      extras++
      try {
        return { client: await settings.connect(), extra: true }
      } catch (error) {
        extras--
        throw error
      }
    }
    const granted = await new Promise<Client | null>((resolve) => waiting.push(resolve))
    return { client: granted ?? (await open()), extra: false }
  }

  const giveBack = (client: Client, extra: boolean, broken: boolean): void => {
    if (extra) {
      extras--
      shut(client)
      return
    }
    if (broken || client.closed || closed) {
      shut(client)
      slots--
      wake()
      return
    }
    const next = waiting.shift()
    if (next !== undefined) next(client)
    else park(client)
  }

  const lease = async (beyond = false): Promise<Lease> => {
    const { client, extra } = await acquire(beyond)
    let released = false
    return {
      client,
      release: (broken) => {
        if (released) return
        released = true
        giveBack(client, extra, broken)
      },
    }
  }

  const run = async <A>(work: (client: Client) => Promise<A>, idempotent: boolean): Promise<A> => {
    for (let attempt = 0; ; attempt++) {
      let held: Lease
      try {
        held = await lease()
      } catch (error) {
        // Nothing was sent: connecting again is always safe.
        if (attempt < settings.retries && isTransientCode(failureOf(error).code)) {
          await sleep(settings.retryDelayMs * 2 ** attempt)
          continue
        }
        throw error
      }
      try {
        const result = await work(held.client)
        held.release(false)
        return result
      } catch (error) {
        const failure = failureOf(error)
        held.release(failure.broken || held.client.closed)
        if (idempotent && attempt < settings.retries && isTransientCode(failure.code)) {
          await sleep(settings.retryDelayMs * 2 ** attempt)
          continue
        }
        throw error
      }
    }
  }

  if (settings.first !== undefined) {
    slots++
    park(settings.first)
  }

  return {
    run,
    lease,
    close: async () => {
      closed = true
      for (const entry of idle.splice(0)) {
        for (const timer of entry.timers) clearInterval(timer)
        await entry.busy
        shut(entry.client)
      }
      for (const next of waiting.splice(0)) next(null)
    },
  }
}
