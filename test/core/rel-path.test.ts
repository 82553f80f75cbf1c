import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { ancestorsOf, comparePaths, isWithin, parentOf, RelPath, relPath } from '../../src/core/rel-path.ts'

describe('relative paths', () => {
  it.each([
    ['a', true],
    ['a/b c/d.txt', true],
    ['é/日本.txt', true],
    ['.hidden/x', true],
    ['', false],
    ['/etc/passwd', false],
    ['../x', false],
    ['a/../../x', false],
    ['a//b', false],
    ['a/./b', false],
    ['a/', false],
    ['a\0b', false],
    ['C:/Windows', true],
    ['x:y', true],
    ['Q:A notes.md', true],
    ['...', true],
    ['a/..b/.c', true],
    ['..', false],
    ['.', false],
    ['a/..', false],
    ['a/.', false],
    ['./a', false],
    ['/', false],
  ])('%j is valid: %s', (path, valid) => {
    expect(E.isRight(relPath(path))).toBe(valid)
    expect(RelPath.is(path)).toBe(valid)
  })

  it('says why a path is refused', () => {
    expect(relPath('a/../../x')).toEqual(
      E.left({ _tag: 'InvalidPath', path: 'a/../../x', why: 'has a ".." segment' }),
    )
  })

  it('sorts a folder right before what it holds', () => {
    const paths = ['a-b', 'a/x', 'a', 'a/x/y', 'B', 'a.txt']
    expect([...paths].sort(comparePaths)).toEqual(['B', 'a', 'a/x', 'a/x/y', 'a-b', 'a.txt'])
  })

  it('knows parents, ancestors and containment', () => {
    const p = 'a/b/c' as RelPath
    expect(parentOf(p)).toBe('a/b')
    expect(parentOf('a' as RelPath)).toBe('')
    expect(ancestorsOf(p)).toEqual(['a', 'a/b'])
    expect(isWithin(p, 'a' as RelPath)).toBe(true)
    expect(isWithin('ab/c' as RelPath, 'a' as RelPath)).toBe(false)
    expect(isWithin('a' as RelPath, 'a' as RelPath)).toBe(false)
  })
})
