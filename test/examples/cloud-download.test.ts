import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/cloud-download', () => {
  it('downloads the remote folder into a new local folder, then follows its changes', () => {
    const run = runExample('cloud-download')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toContain('Plan: 0 to upload, 5 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(run.stdout).toContain('downloaded 44 bytes; 5 actions applied')
    expect(run.stdout).toContain('local folder: 2025/q4.pdf, 2026/q1.pdf, README.txt')
    expect(run.stdout).toMatch(/- delete on source\s+README\.txt/)
    expect(run.stdout).toMatch(/~ download\s+2026\/q1\.pdf/)
    expect(run.stdout).toContain('local folder: 2025/q4.pdf, 2026/q1.pdf\n')
  })
})
