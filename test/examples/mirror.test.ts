import { describe, expect, it } from 'vitest'
import { outputOf, runExample } from './run-example.ts'

describe('examples/mirror', () => {
  it('makes the server a copy of the site: deletes its extras, keeps its ignored logs', () => {
    const run = runExample('mirror')
    expect(run.status, outputOf(run)).toBe(0)
    expect(run.stdout).toMatch(/- delete on destination\s+old-page\.html/)
    expect(run.stdout).toMatch(/~ upload\s+index\.html/)
    expect(run.stdout).not.toMatch(/^ +[-+~!→] .*access\.log/m)
    expect(run.stdout).toContain('server: blog/first-post.html, index.html, logs/access.log')
  })
})
