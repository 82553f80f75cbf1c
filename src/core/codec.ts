import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/** A JSON object decoded into a ReadonlyMap whose keys pass `key` (encoded back with sorted keys). */
export const mapFromRecord = <K extends string, C extends t.Mixed>(
  key: t.Type<K, string, unknown>,
  value: C,
  name: string,
): t.Type<ReadonlyMap<K, t.TypeOf<C>>, Record<string, t.OutputOf<C>>, unknown> =>
  new t.Type<ReadonlyMap<K, t.TypeOf<C>>, Record<string, t.OutputOf<C>>, unknown>(
    name,
    (u): u is ReadonlyMap<K, t.TypeOf<C>> => u instanceof Map,
    (u, context) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, context)
      const out = new Map<K, t.TypeOf<C>>()
      const errors: t.Errors = []
      for (const [k, v] of Object.entries(u)) {
        const decodedKey = key.validate(k, t.appendContext(context, k, key, k))
        if (E.isLeft(decodedKey)) {
          errors.push(...decodedKey.left)
          continue
        }
        const decodedValue = value.validate(v, t.appendContext(context, k, value, v))
        if (E.isLeft(decodedValue)) errors.push(...decodedValue.left)
        else out.set(decodedKey.right, decodedValue.right)
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out)
    },
    (m) => {
      const out: Record<string, t.OutputOf<C>> = {}
      // Defined, not assigned: a file named `__proto__` is a key like any other, not the object's prototype.
      for (const k of [...m.keys()].sort())
        Object.defineProperty(out, k, {
          value: value.encode(m.get(k)),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      return out
    },
  )

/**
 * A union discriminated by `tag`: the tag picks the member before anything else is checked, so an error
 * names the one field that is wrong instead of listing how the value fails every member.
 */
export const taggedUnion = <K extends string, M extends Record<string, t.Mixed>>(
  tag: K,
  members: M,
  name: string,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> => {
  const tags = Object.keys(members)
  const tagType = t.keyof(
    Object.fromEntries(tags.map((k) => [k, null])) as Record<string, null>,
    tags.join(' | '),
  )
  return new t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown>(
    name,
    (u): u is t.TypeOf<M[keyof M]> => tags.some((k) => members[k]?.is(u) === true),
    (u, context) => {
      if (typeof u !== 'object' || u === null) return t.failure(u, context)
      const value = (u as Record<string, unknown>)[tag]
      const member = typeof value === 'string' && Object.hasOwn(members, value) ? members[value] : undefined
      if (member === undefined) return t.failure(value, t.appendContext(context, tag, tagType, value))
      return member.validate(u, t.appendContext(context, '', member, u))
    },
    (a) => {
      const member = members[(a as Record<string, string>)[tag] ?? '']
      return member === undefined ? a : member.encode(a)
    },
  )
}

const INDEXED = new Set(['ArrayType', 'ReadonlyArrayType', 'TupleType'])
const TRANSPARENT = new Set(['IntersectionType', 'UnionType'])

/** `actions[3].entry.size`: field names and indexes, without the members of unions and intersections. */
const pathOf = (context: t.Context): string => {
  let out = ''
  for (let i = 1; i < context.length; i++) {
    const parent = (context[i - 1]?.type as { _tag?: string } | undefined)?._tag ?? ''
    const key = context[i]?.key ?? ''
    if (key === '' || TRANSPARENT.has(parent)) continue
    out = INDEXED.has(parent) ? `${out}[${key}]` : out === '' ? key : `${out}.${key}`
  }
  return out
}

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/**
 * io-ts errors as lines a person can act on: where in the document (`actions[3].path`), what was expected
 * and what was found.
 */
export const describeErrors = (errors: t.Errors, limit = 5): ReadonlyArray<string> => {
  const lines = new Map<string, string>()
  for (const error of errors) {
    const at = pathOf(error.context)
    // A union fails once per member; the first says enough about that place.
    if (lines.has(at)) continue
    const expected = nameOf(error.context[error.context.length - 1]?.type.name ?? 'a value')
    const where = at === '' ? 'the document' : at
    lines.set(at, error.message ?? `${where}: expected ${expected}, found ${show(error.value)}`)
    if (lines.size >= limit) break
  }
  return [...lines.values()]
}

/** io-ts names an object type by its whole structure; past a line that helps nobody. */
const nameOf = (name: string): string => {
  if (name.length <= 60) return name
  if (name.startsWith('{') || name.startsWith('(')) return 'an object'
  if (name.startsWith('ReadonlyArray<') || name.startsWith('Array<')) return 'a list'
  return `${name.slice(0, 57)}...`
}
