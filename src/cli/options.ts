import { type Command, Option } from 'commander'
import {
  type AnySetting,
  flagsText,
  type Group,
  helpText,
  STORAGE_GROUPS,
  settingList,
} from '../pair/settings.ts'
import { PROGRESS_MODES } from './choices.ts'

/**
 * The options commands share. Settings a config pair can hold have no commander default: absent means
 * "not given", so the pair's own setting applies; the defaults are applied after the config.
 */

const collect = (value: string, previous: ReadonlyArray<string> | undefined): ReadonlyArray<string> => [
  ...(previous ?? []),
  value,
]

/** The commander option of a setting of the table: its flags, help, choices; repeatable where it is a list. */
export const optionOf = (setting: AnySetting): Option => {
  const option = new Option(flagsText(setting), helpText(setting))
  if (setting.choices !== undefined) option.choices(setting.choices)
  if (setting.takes === 'list') option.argParser(collect)
  return option
}

const addSettings = (command: Command, groups: ReadonlyArray<Group>): Command => {
  for (const [, setting] of settingList())
    if (groups.includes(setting.group)) command.addOption(optionOf(setting))
  return command
}

/** The settings of a pair (`--mode`, `--max-delete`, …), which `plan` and `sync` take. */
export const pairOptions = (command: Command): Command =>
  addSettings(command, ['pair']).option('--no-color', 'plain output, even on a terminal')

/** How an apply runs (`--transfers`, `--retries`, `--retry-delay`), which `apply` and `sync` take. */
export const runOptions = (command: Command): Command => addSettings(command, ['run'])

/** How remote sides are reached (`--s3-endpoint`, `--accept-new-host-key`, …): `plan`, `apply`, `sync`. */
export const storageOptions = (command: Command): Command => addSettings(command, STORAGE_GROUPS)

export const configOption = (command: Command): Command =>
  command.option('--config <file>', 'the config file with named pairs (default: ./syncengine.json)')

export const progressOption = (command: Command): Command =>
  command.addOption(
    new Option(
      '--progress <how>',
      'auto: a live display on a terminal; json: one event per line on stdout (the rest goes to stderr); none',
    )
      .choices(PROGRESS_MODES)
      .default('auto'),
  )

export const limitOption = (command: Command): Command =>
  command.option('--limit <n>', 'show the first n actions of the plan and count the rest (default: all)')
