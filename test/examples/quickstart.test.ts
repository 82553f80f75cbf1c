import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readTree } from '../support/sides.ts'

const root = join(import.meta.dirname, '..', '..')

describe('examples/quickstart', () => {
  it('plans, applies, syncs an edit on each side, and ends in sync', () => {
    const run = spawnSync('bash', ['examples/quickstart/run.sh'], { cwd: root, encoding: 'utf8' })
    expect(run.stderr).not.toMatch(/error:/)
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('Plan: 5 to upload, 3 to download, 0 to move, 0 to delete, 0 conflicts.')
    expect(run.stdout).toContain('No changes. Source and destination are in sync.')
  })

  it('leaves both folders with the same files, and never syncs ignored ones', async () => {
    const work = join(root, 'examples', 'quickstart', 'work')
    const run = spawnSync('bash', ['examples/quickstart/run.sh'], { cwd: root, encoding: 'utf8' })
    expect(run.status).toBe(0)
    const laptop = await readTree(join(work, 'laptop'))
    const nas = await readTree(join(work, 'nas'))
    const { '.syncignore': rules, 'scratch.tmp': scratch, ...synced } = laptop
    expect(rules).toBe('*.tmp\n')
    expect(scratch).toBeDefined()
    expect(nas).toEqual(synced)
    expect(nas['notes/todo.md']).toContain('Book the dentist')
    expect(laptop['house.txt']).toContain('visitors')
  })
})
