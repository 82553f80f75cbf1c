import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type Group, STORAGE_GROUPS, type StorageGroup, settingList } from '../pair/settings.ts'
import * as codecs from './field-codecs.ts'
import { fields, text } from './field-codecs.ts'

export { DeleteLimitText } from './field-codecs.ts'

/**
 * The shape of `syncengine.json`, as codecs whose names are what a person should have written: an error
 * reads `pairs.photos.mode: expected one of two-way, …, found "sideways"`.
 */

export const PAIR_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/** The settings of one group, as the optional fields of an object: each with its codec from the table. */
const settingFields = (groups: ReadonlyArray<Group>): t.Props =>
  Object.fromEntries(
    settingList()
      .filter(([, setting]) => groups.includes(setting.group))
      .map(([, setting]) => [setting.configKey, setting.codec(codecs)]),
  )

const STORAGE_NAMES: Record<StorageGroup, string> = {
  s3: 'options of s3:// sides: an object',
  sftp: 'options of sftp:// sides: an object',
  ftp: 'options of ftp:// and ftps:// sides: an object',
}

/**
 * One named pair: what `plan NAME` and `sync NAME` use instead of flags. Its fields are the settings
 * table's (src/pair/settings.ts): each setting's `configKey`, checked by the setting's codec; storage
 * settings sit in the pair's `s3`, `sftp` and `ftp` objects.
 */
export const PairConfig: t.Type<PairConfig, unknown, unknown> = fields(
  { source: text('a folder path (a string)'), destination: text('a folder path (a string)') },
  {
    ...settingFields(['pair', 'run']),
    ...Object.fromEntries(
      STORAGE_GROUPS.map((group) => [group, fields({}, settingFields([group]), STORAGE_NAMES[group])]),
    ),
  },
  'a pair: an object with source and destination',
) as t.Type<PairConfig, unknown, unknown>

/**
 * A pair as decoded: its sides, and its settings by their `configKey` (storage settings inside `s3`,
 * `sftp`, `ftp`), each checked by its codec in the settings table.
 */
export interface PairConfig {
  readonly source: string
  readonly destination: string
  readonly [configKey: string]: unknown
}

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
