/**
 * JSON with object keys sorted at every depth and two-space indentation: the same value always gives the
 * same text, so plans diff cleanly in review and hash to a stable digest.
 */
export const canonicalJson = (value: unknown): string =>
  `${jsonForPeople(JSON.stringify(sortKeys(value), null, 2))}\n`

/**
 * JSON escapes C0 controls but leaves DEL, C1, format and bidi controls and line separators raw; a name
 * holding one would still reach the terminal of whoever prints the file. Escaped as `\uNNNN`, they
 * decode to the same value.
 */
const UNSEEN = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu

/** JSON text with every character a terminal would act on or hide written as `\uNNNN`. */
export const jsonForPeople = (json: string): string =>
  json.replace(UNSEEN, (char) =>
    [...Array(char.length).keys()]
      .map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`)
      .join(''),
  )

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}
