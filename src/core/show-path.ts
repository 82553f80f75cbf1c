/**
 * Names as a person reads them, unambiguously: a plain printable name as it is, anything else quoted the
 * way `ls --quoting-style=shell-escape` and bash's `$'…'` do, so no name can draw a fake line, move the
 * cursor, reorder text or hide a character, and what is printed can be pasted back into a shell.
 */

/**
 * The storages spell a byte that is not part of valid UTF-8 (0x80–0xFF) as one code point in
 * U+10FF00–U+10FF7F: U+10FF00 + (byte − 0x80). Those are printed as the byte they stand for.
 */
const RAW_BYTE_FIRST = 0x10ff00
const RAW_BYTE_LAST = 0x10ff7f

/**
 * Control characters (C0, DEL, C1), format characters (zero-width and bidi controls, U+FEFF…), line and
 * paragraph separators, and lone surrogates: each would print as nothing, or as something else.
 */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u

const isRawByte = (codePoint: number): boolean => codePoint >= RAW_BYTE_FIRST && codePoint <= RAW_BYTE_LAST

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0')

const isUnseen = (char: string, codePoint: number): boolean => isRawByte(codePoint) || UNSEEN.test(char)

/** One character as it is written inside `$'…'`. */
const escaped = (char: string): string => {
  const codePoint = char.codePointAt(0) ?? 0
  if (char === '\\') return '\\\\'
  if (char === "'") return "\\'"
  if (char === '\n') return '\\n'
  if (char === '\t') return '\\t'
  if (char === '\u001b') return '\\e'
  if (isRawByte(codePoint)) return `\\x${hex(codePoint - RAW_BYTE_FIRST + 0x80, 2)}`
  if (!UNSEEN.test(char)) return char
  // In `$'…'`, `\xNN` is a byte: below 0x80 that is the character itself; above, `\u` names the character.
  if (codePoint < 0x80) return `\\x${hex(codePoint, 2)}`
  return codePoint > 0xffff ? `\\U${hex(codePoint, 8)}` : `\\u${hex(codePoint, 4)}`
}

/** The separators a plan line puts between two names (a move, a symlink's target). */
const SEPARATORS = [' → ', ' -> ']

const needsQuotes = (name: string): boolean => {
  if (/^\s|\s$/u.test(name)) return true
  if (SEPARATORS.some((s) => name.includes(s))) return true
  for (const char of name) {
    if (char === '\\' || char === "'" || char === '"') return true
    if (isUnseen(char, char.codePointAt(0) ?? 0)) return true
  }
  return false
}

/**
 * A path or a name as a person sees it: as it is when it is plain and printable; otherwise quoted as
 * `$'…'` with `\n`, `\t`, `\e`, `\xNN` (a control character, or a byte that is not UTF-8), `\uNNNN`,
 * `\\` and `\'`. Leading or trailing white space, a quote, a backslash, or ` → ` inside a name quote it
 * too, so that where a name starts and ends is never in doubt.
 */
export const showPath = (path: string): string => {
  if (!needsQuotes(path)) return path
  let out = ''
  for (const char of path) out += escaped(char)
  return `$'${out}'`
}

/**
 * Free text (a reason, a message from the system) with every unseen character escaped as in `showPath`,
 * but nothing quoted: no control character reaches a terminal raw.
 */
export const showText = (text: string): string => {
  let out = ''
  for (const char of text) out += isUnseen(char, char.codePointAt(0) ?? 0) ? escaped(char) : char
  return out
}

const startsWord = (text: string, at: number): boolean => at === 0 || /\s|[(:]/u.test(text[at - 1] ?? '')

const endsWord = (text: string, at: number): boolean => at === text.length || /[\s,;:)]/u.test(text[at] ?? '')

/**
 * A text that names some of `paths` (a reason in a plan, an error about an action), with each of those
 * names shown as `showPath` shows it, and the rest as `showText` does.
 */
export const showNaming = (text: string, paths: ReadonlyArray<string>): string => {
  const quoted = [...new Set(paths)]
    .filter((p) => p !== '' && showPath(p) !== p)
    .sort((a, b) => b.length - a.length)
  if (quoted.length === 0) return showText(text)
  let out = ''
  let plain = ''
  let at = 0
  while (at < text.length) {
    const name = quoted.find(
      (p) => text.startsWith(p, at) && startsWord(text, at) && endsWord(text, at + p.length),
    )
    if (name === undefined) {
      plain += text[at]
      at++
      continue
    }
    out += showText(plain) + showPath(name)
    plain = ''
    at += name.length
  }
  return out + showText(plain)
}
