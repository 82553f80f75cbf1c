import { readdir, readFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { messageOf } from '../../src/cli/messages.ts'
import type { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy, type Policy } from '../../src/core/policy.ts'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { planPair } from '../../src/pair/plan-pair.ts'
import { loadState } from '../../src/state/state-file.ts'
import type { Sides } from '../../src/storage/sides.ts'
import { localPair, readTree, type TestPair } from '../support/sides.ts'

/**
 * A plan is made against one state; once another apply has moved the state on, that plan is stale (issue
 * 4). Applying it is refused as a whole, with a message that says so, and nothing changes: not the trees,
 * not the state file, not the pair's other files.
 */

let pair: TestPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

const sidesOf = (p: TestPair): Sides => ({ source: p.source.storage, destination: p.destination.storage })
const stateFileOf = (p: TestPair): string => join(p.scratch, 'state.json')

const planNow = async (p: TestPair, policy: Partial<Policy> = {}): Promise<Plan> => {
  const roots = { source: p.source.storage.root, destination: p.destination.storage.root }
  const state = await loadState(stateFileOf(p), roots)()
  if (E.isLeft(state)) throw new Error(JSON.stringify(state.left))
  const planned = await planPair({
    sides: sidesOf(p),
    state: state.right,
    policy: { ...defaultPolicy, ...policy },
  })()
  if (E.isLeft(planned)) throw new Error(JSON.stringify(planned.left))
  return planned.right
}

const apply = (p: TestPair, plan: Plan, signal?: AbortSignal) =>
  applyPair({
    plan,
    sides: sidesOf(p),
    stateFile: stateFileOf(p),
    ...(signal === undefined ? {} : { signal }),
  })()

const applyOk = async (p: TestPair, plan: Plan): Promise<void> => {
  const applied = await apply(p, plan)
  if (E.isLeft(applied)) throw new Error(JSON.stringify(applied.left))
}

/** Both trees, the state file's bytes and mtime, and what else sits beside it (journal, lock). */
const everything = async (p: TestPair) => {
  const stateFile = stateFileOf(p)
  const info = await stat(stateFile).catch(() => null)
  return {
    source: await readTree(p.source.storage.root),
    destination: await readTree(p.destination.storage.root),
    state: info === null ? null : await readFile(stateFile, 'utf8'),
    stateMtime: info?.mtimeMs ?? null,
    beside: (await readdir(dirname(stateFile))).sort(),
  }
}

const expectStale = (applied: Awaited<ReturnType<typeof apply>>): void => {
  expect(applied._tag).toBe('Left')
  if (E.isRight(applied)) return
  expect(applied.left._tag).toBe('PlanStale')
  expect(messageOf(applied.left)).toContain('stale')
}

describe('a stale plan', () => {
  it('an older plan applied after a newer one is refused as stale, and changes neither tree nor the state file', async () => {
    pair = await localPair()
    await pair.source.put('a.txt', 'alpha')
    await applyOk(pair, await planNow(pair))
    await pair.source.put('new.txt', 'new on source')
    await pair.destination.put('x.txt', 'only on destination')
    // A mirror would delete x.txt; the backup made after it keeps it, and is applied first.
    const older = await planNow(pair, { mode: 'source-to-destination' })
    const newer = await planNow(pair, { mode: 'source-backup' })
    expect(older.actions.some((a) => a.kind === 'delete' && a.path === 'x.txt')).toBe(true)
    await applyOk(pair, newer)
    const before = await everything(pair)
    expect(before.destination['x.txt']).toBe('only on destination')

    const applied = await apply(pair, older)

    expectStale(applied)
    expect(await everything(pair)).toEqual(before)
  })

  it('the same plan applied a second time is refused as stale and changes nothing', async () => {
    pair = await localPair()
    await pair.source.put('a.txt', 'alpha')
    await pair.source.put('sub/b.txt', 'beta')
    await applyOk(pair, await planNow(pair))
    await pair.source.put('a.txt', 'alpha, edited')
    await pair.destination.remove('sub/b.txt')
    const plan = await planNow(pair)
    await applyOk(pair, plan)
    // Someone puts back what the plan removed and edits what it copied: a second run must not undo that.
    await pair.source.put('sub/b.txt', 'beta, written again')
    await pair.destination.put('a.txt', 'alpha, edited on destination')
    const before = await everything(pair)

    const applied = await apply(pair, plan)

    expectStale(applied)
    expect(await everything(pair)).toEqual(before)
  })

  it('a plan made before the first sync is refused once that sync happened, and changes nothing', async () => {
    pair = await localPair()
    await pair.source.put('a.txt', 'alpha')
    await pair.destination.put('x.txt', 'only on destination')
    const older = await planNow(pair, { mode: 'source-to-destination', allowMassDelete: true })
    const newer = await planNow(pair, { mode: 'source-backup' })
    await applyOk(pair, newer)
    const before = await everything(pair)

    const applied = await apply(pair, older)

    expectStale(applied)
    expect(await everything(pair)).toEqual(before)
    expect(before.destination['x.txt']).toBe('only on destination')
  })

  it('an older plan applied while a newer apply waits to be resumed is refused, and the newer one still resumes', async () => {
    pair = await localPair()
    for (let i = 0; i < 6; i++) await pair.source.put(`f${i}.txt`, `file ${i}`)
    await applyOk(pair, await planNow(pair))
    for (let i = 0; i < 6; i++) await pair.source.put(`g${i}.txt`, `new ${i}`)
    await pair.destination.put('x.txt', 'only on destination')
    const older = await planNow(pair, { mode: 'source-to-destination' })
    const newer = await planNow(pair, { mode: 'source-backup' })
    // The newer apply is stopped (Ctrl-C) after two actions: its progress is saved, its journal kept.
    const stop = new AbortController()
    let done = 0
    const stopped = await applyPair({
      plan: newer,
      sides: sidesOf(pair),
      stateFile: stateFileOf(pair),
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'action' && ++done >= 2) stop.abort()
      },
    })()
    expect(stopped).toMatchObject({ _tag: 'Right', right: { notStarted: newer.actions.length - 2 } })
    const before = await everything(pair)
    expect(before.beside).toContain('state.json.journal')

    const applied = await apply(pair, older)

    expectStale(applied)
    expect(await everything(pair)).toEqual(before)
    const resumed = await apply(pair, newer)
    expect(resumed, 'the newer plan, run again').toMatchObject({ _tag: 'Right', right: { notStarted: 0 } })
    expect((await readTree(pair.destination.storage.root))['x.txt']).toBe('only on destination')
    expect((await readTree(pair.destination.storage.root))['g5.txt']).toBe('new 5')
  })
})
