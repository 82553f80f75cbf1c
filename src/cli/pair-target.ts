import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { PairConfig } from '../config/config-codec.ts'
import { CONFIG_NAME, type Config, loadConfig, pathFromConfig } from '../config/config-file.ts'
import { type FlagsOf, type FlagValue, type StorageGroup, settingList } from '../pair/settings.ts'
import type { Io } from './io.ts'
import type { CliError } from './messages.ts'
import type { PairFlags } from './pair-options.ts'

/**
 * How an apply runs (`--transfers`, `--retries`, `--retry-delay`) and how its sides' storage is reached
 * (`--s3-endpoint`, …): absent when not given. Made from the settings table.
 */
export type RunFlags = FlagsOf<'run' | StorageGroup>

/** One pair a command works on: two folders from the command line, or a named pair of the config. */
export interface PairTarget {
  /** The pair's name in the config; undefined for SOURCE DESTINATION. */
  readonly name?: string
  readonly source: string
  readonly destination: string
  /** The config's settings for the pair with the command line's on top. */
  readonly flags: PairFlags & RunFlags
  /** Where a plan of a named pair is kept, in the config's plans folder. */
  readonly planFile?: string
}

/** `--config FILE`, `--all` and `--out-dir DIR`, where a command has them. */
export interface TargetFlags {
  readonly config?: string
  readonly all?: boolean
  readonly outDir?: string
}

const usage = (message: string): CliError => ({ _tag: 'Usage', message })

/** The fields that are set: with exact optional properties, an absent field is not an undefined one. */
const defined = <T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }

/** A pair's settings in the config, as if given as flags; paths made absolute from the config's folder. */
const flagsOf = (config: Config, pair: PairConfig, io: Io): PairFlags & RunFlags => {
  const flags: Record<string, FlagValue> = {}
  for (const [key, setting] of settingList()) {
    const holder =
      setting.group === 'pair' || setting.group === 'run'
        ? pair
        : (pair[setting.group] as PairConfig | undefined)
    const value = holder?.[setting.configKey]
    if (value === undefined) continue
    flags[key] =
      setting.path === true && typeof value === 'string'
        ? pathFromConfig(config, value, io.env)
        : typeof value === 'number'
          ? String(value)
          : (value as FlagValue)
  }
  return flags as PairFlags & RunFlags
}

/**
 * The command line over the config: a flag given wins, and a repeatable one adds to the pair's patterns
 * (`--ignore`) or replaces them (`--include`, to narrow one run to some paths), as the table says.
 */
export const mergeFlags = (
  fromConfig: PairFlags & RunFlags,
  given: PairFlags & RunFlags,
): PairFlags & RunFlags => {
  const cli: Record<string, FlagValue> = defined(given)
  const merged: Record<string, FlagValue> = { ...defined(fromConfig), ...cli }
  const configured = fromConfig as Record<string, FlagValue | undefined>
  for (const [key, setting] of settingList()) {
    if (setting.takes !== 'list') continue
    const mine = (configured[key] ?? []) as ReadonlyArray<string>
    const theirs = (cli[key] ?? []) as ReadonlyArray<string>
    merged[key] = setting.merge === 'add' ? [...mine, ...theirs] : theirs.length > 0 ? theirs : mine
  }
  return merged as PairFlags & RunFlags
}

export const pairNames = (config: Config): string =>
  config.pairs.length === 0 ? 'it has none' : `its pairs: ${config.pairs.map(([n]) => n).join(', ')}`

/** The config, which must be there: a pair name or `--all` means nothing without it. */
export const requireConfig = async (
  flags: TargetFlags,
  io: Io,
  why: string,
): Promise<E.Either<CliError, Config>> => {
  const config = await loadConfig(flags.config, io.cwd)
  if (E.isLeft(config)) return config
  if (config.right === null)
    return E.left({ _tag: 'ConfigMissing', file: resolve(io.cwd, CONFIG_NAME), shown: CONFIG_NAME, why })
  return E.right(config.right)
}

const namedTarget = (
  config: Config,
  name: string,
  pair: PairConfig,
  given: PairFlags & RunFlags,
  flags: TargetFlags,
  io: Io,
): PairTarget => ({
  name,
  source: pathFromConfig(config, pair.source, io.env),
  destination: pathFromConfig(config, pair.destination, io.env),
  flags: mergeFlags(flagsOf(config, pair, io), given),
  planFile: join(
    flags.outDir === undefined ? config.plansDir : resolve(io.cwd, flags.outDir),
    `${name}.json`,
  ),
})

/** A pair of the config by name, with the command line over its settings; or why there is none. */
export const pairOf = (
  config: Config,
  name: string,
  given: PairFlags & RunFlags,
  flags: TargetFlags,
  io: Io,
): E.Either<CliError, PairTarget> => {
  const found = config.pairs.find(([n]) => n === name)
  return found === undefined
    ? E.left({ _tag: 'PairUnknown', name, shown: config.shown, known: pairNames(config) })
    : E.right(namedTarget(config, name, found[1], given, flags, io))
}

/**
 * What `plan`, `sync` and `status` work on: `SOURCE DESTINATION`, `NAME` (a pair of the config), or
 * `--all` (every pair of the config, in its order).
 */
export const targetsOf = async (
  args: ReadonlyArray<string>,
  given: PairFlags & RunFlags,
  flags: TargetFlags,
  io: Io,
): Promise<E.Either<CliError, ReadonlyArray<PairTarget>>> => {
  if (flags.all === true) {
    if (args.length > 0) return E.left(usage('give --all or pairs, not both'))
    const config = await requireConfig(flags, io, '--all runs the pairs it names')
    if (E.isLeft(config)) return config
    return E.right(
      config.right.pairs.map(([name, pair]) => namedTarget(config.right, name, pair, given, flags, io)),
    )
  }
  const [first, second] = args
  if (first === undefined)
    return E.left(usage('give SOURCE and DESTINATION, the name of a pair in syncengine.json, or --all'))
  if (second !== undefined) {
    if (flags.outDir !== undefined)
      return E.left(usage('--out-dir is for named pairs and --all; give --out FILE'))
    return E.right([{ source: first, destination: second, flags: mergeFlags({}, given) }])
  }
  const config = await requireConfig(
    flags,
    io,
    `"${first}" is not a pair without it (or give SOURCE and DESTINATION)`,
  )
  if (E.isLeft(config)) return config
  const pair = pairOf(config.right, first, given, flags, io)
  return E.isLeft(pair) ? pair : E.right([pair.right])
}
