import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CONFLICT_STRATEGIES, MAX_MTIME_TOLERANCE_MS, MODES } from '../core/policy.ts'

/**
 * The shape of `syncengine.json`, as codecs whose names are what a person should have written: an error
 * reads `pairs.photos.mode: expected one of two-way, …, found "sideways"`.
 */

const oneOf = <K extends string>(values: ReadonlyArray<K>) =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<K, null>, `one of ${values.join(', ')}`)

const text = (name: string) => new t.Type<string>(name, t.string.is, t.string.validate, t.identity)

const flag = new t.Type<boolean>('true or false', t.boolean.is, t.boolean.validate, t.identity)

const wholeNumber = (least: number, name: string, most = Number.MAX_SAFE_INTEGER) =>
  t.refinement(t.number, (n) => Number.isInteger(n) && n >= least && n <= most, name)

const patterns = t.readonlyArray(text('a gitignore pattern (a string)'), 'a list of gitignore patterns')

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

const unknownField = (key: string, known: ReadonlyArray<string>): string => {
  const near = known.find((k) => distance(key.toLowerCase(), k.toLowerCase()) <= 2)
  return near === undefined
    ? `unknown field (the fields are ${known.join(', ')})`
    : `unknown field; did you mean ${near}?`
}

/**
 * An object with the given fields and no others: a misspelt field (`destinaton`) is an error naming it,
 * not a setting silently left at its default.
 */
const fields = <R extends t.Props, O extends t.Props>(required: R, optional: O, name: string) => {
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

export const PAIR_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/** One named pair: what `plan NAME` and `sync NAME` use instead of flags. */
export const PairConfig = fields(
  { source: text('a folder path (a string)'), destination: text('a folder path (a string)') },
  {
    mode: oneOf(MODES),
    conflict: oneOf(CONFLICT_STRATEGIES),
    compare: oneOf(['size-mtime', 'checksum']),
    mtimeTolerance: wholeNumber(
      0,
      `milliseconds, a whole number from 0 to ${MAX_MTIME_TOLERANCE_MS} (a day)`,
      MAX_MTIME_TOLERANCE_MS,
    ),
    ignore: patterns,
    include: patterns,
    state: text('a file path (a string)'),
    forceUpload: flag,
    forceDownload: flag,
    maxDelete: DeleteLimitText,
    allowMassDelete: flag,
    backupDir: text('a folder path (a string)'),
    transfers: wholeNumber(1, 'a whole number from 1'),
    retries: wholeNumber(0, 'a whole number from 0'),
    retryDelay: wholeNumber(0, 'milliseconds, a whole number from 0'),
  },
  'a pair: an object with source and destination',
)
export type PairConfig = t.TypeOf<typeof PairConfig>

/** The pairs by name, in the order the file lists them. */
const Pairs = new t.Type<ReadonlyArray<readonly [string, PairConfig]>, Record<string, unknown>, unknown>(
  'an object of named pairs',
  (u): u is ReadonlyArray<readonly [string, PairConfig]> => Array.isArray(u),
  (u, context) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, context)
    const errors: t.Errors = []
    const pairs: Array<readonly [string, PairConfig]> = []
    for (const [name, value] of Object.entries(u)) {
      const at = [...context, { key: name, type: PairConfig, actual: value }]
      if (!PAIR_NAME.test(name)) {
        errors.push({
          value: name,
          context: at,
          message: 'a pair name is letters, digits, - and _, starting with a letter or digit; rename it',
        })
        continue
      }
      const decoded = PairConfig.validate(value, at)
      if (E.isLeft(decoded)) errors.push(...decoded.left)
      else pairs.push([name, decoded.right])
    }
    return errors.length > 0 ? t.failures(errors) : t.success(pairs)
  },
  (pairs) => Object.fromEntries(pairs.map(([name, pair]) => [name, PairConfig.encode(pair)])),
)

export const ConfigFile = fields(
  { pairs: Pairs },
  {
    /** Where plans of named pairs are kept, relative to the file. */
    plans: text('a folder path (a string)'),
    $schema: text('a string'),
  },
  'an object with "pairs"',
)
export type ConfigFile = t.TypeOf<typeof ConfigFile>
