import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { showNaming, showPath, showText } from '../../src/core/show-path.ts'

/** How a name reaches a person: as it is when plain, else quoted so that nothing in it can pass for something else. */

/** A raw byte that is not UTF-8, as the storages spell it in a name: U+10FF00 + (byte − 0x80). */
const rawByte = (byte: number): string => String.fromCodePoint(0x10ff00 + byte - 0x80)

/** Control, format and separator characters, DEL, C1, lone surrogates, and raw bytes: none may print raw. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u{10ff00}-\u{10ff7f}]/u

describe('showPath', () => {
  it.each(['notes.txt', 'photos/2026/IMG 0001.jpg', 'Q:A notes.md', 'x:y', 'é/日本.txt', '-rf', 'a$b'])(
    'prints the plain name %j as it is',
    (name) => {
      expect(showPath(name)).toBe(name)
    },
  )

  it.each([
    ['n.txt\n  + upload harmless', "$'n.txt\\n  + upload harmless'"],
    ['tab\there', "$'tab\\there'"],
    ['\u001b[31mred', "$'\\e[31mred'"],
    ['bell\u0007', "$'bell\\x07'"],
    ['del\u007f', "$'del\\x7f'"],
    ['c1\u009b2J', "$'c1\\u009b2J'"],
    ['evil\u202egnp.exe', "$'evil\\u202egnp.exe'"],
    ['zero\u200bwidth', "$'zero\\u200bwidth'"],
    ['bom\ufeff', "$'bom\\ufeff'"],
    ['isolate\u2066x\u2069', "$'isolate\\u2066x\\u2069'"],
    ['line\u2028sep', "$'line\\u2028sep'"],
    ['back\\slash', "$'back\\\\slash'"],
    ["it's", "$'it\\'s'"],
    ['say "hi"', `$'say "hi"'`],
    [' leading', "$' leading'"],
    ['trailing ', "$'trailing '"],
    ['a → b', "$'a → b'"],
    ['a -> b', "$'a -> b'"],
    [`caf${rawByte(0xe9)}.txt`, "$'caf\\xe9.txt'"],
    [`${rawByte(0x80)}${rawByte(0xff)}`, "$'\\x80\\xff'"],
    ['lone\ud800', "$'lone\\ud800'"],
    ['tag\u{e0041}', "$'tag\\U000e0041'"],
  ])('quotes %j as %s', (name, shown) => {
    expect(showPath(name)).toBe(shown)
  })

  it('never lets an unsafe character through, and a quoted name holds no bare quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const shown = showPath(name)
        expect(shown).not.toMatch(UNSAFE)
        if (shown !== name) expect(shown.slice(2, -1)).not.toMatch(/(^|[^\\])(\\\\)*'/)
      }),
      { numRuns: 2000 },
    )
  })

  it('gives names that differ different spellings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        if (a !== b) expect(showPath(a)).not.toBe(showPath(b))
      }),
      { numRuns: 2000 },
    )
  })

  it.each(['n.txt\n  + upload harmless', '\u001b[31mred', "it's a \\ test", ' spaced ', 'bell\u0007'])(
    'prints %j so that bash reads back the same name',
    (name) => {
      const read = execFileSync('bash', ['-c', `printf '%s' ${showPath(name)}`], { encoding: 'utf8' })
      expect(read).toBe(name)
    },
  )

  it('prints a raw byte so that bash reads back that byte', () => {
    const read = execFileSync('bash', ['-c', `printf '%s' ${showPath(`caf${rawByte(0xe9)}.txt`)}`])
    expect([...read]).toEqual([...Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74])])
  })
})

describe('showText and showNaming', () => {
  it('escape control characters in free text without quoting it', () => {
    expect(showText('line one\nline two\u001b[2J')).toBe('line one\\nline two\\e[2J')
    expect(showText("plain text, with 'quotes'")).toBe("plain text, with 'quotes'")
  })

  it('show the paths a reason names as paths, and the rest as text', () => {
    const from = 'old\nname'
    const to = 'new name'
    expect(showNaming(`renamed on source: ${from} → ${to}`, [from, to])).toBe(
      "renamed on source: $'old\\nname' → new name",
    )
    expect(showNaming('conflict: the source version of  x', [' x'])).toBe(
      "conflict: the source version of $' x'",
    )
    expect(showNaming('changed on source since last sync', [' since'])).toBe(
      'changed on source since last sync',
    )
  })
})
