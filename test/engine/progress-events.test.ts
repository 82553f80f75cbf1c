import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { MODES, type Mode } from '../../src/core/policy.ts'
import type { ProgressEvent } from '../../src/core/progress-event.ts'
import { createSyncEngine } from '../../src/pair/engine.ts'
import { memoryStorage } from '../../src/storage/memory.ts'
import { tempDir } from '../support/sides.ts'
import { throttled } from './throttled.ts'

const KiB = 1024

/** A pair where every mode has something to move both ways: distinct files on each side, in folders. */
const pairFor = () => {
  const source = memoryStorage({ root: 'memory:/source' })
  const destination = memoryStorage({ root: 'memory:/destination' })
  source.put('docs/a.txt', 'a'.repeat(3 * KiB), { mtimeMs: 1_700_000_000_000 })
  source.put('docs/b.txt', 'b'.repeat(5 * KiB), { mtimeMs: 1_700_000_000_000 })
  source.put('top.txt', 't'.repeat(1 * KiB), { mtimeMs: 1_700_000_000_000 })
  destination.put('music/song.mp3', 's'.repeat(7 * KiB), { mtimeMs: 1_700_000_000_000 })
  destination.put('music/other.mp3', 'o'.repeat(2 * KiB), { mtimeMs: 1_700_000_000_000 })
  return { source, destination }
}

const byType = (events: ReadonlyArray<ProgressEvent>, type: string) => events.filter((e) => e.type === type)

describe.each(MODES)('the progress events of an apply in %s', (mode: Mode) => {
  it('come in order, count every byte moved, and end at 100%', async () => {
    const events: ProgressEvent[] = []
    const engine = createSyncEngine({ onProgress: (e) => events.push(e), transfers: 3 })
    const { source, destination } = pairFor()
    const stateFile = join(await tempDir(), 'state.json')
    // A mirror replaces every file of its target here: the delete guard (tested on its own) is off.
    const result = await engine.syncPair({
      source,
      destination,
      stateFile,
      policy: { mode, allowMassDelete: true },
    })()
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
    const applyEvents = events.filter((e) => e.type !== 'scan-start' && e.type !== 'scan-complete')

    // Scans first, per folder, then the run from sync-start to sync-complete.
    expect(events[0]?.type).toBe('scan-start')
    expect(applyEvents[0]?.type).toBe('sync-start')
    const last = applyEvents.at(-1)
    if (last?.type !== 'sync-complete') throw new Error(`last event is ${last?.type}`)
    expect(last.overall.filesDone).toBe(last.overall.filesTotal)
    expect(last.overall.bytesDone).toBe(last.overall.bytesTotal)
    expect(last.etaSeconds).toBe(0)

    // The bytes counted are the bytes the plan moved, per direction.
    const moved = { upload: 0, download: 0 }
    for (const a of result.right.plan.actions)
      if (a.kind === 'copy' && a.entry.kind === 'file') moved[a.direction] += a.entry.size
    expect(last.upload.bytesUploaded).toBe(moved.upload)
    expect(last.download.bytesDownloaded).toBe(moved.download)
    expect(last.overall.bytesTotal).toBe(moved.upload + moved.download)
    expect(moved.upload + moved.download).toBeGreaterThan(0)

    // Each file: start, then progress, then complete; each batch opens before and closes after its files.
    for (const direction of ['upload', 'download'] as const) {
      const files = result.right.plan.actions.filter((a) => a.kind === 'copy' && a.direction === direction)
      for (const file of files) {
        if (file.kind !== 'copy') continue
        const mine = applyEvents.filter(
          (e) => 'path' in e && e.path === file.path && e.type.startsWith(direction),
        )
        expect(mine.map((e) => e.type.replace(`${direction}-file-`, ''))).toEqual([
          'start',
          ...mine.filter((e) => e.type.endsWith('progress')).map(() => 'progress'),
          'complete',
        ])
      }
      const starts = byType(applyEvents, `${direction}-batch-start`).length
      expect(byType(applyEvents, `${direction}-batch-complete`).length).toBe(starts)
      if (files.length > 0) expect(starts).toBeGreaterThan(0)
    }
    // Upload events name their counts as uploads, download events as downloads.
    for (const e of applyEvents) {
      if (e.type.startsWith('upload-')) expect(Object.keys(e)).toContain('upload')
      if (e.type.startsWith('upload-')) expect(Object.keys(e)).not.toContain('download')
      if (e.type.startsWith('download-')) expect(Object.keys(e)).not.toContain('upload')
    }
    // Counts never go backwards.
    let done = 0
    for (const e of applyEvents) {
      if (!('overall' in e)) continue
      expect(e.overall.bytesDone).toBeGreaterThanOrEqual(done)
      done = e.overall.bytesDone
    }
  })
})

describe('speed and ETA', () => {
  it('on a throttled storage, are present, near the real rate, and the ETA falls as the run goes', async () => {
    const rate = 200 * KiB
    const source = memoryStorage({ root: 'memory:/source' })
    for (let i = 0; i < 4; i++) source.put(`f${i}.bin`, 'x'.repeat(50 * KiB), { mtimeMs: 1_700_000_000_000 })
    const destination = memoryStorage({ root: 'memory:/destination' })
    const events: ProgressEvent[] = []
    const engine = createSyncEngine({ onProgress: (e) => events.push(e), transfers: 1 })
    const stateFile = join(await tempDir(), 'state.json')
    const result = await engine.syncPair({ source: throttled(source, rate), destination, stateFile })()
    expect(E.isRight(result)).toBe(true)

    const progress = events.filter((e) => e.type === 'upload-file-progress')
    const later = progress.filter((e) => 'elapsedMs' in e && e.elapsedMs > 300)
    expect(later.length).toBeGreaterThan(5)
    for (const e of later) {
      if (!('bytesPerSecond' in e)) continue
      expect(e.bytesPerSecond).toBeGreaterThan(rate / 4)
      expect(e.bytesPerSecond).toBeLessThan(rate * 4)
      expect(e.etaSeconds).not.toBeNull()
    }
    const etas = later.map((e) => ('etaSeconds' in e ? (e.etaSeconds ?? 0) : 0))
    expect(etas.at(-1)).toBeLessThan(etas[0] ?? 0)
  })
})
