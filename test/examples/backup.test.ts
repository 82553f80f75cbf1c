import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/backup', () => {
  it('copies new and changed photos and keeps the one deleted on the source', () => {
    const run = runExample('backup')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toContain('Plan: 2 to upload, 0 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(run.stdout).toContain('photos:    2026/beach.jpg, 2026/dog.jpg, album.txt')
    expect(run.stdout).toContain('usb-drive: 2026/beach.jpg, 2026/cat.jpg, 2026/dog.jpg, album.txt')
    expect(run.stdout).toContain('the backup still holds 2026/cat.jpg: "a cat"')
  })
})
