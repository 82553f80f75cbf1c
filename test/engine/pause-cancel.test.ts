import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { ProgressEvent } from '../../src/core/progress-event.ts'
import { createSyncEngine } from '../../src/pair/engine.ts'
import { loadState } from '../../src/state/state-file.ts'
import { memoryStorage } from '../../src/storage/memory.ts'
import { tempDir } from '../support/sides.ts'
import { throttled } from './throttled.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const twentyFiles = () => {
  const source = memoryStorage({ root: 'memory:/source' })
  for (let i = 0; i < 20; i++)
    source.put(`f${String(i).padStart(2, '0')}.bin`, `${i}`.repeat(4096), { mtimeMs: 1_700_000_000_000 })
  return { source, destination: memoryStorage({ root: 'memory:/destination' }) }
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await sleep(5)
}

describe('pause, resume and cancel', () => {
  it('pause holds back new transfers until resume, and the run then completes', async () => {
    const { source, destination } = twentyFiles()
    const events: ProgressEvent[] = []
    const engine = createSyncEngine({ onProgress: (e) => events.push(e), transfers: 2 })
    const stateFile = join(await tempDir(), 'state.json')
    const running = engine.syncPair({ source: throttled(source, 200_000), destination, stateFile })()
    const completed = () => events.filter((e) => e.type === 'upload-file-complete').length
    await until(() => completed() >= 3)
    engine.pause()
    expect(engine.paused()).toBe(true)
    await sleep(150)
    const startsWhilePaused = events.filter((e) => e.type === 'upload-file-start').length
    await sleep(300)
    // Nothing new started during the pause (what was in flight may finish).
    expect(events.filter((e) => e.type === 'upload-file-start').length).toBe(startsWhilePaused)
    expect(startsWhilePaused).toBeLessThan(20)
    engine.resume()
    const result = await running
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
    expect(result.right.counts.uploads).toBe(20)
    expect(Object.keys(destination.files())).toHaveLength(20)
  })

  it('cancel stops mid-apply without the state claiming undone work, and the next sync completes with nothing lost', async () => {
    const { source, destination } = twentyFiles()
    const events: ProgressEvent[] = []
    const engine = createSyncEngine({ onProgress: (e) => events.push(e), transfers: 1 })
    const stateFile = join(await tempDir(), 'state.json')
    const running = engine.syncPair({ source: throttled(source, 200_000), destination, stateFile })()
    await until(() => events.filter((e) => e.type === 'upload-file-complete').length >= 5)
    engine.cancel()
    const cancelled = await running
    if (E.isLeft(cancelled)) throw new Error(JSON.stringify(cancelled.left))
    expect(cancelled.right.report.notStarted).toBeGreaterThan(0)
    expect(cancelled.right.cancelled).toBe(true)
    expect(cancelled.right.counts.skips).toBe(cancelled.right.report.notStarted)

    // Every path the state records is really on both sides, as recorded.
    const state = await loadState(stateFile, { source: source.root, destination: destination.root })()
    if (E.isLeft(state) || state.right === null) throw new Error('no state')
    for (const [path, [s, d]] of state.right.entries) {
      expect(source.entryAt(path)).toMatchObject({ kind: s.kind })
      expect(destination.entryAt(path)).toMatchObject({ kind: d.kind })
    }
    expect(state.right.entries.size).toBe(20 - cancelled.right.report.notStarted)

    // The engine is ready again at once: the next sync finishes the work.
    const again = await engine.syncPair({ source, destination, stateFile })()
    if (E.isLeft(again)) throw new Error(JSON.stringify(again.left))
    expect(again.right.counts.uploads).toBe(cancelled.right.report.notStarted)
    expect(destination.files()).toEqual(source.files())
  })

  it('downloadFolder and uploadFolder send files one way and never delete unless asked to mirror', async () => {
    const remote = memoryStorage({ root: 'memory:/remote' })
    remote.put('photos/cat.jpg', 'meow', { mtimeMs: 1_700_000_000_000 })
    const local = memoryStorage({ root: 'memory:/local' })
    local.put('mine.txt', 'keep me', { mtimeMs: 1_700_000_000_000 })
    const engine = createSyncEngine()
    const dir = await tempDir()
    const down = await engine.downloadFolder({ from: remote, to: local, stateFile: join(dir, 'down.json') })()
    if (E.isLeft(down)) throw new Error(JSON.stringify(down.left))
    expect(down.right.counts).toMatchObject({
      downloads: 1,
      uploads: 0,
      deletes: { source: 0, destination: 0 },
    })
    expect(local.readText('mine.txt')).toBe('keep me')
    expect(local.readText('photos/cat.jpg')).toBe('meow')

    const up = await engine.uploadFolder({ from: local, to: remote, stateFile: join(dir, 'up.json') })()
    if (E.isLeft(up)) throw new Error(JSON.stringify(up.left))
    expect(remote.readText('mine.txt')).toBe('keep me')
    expect(up.right.counts.deletes).toEqual({ source: 0, destination: 0 })
  })
})
