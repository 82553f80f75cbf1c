import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/two-way', () => {
  it('syncs both ways, keeps both versions of a conflict, and ends with an empty plan', () => {
    const run = runExample('two-way')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toContain('Plan: 3 to upload, 1 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(run.stdout).toMatch(/~ download\s+house\.txt/)
    expect(run.stdout).toMatch(/~ upload\s+report\.txt/)
    expect(run.stdout).toMatch(/! conflict\s+notes\/todo\.md/)
    expect(run.stdout).toContain(
      'nas:    house.txt, notes/todo.conflict-source-20260101-002000.md, notes/todo.md, report.txt',
    )
    expect(run.stdout).toContain('No changes. Source and destination are in sync.')
    expect(run.stdout).toContain('todo.md now reads: "- book the dentist\\n- water the plants\\n"')
  })
})
