import { resolve } from 'node:path'
import type * as t from 'io-ts'
import { defaultRetry } from '../apply/retry.ts'
import { CONFLICT_CHOICES, MODE_CHOICES } from '../cli/choices.ts'
import type * as Codecs from '../config/field-codecs.ts'
import type { DeleteLimit } from '../core/policy.ts'
import { defaultPolicy, MAX_MTIME_TOLERANCE_MS } from '../core/policy-defaults.ts'
import type { FtpOptions } from '../storage/ftp/options.ts'
import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from '../storage/s3/limits.ts'
import type { S3Options } from '../storage/s3/options.ts'
import type { SftpOptions } from '../storage/sftp/sftp-options.ts'
import { DEFAULT_TRANSFERS } from './run-defaults.ts'

/**
 * Every setting of a pair, once: its flag on the command line, its field in `syncengine.json`, what it
 * does, its default (read from where the library keeps it), the codec that checks it in the config file,
 * and how the command line's text becomes its value. The commander options, the config codec's fields,
 * the mapping of flags to a pair's policy and storage options, `syncengine init`'s starter file and the
 * README's option table are all made from this table; adding a setting is adding an entry.
 *
 * This module loads no codec: `syncengine --help` builds its options from it without io-ts. Each entry's
 * codec is a function of the config's field codecs, called only when a config file is read.
 */

/** Which commands take a setting, and where in a pair of the config file it lives. */
export type Group = 'pair' | 'run' | StorageGroup
/** Storage settings live in the pair's `s3`, `sftp` or `ftp` object, and reach `PairSpec.storage`. */
export type StorageGroup = 's3' | 'sftp' | 'ftp'
export const STORAGE_GROUPS: ReadonlyArray<StorageGroup> = ['s3', 'sftp', 'ftp']

/** A setting's value as commander hands it over: a switch, one text, or every text of a repeated flag. */
export type FlagValue = boolean | string | ReadonlyArray<string>

export type Parsed<V> =
  | { readonly ok: true; readonly value: V }
  | { readonly ok: false; readonly problem: string }

const ok = <V>(value: V): Parsed<V> => ({ ok: true, value })
const bad = (problem: string): Parsed<never> => ({ ok: false, problem })

export interface Setting<G extends Group, F extends FlagValue, V> {
  readonly group: G
  /** The long flag, as commander spells it: `--max-delete`. Its camelCase is the key of the table. */
  readonly flag: `--${string}`
  readonly short?: `-${string}`
  /** `switch`: given or not; `value`: one text; `list`: repeatable, every text kept. */
  readonly takes: F extends boolean ? 'switch' : F extends string ? 'value' : 'list'
  /** What the value is called in help: `mode` for `--mode <mode>`. */
  readonly valueName?: string
  /** The values a `value` flag takes, when it is one of a few (commander checks them). */
  readonly choices?: ReadonlyArray<string>
  /** The field of the pair (or of its `s3`, `sftp`, `ftp` object) in the config file. */
  readonly configKey: string
  readonly description: string
  /** The default as help and the README show it; none for a switch that is simply off. */
  readonly shownDefault?: string
  /** The default as the config file would hold it (for `syncengine init`); none when there is no value. */
  readonly configDefault?: unknown
  /** A value the config file takes (for the starter file, the README and the tests). */
  readonly sample: unknown
  /** A path: relative to the working directory on the command line, to the config's folder in the file. */
  readonly path?: boolean
  /** For a list: whether the command line's entries add to the config's or replace them. */
  readonly merge?: 'add' | 'replace'
  /** The codec of the field in the config file, made of the config's field codecs. */
  readonly codec: (codecs: typeof Codecs) => t.Mixed
  /** The value, from the flag as given (absent: the default); a problem is one line naming the flag. */
  readonly read: (given: F | undefined, cwd: string) => Parsed<V>
}

// biome-ignore lint/suspicious/noExplicitAny: a table of settings of every value type
export type AnySetting = Setting<Group, any, any>

const choice = <V extends string>(
  given: string | undefined,
  choices: ReadonlyArray<V>,
  fallback: V,
  problem: (text: string) => string,
): Parsed<V> =>
  given === undefined
    ? ok(fallback)
    : (choices as ReadonlyArray<string>).includes(given)
      ? ok(given as V)
      : bad(problem(given))

/** A whole number of at least `least`, as digits the way `Number` reads them (`Number('4')`). */
const wholeNumberFrom = (text: string, least: number): number | undefined => {
  const n = Number(text)
  return Number.isInteger(n) && n >= least ? n : undefined
}

/** `--max-delete 100` (files) or `--max-delete 30%`. */
export const parseDeleteLimit = (text: string): DeleteLimit | undefined => {
  const match = /^(\d+)(%?)$/.exec(text.trim())
  if (match === null) return undefined
  const limit = Number(match[1])
  return match[2] === '%' ? (limit <= 100 ? { limit, unit: 'percent' } : undefined) : { limit, unit: 'files' }
}

/** A delete limit as the command line and the config file write it: `50%`, or `100` (files). */
export const showDeleteLimit = (limit: DeleteLimit): string =>
  limit.unit === 'percent' ? `${limit.limit}%` : String(limit.limit)

/** `--mtime-tolerance`: whole milliseconds, as digits (not `1e20`, not `0x10`), up to a day. */
export const parseMtimeTolerance = (text: string): number | undefined => {
  if (!/^\d+$/.test(text.trim())) return undefined
  const ms = Number(text.trim())
  return ms <= MAX_MTIME_TOLERANCE_MS ? ms : undefined
}

const COMPARE_CHOICES = ['size-mtime', 'checksum'] as const satisfies ReadonlyArray<
  typeof defaultPolicy.compare
>
const FTP_TLS_CHOICES = ['none', 'explicit'] as const satisfies ReadonlyArray<FtpOptions['tls']>

const MiB = 1024 * 1024

/** A setting that takes one text. */
const value = <G extends Group, V>(setting: Omit<Setting<G, string, V>, 'takes'>): Setting<G, string, V> => ({
  ...setting,
  takes: 'value',
})

/** A switch of the pair: given is on, absent is the default. */
const pairSwitch = (
  flag: `--${string}`,
  configKey: string,
  description: string,
  fallback: boolean,
): Setting<'pair', boolean, boolean> => ({
  group: 'pair',
  flag,
  takes: 'switch',
  configKey,
  description,
  configDefault: fallback,
  sample: true,
  codec: (c) => c.flag,
  read: (given) => ok(given ?? fallback),
})

/** A repeatable gitignore pattern. */
const patternList = (
  flag: `--${string}`,
  configKey: string,
  description: string,
  merge: 'add' | 'replace',
): Setting<'pair', ReadonlyArray<string>, ReadonlyArray<string>> => ({
  group: 'pair',
  flag,
  takes: 'list',
  valueName: 'pattern',
  configKey,
  description,
  merge,
  configDefault: [],
  sample: ['*.tmp'],
  codec: (c) => c.patterns,
  read: (given) => ok([...(given ?? [])]),
})

/** A storage option that is a switch: absent leaves the backend's own default. */
const storageSwitch = <G extends StorageGroup>(
  group: G,
  flag: `--${string}`,
  configKey: keyof StorageOptionsOf[G] & string,
  description: string,
  shownDefault?: string,
  /** What the starter file and the tests write; `false` for a switch nobody should copy on. */
  sample = true,
): Setting<G, boolean, boolean | undefined> => ({
  group,
  flag,
  takes: 'switch',
  configKey,
  description,
  ...(shownDefault === undefined ? {} : { shownDefault }),
  sample,
  codec: (c) => c.flag,
  read: (given) => ok(given),
})

/** A storage option that is one text: absent leaves the backend's own default. */
const storageText = <G extends StorageGroup, V>(
  group: G,
  flag: `--${string}`,
  configKey: keyof StorageOptionsOf[G] & string,
  fields: Pick<AnySetting, 'valueName' | 'description' | 'sample' | 'codec'> & {
    readonly shownDefault?: string
    readonly path?: boolean
    readonly choices?: ReadonlyArray<string>
  },
  parse: (text: string, cwd: string) => V | undefined,
  problem: (text: string) => string,
): Setting<G, string, V | undefined> =>
  value({
    group,
    flag,
    configKey,
    ...fields,
    read: (given, cwd) => {
      if (given === undefined) return ok(undefined)
      const parsed = parse(given, cwd)
      return parsed === undefined ? bad(problem(given)) : ok(parsed)
    },
  })

/** The options of each backend that the command line and the config file may set. */
export interface StorageOptionsOf {
  readonly s3: S3Options
  readonly sftp: SftpOptions
  readonly ftp: FtpOptions
}

const httpUrl = (text: string): string | undefined => {
  try {
    const url = new URL(text.trim())
    return url.protocol === 'http:' || url.protocol === 'https:' ? text.trim() : undefined
  } catch {
    return undefined
  }
}

export const SETTINGS = {
  mode: value({
    group: 'pair',
    flag: '--mode',
    short: '-m',
    valueName: 'mode',
    choices: MODE_CHOICES,
    configKey: 'mode',
    description: 'what goes where',
    shownDefault: defaultPolicy.mode,
    configDefault: defaultPolicy.mode,
    sample: 'source-backup',
    codec: (c) => c.oneOf(MODE_CHOICES),
    read: (given) =>
      choice(
        given,
        MODE_CHOICES,
        defaultPolicy.mode,
        (text) => `--mode must be one of ${MODE_CHOICES.join(', ')} (got "${text}")`,
      ),
  }),
  conflict: value({
    group: 'pair',
    flag: '--conflict',
    short: '-c',
    valueName: 'strategy',
    choices: CONFLICT_CHOICES,
    configKey: 'conflict',
    description: 'what to do when both sides changed a file',
    shownDefault: defaultPolicy.conflict,
    configDefault: defaultPolicy.conflict,
    sample: 'newest',
    codec: (c) => c.oneOf(CONFLICT_CHOICES),
    read: (given) =>
      choice(
        given,
        CONFLICT_CHOICES,
        defaultPolicy.conflict,
        (text) => `--conflict must be one of ${CONFLICT_CHOICES.join(', ')} (got "${text}")`,
      ),
  }),
  compare: value({
    group: 'pair',
    flag: '--compare',
    valueName: 'how',
    choices: COMPARE_CHOICES,
    configKey: 'compare',
    description: 'how files are compared: size-mtime trusts sizes and mtimes, checksum compares contents',
    shownDefault: defaultPolicy.compare,
    configDefault: defaultPolicy.compare,
    sample: 'checksum',
    codec: (c) => c.oneOf(COMPARE_CHOICES),
    read: (given) =>
      choice(
        given,
        COMPARE_CHOICES,
        defaultPolicy.compare,
        (text) => `--compare must be size-mtime or checksum (got "${text}")`,
      ),
  }),
  mtimeTolerance: value({
    group: 'pair',
    flag: '--mtime-tolerance',
    valueName: 'ms',
    configKey: 'mtimeTolerance',
    description: `mtimes on the two sides this close are the same: whole milliseconds up to ${MAX_MTIME_TOLERANCE_MS} (a day)`,
    shownDefault: `${defaultPolicy.mtimeToleranceMs}, or the storage’s precision`,
    configDefault: defaultPolicy.mtimeToleranceMs,
    sample: 2000,
    codec: (c) =>
      c.wholeNumber(
        0,
        `milliseconds, a whole number from 0 to ${MAX_MTIME_TOLERANCE_MS} (a day)`,
        MAX_MTIME_TOLERANCE_MS,
      ),
    read: (given) => {
      if (given === undefined) return ok(defaultPolicy.mtimeToleranceMs)
      const ms = parseMtimeTolerance(given)
      return ms === undefined
        ? bad(
            `--mtime-tolerance takes whole milliseconds from 0 to ${MAX_MTIME_TOLERANCE_MS} (a day) (got "${given}")`,
          )
        : ok(ms)
    },
  }),
  state: value({
    group: 'pair',
    flag: '--state',
    valueName: 'file',
    configKey: 'state',
    description: "the pair's state file",
    shownDefault: '~/.local/state/syncengine/<pair>.json',
    sample: 'state/photos.json',
    path: true,
    codec: (c) => c.text('a file path (a string)'),
    read: (given, cwd) => ok(given === undefined ? undefined : resolve(cwd, given)),
  }),
  ignore: patternList(
    '--ignore',
    'ignore',
    "gitignore pattern to leave alone on both sides (repeatable; adds to the pair's)",
    'add',
  ),
  include: patternList(
    '--include',
    'include',
    "only sync paths matching this gitignore pattern (repeatable; replaces the pair's)",
    'replace',
  ),
  forceUpload: pairSwitch(
    '--force-upload',
    'forceUpload',
    're-send files that are already the same, source to destination',
    defaultPolicy.force.upload,
  ),
  forceDownload: pairSwitch(
    '--force-download',
    'forceDownload',
    're-send files that are already the same, destination to source',
    defaultPolicy.force.download,
  ),
  maxDelete: value({
    group: 'pair',
    flag: '--max-delete',
    valueName: 'limit',
    configKey: 'maxDelete',
    description: 'block a plan deleting more files than this on a side: a number, or a percentage',
    shownDefault: showDeleteLimit(defaultPolicy.maxDelete),
    configDefault: showDeleteLimit(defaultPolicy.maxDelete),
    sample: '10%',
    codec: (c) => c.DeleteLimitText,
    read: (given) => {
      if (given === undefined) return ok(defaultPolicy.maxDelete)
      const limit = parseDeleteLimit(given)
      return limit === undefined
        ? bad(`--max-delete takes a number of files or a percentage like 50% (got "${given}")`)
        : ok(limit)
    },
  }),
  allowMassDelete: pairSwitch(
    '--allow-mass-delete',
    'allowMassDelete',
    'let a plan over --max-delete through',
    defaultPolicy.allowMassDelete,
  ),
  backupDir: value({
    group: 'pair',
    flag: '--backup-dir',
    valueName: 'dir',
    configKey: 'backupDir',
    description: 'keep what deletes and overwrites remove, in <dir>/<side>/<path>.<time>',
    sample: 'backups',
    path: true,
    codec: (c) => c.text('a folder path (a string)'),
    read: (given, cwd) => ok(given === undefined ? defaultPolicy.backupDir : resolve(cwd, given)),
  }),
  transfers: value({
    group: 'run',
    flag: '--transfers',
    valueName: 'n',
    configKey: 'transfers',
    description: 'copies to run at once',
    shownDefault: String(DEFAULT_TRANSFERS),
    configDefault: DEFAULT_TRANSFERS,
    sample: 8,
    codec: (c) => c.wholeNumber(1, 'a whole number from 1'),
    read: (given) => {
      const n = wholeNumberFrom(given ?? String(DEFAULT_TRANSFERS), 1)
      return n === undefined ? bad(`--transfers takes a whole number from 1 (got "${given}")`) : ok(n)
    },
  }),
  retries: value({
    group: 'run',
    flag: '--retries',
    valueName: 'n',
    configKey: 'retries',
    description: 'retries of an action after a transient error: EIO, EBUSY, timeouts',
    shownDefault: String(defaultRetry.retries),
    configDefault: defaultRetry.retries,
    sample: 5,
    codec: (c) => c.wholeNumber(0, 'a whole number from 0'),
    read: (given) => {
      const n = wholeNumberFrom(given ?? String(defaultRetry.retries), 0)
      return n === undefined ? bad(`--retries takes a whole number from 0 (got "${given}")`) : ok(n)
    },
  }),
  retryDelay: value({
    group: 'run',
    flag: '--retry-delay',
    valueName: 'ms',
    configKey: 'retryDelay',
    description: 'wait before the first retry; doubles after each',
    shownDefault: String(defaultRetry.delayMs),
    configDefault: defaultRetry.delayMs,
    sample: 1000,
    codec: (c) => c.wholeNumber(0, 'milliseconds, a whole number from 0'),
    read: (given) => {
      const ms = Number(given ?? defaultRetry.delayMs)
      return Number.isFinite(ms) && ms >= 0
        ? ok(ms)
        : bad(`--retry-delay takes milliseconds (got "${given}")`)
    },
  }),
  s3Endpoint: storageText(
    's3',
    '--s3-endpoint',
    'endpoint',
    {
      valueName: 'url',
      description: 's3:// sides: the URL of an S3-compatible store (MinIO, R2, Ceph, …)',
      shownDefault: 'AWS',
      sample: 'http://127.0.0.1:9000',
      codec: (c) => c.text('a URL (a string)'),
    },
    httpUrl,
    (text) => `--s3-endpoint takes an http:// or https:// URL, like http://127.0.0.1:9000 (got "${text}")`,
  ),
  s3Region: storageText(
    's3',
    '--s3-region',
    'region',
    {
      valueName: 'region',
      description: 's3:// sides: the signing region (auto for R2)',
      shownDefault: 'the AWS configuration’s; us-east-1 with an endpoint',
      sample: 'eu-west-1',
      codec: (c) => c.text('a region (a string)'),
    },
    (text) => (/^[A-Za-z0-9-]+$/.test(text.trim()) ? text.trim() : undefined),
    (text) => `--s3-region takes a region name like eu-west-1 or auto (got "${text}")`,
  ),
  s3PathStyle: storageSwitch(
    's3',
    '--s3-path-style',
    'forcePathStyle',
    's3:// sides: address objects as host/bucket/key, not bucket.host/key',
    'on with an endpoint, off on AWS',
  ),
  s3ChunkSize: storageText(
    's3',
    '--s3-chunk-size',
    'partSize',
    {
      valueName: 'bytes',
      description: `s3:// sides: files above this many bytes go up in parts this big; at least ${MIN_PART_SIZE} (${MIN_PART_SIZE / MiB} MiB)`,
      shownDefault: `${DEFAULT_PART_SIZE / MiB} MiB`,
      sample: 64 * MiB,
      codec: (c) =>
        c.wholeNumber(
          MIN_PART_SIZE,
          `bytes, a whole number from ${MIN_PART_SIZE} (${MIN_PART_SIZE / MiB} MiB)`,
        ),
    },
    (text) => (/^\d+$/.test(text.trim()) ? wholeNumberFrom(text.trim(), MIN_PART_SIZE) : undefined),
    (text) =>
      `--s3-chunk-size takes bytes, a whole number from ${MIN_PART_SIZE} (${MIN_PART_SIZE / MiB} MiB) (got "${text}")`,
  ),
  acceptNewHostKey: storageSwitch(
    'sftp',
    '--accept-new-host-key',
    'acceptNewHostKey',
    'sftp:// sides: accept a host key known_hosts lacks, and record it (a changed key is still refused)',
  ),
  ftpTls: storageText(
    'ftp',
    '--ftp-tls',
    'tls',
    {
      valueName: 'how',
      choices: FTP_TLS_CHOICES,
      description:
        'ftp:// sides: explicit upgrades to TLS (AUTH TLS) before the login; ftps:// is always TLS',
      shownDefault: 'none',
      sample: 'explicit',
      codec: (c) => c.oneOf(FTP_TLS_CHOICES),
    },
    (text) => FTP_TLS_CHOICES.find((how) => how === text),
    (text) => `--ftp-tls must be one of ${FTP_TLS_CHOICES.join(', ')} (got "${text}")`,
  ),
  ftpCa: storageText(
    'ftp',
    '--ftp-ca',
    'caFile',
    {
      valueName: 'file',
      description:
        'ftp:// and ftps:// sides: a PEM file of certificate authorities to trust besides the system’s',
      sample: 'certs/our-ca.pem',
      path: true,
      codec: (c) => c.text('a file path (a string)'),
    },
    (text, cwd) => (text.trim() === '' ? undefined : resolve(cwd, text)),
    (text) => `--ftp-ca takes the path of a PEM file (got "${text}")`,
  ),
  ftpInsecure: storageSwitch(
    'ftp',
    '--ftp-insecure',
    'insecureAcceptAnyCertificate',
    'ftp:// and ftps:// sides: accept any certificate, so anyone on the way can read the password and the files (test servers only)',
    undefined,
    false,
  ),
} as const satisfies Record<string, AnySetting>

export type Settings = typeof SETTINGS
export type SettingKey = keyof Settings

type FlagOf<S> = S extends { readonly read: (given: infer F, cwd: string) => unknown }
  ? Exclude<F, undefined>
  : never
type ValueOf<S> = S extends { readonly read: (given: never, cwd: string) => Parsed<infer V> } ? V : never
type KeysIn<G extends Group> = { [K in SettingKey]: Settings[K]['group'] extends G ? K : never }[SettingKey]

/** The flags of the settings of some groups, as commander hands them over: absent when not given. */
export type FlagsOf<G extends Group> = { readonly [K in KeysIn<G>]?: FlagOf<Settings[K]> }
/** The values of the settings of some groups: the flags read, and defaults where none was given. */
export type ValuesOf<G extends Group> = { readonly [K in KeysIn<G>]: ValueOf<Settings[K]> }

export const settingKeys = (groups: ReadonlyArray<Group>): ReadonlyArray<SettingKey> =>
  (Object.keys(SETTINGS) as SettingKey[]).filter((key) => groups.includes(SETTINGS[key].group))

/** Every setting, as a list of entries with their keys. */
export const settingList = (): ReadonlyArray<readonly [SettingKey, AnySetting]> =>
  (Object.keys(SETTINGS) as SettingKey[]).map((key) => [key, SETTINGS[key] as AnySetting])

/** The settings of the given groups read from their flags: the first problem, or every value. */
export const readSettings = <G extends Group>(
  flags: FlagsOf<G>,
  groups: ReadonlyArray<G>,
  cwd: string,
): Parsed<ValuesOf<G>> => {
  const values: Record<string, unknown> = {}
  for (const key of settingKeys(groups)) {
    const setting = SETTINGS[key] as AnySetting
    const read = setting.read((flags as Record<string, FlagValue | undefined>)[key], cwd)
    if (!read.ok) return read
    values[key] = read.value
  }
  return ok(values as ValuesOf<G>)
}

/** The storage options the storage settings name; a backend none of them names is left out. */
export const storageOptionsOf = (values: ValuesOf<StorageGroup>): Partial<StorageOptionsOf> => {
  const options: Record<string, Record<string, unknown>> = {}
  for (const key of settingKeys(STORAGE_GROUPS)) {
    const value = (values as Record<string, unknown>)[key]
    if (value === undefined) continue
    const setting = SETTINGS[key]
    options[setting.group] = { ...options[setting.group], [setting.configKey]: value }
  }
  return options as Partial<StorageOptionsOf>
}

/** `--mode <mode>`, `--force-upload`: how help and the README write a flag (`-m, --mode <mode>`). */
export const flagsText = (setting: AnySetting, value: (name: string) => string = (n) => `<${n}>`): string =>
  `${setting.short === undefined ? '' : `${setting.short}, `}${setting.flag}${
    setting.valueName === undefined ? '' : ` ${value(setting.valueName)}`
  }`

/** What help says of a setting: what it does, and its default. */
export const helpText = (setting: AnySetting): string =>
  setting.shownDefault === undefined
    ? setting.description
    : `${setting.description} (default: ${setting.shownDefault})`

/** Where a setting sits in a pair of the config file: `maxDelete`, `s3.endpoint`. */
export const configPath = (setting: AnySetting): string =>
  setting.group === 'pair' || setting.group === 'run'
    ? setting.configKey
    : `${setting.group}.${setting.configKey}`

const COMMANDS: Record<Group, string> = {
  pair: '`plan`, `sync`',
  run: '`apply`, `sync`',
  s3: '`plan`, `apply`, `sync`',
  sftp: '`plan`, `apply`, `sync`',
  ftp: '`plan`, `apply`, `sync`',
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;')
const code = (text: string): string => `\`${text}\``

/**
 * The README's table of settings, made from the table: one row per setting, with its flag, the commands
 * that take it, what it does, its default and its field in `syncengine.json`. A test keeps the README's
 * copy equal to this.
 */
export const optionsMarkdown = (): string =>
  [
    '| option | commands | meaning | default | in `syncengine.json` |',
    '| --- | --- | --- | --- | --- |',
    ...settingList().map(([, setting]) => {
      const choices = setting.choices === undefined ? '' : `: ${setting.choices.map(code).join(', ')}`
      const shown =
        setting.shownDefault === undefined
          ? setting.takes === 'switch'
            ? 'off'
            : 'none'
          : String(setting.configDefault) === setting.shownDefault
            ? code(setting.shownDefault)
            : setting.shownDefault
      return `| ${[
        code(flagsText(setting, (n) => n.toUpperCase())),
        COMMANDS[setting.group],
        `${setting.description}${choices}`,
        shown,
        code(configPath(setting)),
      ]
        .map(cell)
        .join(' | ')} |`
    }),
  ].join('\n')
