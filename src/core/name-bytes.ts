/**
 * Names are bytes. Most are UTF-8, and are what they say; a name that is not (`caf\xe9.txt`, written by an
 * old tool or another OS) must still be synced byte for byte, as rsync does, and be written into plans,
 * state and JSON, which hold only valid Unicode. So each byte that is not part of valid UTF-8 becomes one
 * code point of a private range, U+10FF00 + (byte − 0x80): reversible, unambiguous, and valid UTF-8 itself.
 * A name that really holds one of those code points has its bytes escaped the same way, so every string
 * decodes to exactly one byte sequence and back.
 */

const ESCAPE_FIRST = 0x10ff00
const ESCAPE_LAST = 0x10ff7f
const ESCAPES = /[\u{10FF00}-\u{10FF7F}]/u

/** Whether a name holds escaped bytes (the common case, plain UTF-8, does not). */
export const hasEscapedBytes = (name: string): boolean => ESCAPES.test(name)

/** The raw byte an escape code point stands for, or undefined for any other code point. */
export const escapedByte = (codePoint: number): number | undefined =>
  codePoint >= ESCAPE_FIRST && codePoint <= ESCAPE_LAST ? codePoint - ESCAPE_FIRST + 0x80 : undefined

const escapeByte = (byte: number): string => String.fromCodePoint(ESCAPE_FIRST + byte - 0x80)

/** The code point of the valid UTF-8 sequence at `at`, with its length; undefined where it is not valid. */
const decodeAt = (
  bytes: Uint8Array,
  at: number,
): { readonly code: number; readonly length: number } | undefined => {
  const b0 = bytes[at] as number
  if (b0 < 0x80) return { code: b0, length: 1 }
  const length =
    b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0
  if (length === 0 || at + length > bytes.length) return undefined
  let code = b0 & (length === 2 ? 0x1f : length === 3 ? 0x0f : 0x07)
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i] as number
    if ((b & 0xc0) !== 0x80) return undefined
    code = (code << 6) | (b & 0x3f)
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
  const least = length === 2 ? 0x80 : length === 3 ? 0x800 : 0x10000
  if (code < least || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return undefined
  return { code, length }
}

/** A name's bytes as a string: valid UTF-8 as itself, every other byte escaped. */
export const nameFromBytes = (bytes: Uint8Array): string => {
  let out = ''
  for (let at = 0; at < bytes.length; ) {
    const decoded = decodeAt(bytes, at)
    if (decoded === undefined || escapedByte(decoded.code) !== undefined) {
      // Not valid here, or valid but one of the escape code points: escape its bytes one by one.
      const length = decoded?.length ?? 1
      for (let i = 0; i < length; i++) out += escapeByte(bytes[at + i] as number)
      at += length
    } else {
      out += String.fromCodePoint(decoded.code)
      at += decoded.length
    }
  }
  return out
}

const encoder = new TextEncoder()

/** The bytes a name stands for: the inverse of `nameFromBytes`. */
export const bytesOfName = (name: string): Uint8Array => {
  if (!hasEscapedBytes(name)) return encoder.encode(name)
  const out: number[] = []
  for (const char of name) {
    const code = char.codePointAt(0) as number
    const byte = escapedByte(code)
    if (byte !== undefined) out.push(byte)
    else out.push(...encoder.encode(char))
  }
  return Uint8Array.from(out)
}

/**
 * Whether a string is the one way of writing its bytes. Escapes that spell valid UTF-8 (`\xc3\xa9` for
 * `é`) are not: accepted, they would give one file two names in a plan.
 */
export const isCanonicalName = (name: string): boolean =>
  !hasEscapedBytes(name) || nameFromBytes(bytesOfName(name)) === name
