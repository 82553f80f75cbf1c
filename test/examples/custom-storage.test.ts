import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/custom-storage', () => {
  it('syncs through a logging wrapper: writes on the first sync, none on the second', () => {
    const run = runExample('custom-storage')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toContain('== first sync: 3 actions applied')
    for (const line of ['  mkdir letters', '  stage cv.md', '  commit cv.md', '  commit letters/bank.txt'])
      expect(run.stdout).toContain(`${line}\n`)
    expect(run.stdout).toMatch(/== second sync, nothing changed: 0 actions applied\n.*, 0 of them writes:/)
    expect(run.stdout).toContain('contents match: true')
  })
})
