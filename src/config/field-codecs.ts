import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/**
 * The codecs a config file's fields are written with, named for what a person should have written: an
 * error reads `pairs.photos.mode: expected one of two-way, …, found "sideways"`. The settings table
 * (src/pair/settings.ts) picks one for each setting.
 */

export const oneOf = <K extends string>(values: ReadonlyArray<K>) =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<K, null>, `one of ${values.join(', ')}`)

export const text = (name: string) => new t.Type<string>(name, t.string.is, t.string.validate, t.identity)

export const flag = new t.Type<boolean>('true or false', t.boolean.is, t.boolean.validate, t.identity)

export const wholeNumber = (least: number, name: string, most = Number.MAX_SAFE_INTEGER) =>
  t.refinement(t.number, (n) => Number.isInteger(n) && n >= least && n <= most, name)

export const patterns = t.readonlyArray(
  text('a gitignore pattern (a string)'),
  'a list of gitignore patterns',
)

/** `--max-delete` in the file: a number of files, or a percentage as a string. */
export const DeleteLimitText = new t.Type<string, string | number>(
  'a number of files, or a percentage like "50%"',
  (u): u is string => typeof u === 'string',
  (u, context) => {
    if (typeof u === 'number' && Number.isInteger(u) && u >= 0) return t.success(String(u))
    if (
      typeof u === 'string' &&
      /^\d+%?$/.test(u.trim()) &&
      !(u.endsWith('%') && Number.parseInt(u, 10) > 100)
    )
      return t.success(u.trim())
    return t.failure(u, context)
  },
  t.identity,
)

/** Edits (insert, delete, replace) from `a` to `b`. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (const [i, ca] of [...a].entries()) {
    const next = [i + 1]
    for (const [j, cb] of [...b].entries())
      next.push(Math.min((row[j + 1] ?? 0) + 1, (next[j] ?? 0) + 1, (row[j] ?? 0) + (ca === cb ? 0 : 1)))
    row = next
  }
  return row[b.length] ?? 0
}

export const unknownField = (key: string, known: ReadonlyArray<string>): string => {
  const near = known.find((k) => distance(key.toLowerCase(), k.toLowerCase()) <= 2)
  return near === undefined
    ? `unknown field (the fields are ${known.join(', ')})`
    : `unknown field; did you mean ${near}?`
}

/**
 * An object with the given fields and no others: a misspelt field (`destinaton`) is an error naming it,
 * not a setting silently left at its default.
 */
export const fields = <R extends t.Props, O extends t.Props>(required: R, optional: O, name: string) => {
  const known = [...Object.keys(required), ...Object.keys(optional)]
  const base = t.intersection([t.type(required), t.partial(optional)])
  return new t.Type<t.TypeOf<typeof base>, t.OutputOf<typeof base>, unknown>(
    name,
    base.is,
    (u, context) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, context)
      const unknown: t.Errors = Object.keys(u)
        .filter((key) => !known.includes(key))
        .map((key) => ({
          value: (u as Record<string, unknown>)[key],
          context: [...context, { key, type: base, actual: u }],
          message: unknownField(key, known),
        }))
      const decoded = base.validate(u, t.appendContext(context, '', base, u))
      if (E.isLeft(decoded)) return t.failures([...unknown, ...decoded.left])
      return unknown.length > 0 ? t.failures(unknown) : decoded
    },
    base.encode,
  )
}
