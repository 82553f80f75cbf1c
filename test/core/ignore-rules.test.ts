import { describe, expect, it } from 'vitest'
import { matcherOf, patternsOf, rebase, scopeOf } from '../../src/core/ignore-rules.ts'
import type { RelPath } from '../../src/core/rel-path.ts'

const p = (s: string) => s as RelPath

describe('ignore rules', () => {
  it.each([
    ['*.log', '', '*.log'],
    ['*.log', 'a', 'a/**/*.log'],
    ['/build', 'a', 'a/build'],
    ['x/y', 'a/b', 'a/b/x/y'],
    ['cache/', 'a', 'a/**/cache/'],
    ['!keep.log', 'a', '!a/**/keep.log'],
    ['# comment', 'a', undefined],
    ['   ', 'a', undefined],
  ])('rebases %j from folder %j to %j', (line, base, expected) => {
    expect(rebase(line, base)).toBe(expected)
  })

  it('gives deeper files precedence, and command-line patterns the last word', () => {
    const patterns = patternsOf({ files: { '': '*.log\n', sub: '!a.log\n' }, patterns: ['sub/b.log'] })
    const ignored = matcherOf(patterns)
    expect(ignored(p('x.log'), false)).toBe(true)
    expect(ignored(p('sub/a.log'), false)).toBe(false)
    expect(ignored(p('sub/b.log'), false)).toBe(true)
    expect(ignored(p('other/a.log'), false)).toBe(true)
  })

  it('a pattern ending in / matches folders only, and everything below them', () => {
    const ignored = matcherOf(['build/'])
    expect(ignored(p('build'), true)).toBe(true)
    expect(ignored(p('build'), false)).toBe(false)
    expect(ignored(p('build/x/y.js'), false)).toBe(true)
  })

  it('is case-sensitive, the same on every machine', () => {
    expect(matcherOf(['*.LOG'])(p('a.log'), false)).toBe(false)
  })

  it('a scope excludes what either side ignores and includes what --include matches', () => {
    const scope = scopeOf(
      { files: { '': 'a.txt' }, patterns: [] },
      { files: { '': 'b.txt' }, patterns: [] },
      ['docs/'],
    )
    expect(scope.excluded(p('a.txt'), false)).toBe(true)
    expect(scope.excluded(p('b.txt'), false)).toBe(true)
    expect(scope.excluded(p('c.txt'), false)).toBe(false)
    expect(scope.included(p('docs/x.md'), false)).toBe(true)
    expect(scope.included(p('src/x.md'), false)).toBe(false)
  })
})
