import { type Command, Option } from 'commander'
import { CONFLICT_CHOICES, MODE_CHOICES, PROGRESS_MODES } from './choices.ts'

/**
 * The options commands share. Settings a config pair can hold have no commander default: absent means
 * "not given", so the pair's own setting applies; the defaults are applied after the config.
 */

const collect = (value: string, previous: ReadonlyArray<string> | undefined): ReadonlyArray<string> => [
  ...(previous ?? []),
  value,
]

export const pairOptions = (command: Command): Command =>
  command
    .addOption(new Option('-m, --mode <mode>', 'what goes where (default: two-way)').choices(MODE_CHOICES))
    .addOption(
      new Option(
        '-c, --conflict <strategy>',
        'what to do when both sides changed a file (default: keep-both)',
      ).choices(CONFLICT_CHOICES),
    )
    .addOption(
      new Option('--compare <how>', 'size-mtime (default), or checksum to compare contents').choices([
        'size-mtime',
        'checksum',
      ]),
    )
    .option(
      '--mtime-tolerance <ms>',
      'mtimes on the two sides this close are the same (default: 1, or the storage’s precision)',
    )
    .option('--state <file>', "the pair's state file (default: ~/.local/state/syncengine/<pair>.json)")
    .option(
      '--ignore <pattern>',
      "gitignore pattern to leave alone on both sides (repeatable; adds to the pair's)",
      collect,
    )
    .option(
      '--include <pattern>',
      "only sync paths matching this gitignore pattern (repeatable; replaces the pair's)",
      collect,
    )
    .option('--force-upload', 're-send files that are already the same, source to destination')
    .option('--force-download', 're-send files that are already the same, destination to source')
    .option(
      '--max-delete <limit>',
      'block a plan deleting more files than this on a side: a number, or a percentage (default: 50%)',
    )
    .option('--allow-mass-delete', 'let a plan over --max-delete through')
    .option('--backup-dir <dir>', 'keep what deletes and overwrites remove, in <dir>/<side>/<path>.<time>')
    .option('--no-color', 'plain output, even on a terminal')

export const runOptions = (command: Command): Command =>
  command
    .option('--transfers <n>', 'copies to run at once (default: 4)')
    .option(
      '--retries <n>',
      'retries of an action after a transient error: EIO, EBUSY, timeouts (default: 2)',
    )
    .option('--retry-delay <ms>', 'wait before the first retry; doubles after each (default: 200)')

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
