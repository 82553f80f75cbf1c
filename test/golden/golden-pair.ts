import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { applyPlan, isComplete } from '../../src/apply/apply.ts'
import type { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy, type Policy } from '../../src/core/policy.ts'
import { type RelPath, relPath } from '../../src/core/rel-path.ts'
import { newState, type SyncState } from '../../src/core/sync-state.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { type MemoryStorage, memoryStorage } from '../../src/storage/memory.ts'

/**
 * A pair for golden plans: everything a plan records is fixed, so the same scenario always gives the same
 * bytes. The roots have fixed names, every file gets an explicit mtime (the storages' clock throws), and
 * the first apply starts the state lineage `lineage-1`.
 */

export const SOURCE_ROOT = 'memory:/source'
export const DESTINATION_ROOT = 'memory:/destination'

/** 2026-01-01T00:00:00Z: the time every scenario starts from. */
export const T0 = Date.UTC(2026, 0, 1)

/** A fixed mtime, `minutes` after T0. */
export const at = (minutes: number): number => T0 + minutes * 60_000

export interface GoldenSide {
  readonly storage: MemoryStorage
  /** Writes a file with the mtime `at(minute)`, making missing folders. */
  readonly put: (path: string, content: string, minute: number, options?: { exec?: boolean }) => void
  readonly mkdir: (path: string) => void
  /** Removes a file, or a folder with everything in it. */
  readonly remove: (path: string) => void
  /** Renames within the side, as a person would in a file manager. */
  readonly rename: (from: string, to: string) => Promise<void>
}

export interface GoldenPair {
  readonly source: GoldenSide
  readonly destination: GoldenSide
  /** Plans against the state the last sync left (none before the first). */
  readonly plan: (policy?: Partial<Policy>) => Promise<Plan>
  /** Plans and applies; anything skipped, failed or left for a person stops the scenario. */
  readonly sync: (policy?: Partial<Policy>) => Promise<void>
}

const noClock = (): number => {
  throw new Error('golden scenarios give every file an explicit mtime')
}

const checked = (path: string): RelPath => {
  const checked = relPath(path)
  if (E.isLeft(checked)) throw new Error(`bad path in a scenario: ${path} ${checked.left.why}`)
  return checked.right
}

const goldenSide = (root: string): GoldenSide => {
  const storage = memoryStorage({ root, clock: noClock })
  return {
    storage,
    put: (path, content, minute, options = {}) =>
      storage.put(path, content, { mtimeMs: at(minute), exec: options.exec ?? false }),
    mkdir: (path) => storage.putDir(path),
    remove: (path) => storage.delete(path),
    rename: async (from, to) => {
      const renamed = await storage.rename(checked(from), checked(to))()
      if (E.isLeft(renamed)) throw new Error(`rename ${from} → ${to}: ${renamed.left.message}`)
    },
  }
}

export const goldenPair = (): GoldenPair => {
  const source = goldenSide(SOURCE_ROOT)
  const destination = goldenSide(DESTINATION_ROOT)
  const sides = { source: source.storage, destination: destination.storage }
  let state: SyncState | null = null
  let lineage = 0
  const plan = async (policy: Partial<Policy> = {}): Promise<Plan> => {
    const planned = await planPair({ sides, state, policy: { ...defaultPolicy, ...policy } })()
    if (E.isLeft(planned)) throw new Error(`plan failed: ${JSON.stringify(planned.left)}`)
    return planned.right
  }
  return {
    source,
    destination,
    plan,
    sync: async (policy = {}) => {
      const planned = await plan(policy)
      const applied = await applyPlan(planned, sides, {
        current: state,
        fresh: () => newState(`lineage-${++lineage}`, SOURCE_ROOT, DESTINATION_ROOT),
      })()
      if (E.isLeft(applied)) throw new Error(`apply failed: ${JSON.stringify(applied.left)}`)
      if (!isComplete(applied.right))
        throw new Error(`apply left work undone: ${JSON.stringify(applied.right.counts)}`)
      state = applied.right.state
    },
  }
}

/**
 * Copies a folder on disk onto a side, in name order, every file with the same mtime: the example folders
 * become a scenario whose plan does not depend on when they were checked out.
 */
export const plantFolder = async (side: GoldenSide, folder: string, minute: number): Promise<void> => {
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const children = await readdir(dir, { withFileTypes: true })
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const child of children) {
      const path = prefix === '' ? child.name : `${prefix}/${child.name}`
      if (child.isDirectory()) {
        side.mkdir(path)
        await walk(join(dir, child.name), path)
      } else if (child.isFile()) side.put(path, await readFile(join(dir, child.name), 'utf8'), minute)
    }
  }
  await walk(folder, '')
}
