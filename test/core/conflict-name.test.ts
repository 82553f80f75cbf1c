import { describe, expect, it } from 'vitest'
import { file, symlink } from '../../src/core/entry.ts'
import { conflictName } from '../../src/core/plan/conflict-name.ts'
import type { RelPath } from '../../src/core/rel-path.ts'

const at = Date.UTC(2026, 10, 25, 15, 36, 12)

describe('conflict names', () => {
  it('say which side and when, keeping the extension', () => {
    expect(conflictName('docs/report.txt' as RelPath, 'destination', file(1, at), () => false)).toBe(
      'docs/report.conflict-destination-20261125-153612.txt',
    )
  })

  it('work for names without an extension and for dotfiles', () => {
    expect(conflictName('Makefile' as RelPath, 'source', file(1, at), () => false)).toBe(
      'Makefile.conflict-source-20261125-153612',
    )
    expect(conflictName('.env' as RelPath, 'source', file(1, at), () => false)).toBe(
      '.env.conflict-source-20261125-153612',
    )
  })

  it('skip names already taken', () => {
    const taken = new Set([
      'a.conflict-source-20261125-153612.txt',
      'a.conflict-source-20261125-153612-2.txt',
    ])
    expect(conflictName('a.txt' as RelPath, 'source', file(1, at), (c) => taken.has(c))).toBe(
      'a.conflict-source-20261125-153612-3.txt',
    )
  })

  it('leave out the time for entries without one', () => {
    expect(conflictName('link' as RelPath, 'destination', symlink('x'), () => false)).toBe(
      'link.conflict-destination',
    )
    expect(conflictName('f' as RelPath, 'source', file(1, Number.NaN), () => false)).toBe('f.conflict-source')
  })
})
