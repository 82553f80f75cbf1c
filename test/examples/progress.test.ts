import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/progress', () => {
  it('prints a line per finished action, counting up to the total and to every byte', () => {
    const run = runExample('progress')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toContain('plan: 9 actions, 820.6 KiB to transfer')
    const lines = run.stdout.split('\n').filter((line) => /^\[\d+\/9\]/.test(line))
    expect(lines.map((line) => line.slice(0, line.indexOf(']') + 1))).toEqual(
      Array.from({ length: 9 }, (_, i) => `[${i + 1}/9]`),
    )
    expect(lines.filter((line) => line.includes('+ upload 2026-01/IMG_00'))).toHaveLength(6)
    expect(lines.at(-1)).toContain('820.6 KiB of 820.6 KiB (100%)')
    expect(run.stdout).toContain('done: 9 applied, 0 already done, 0 skipped, 0 failed')
  })
})
