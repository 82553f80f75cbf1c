import { Command, CommanderError, Option } from 'commander'
import { showText } from '../core/show-path.ts'
import { MODE_CHOICES } from './choices.ts'
import { ExitCode, type Io } from './io.ts'
import {
  configOption,
  limitOption,
  pairOptions,
  progressOption,
  runOptions,
  storageOptions,
} from './options.ts'
import { packageVersion } from './version.ts'

// Each command's module (and the engine under it) is loaded when that command runs, not before: `--help`,
// `--version` and a mistyped flag answer without loading the engine.

const examples = (...lines: ReadonlyArray<string>): string =>
  `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}`

/** Positional arguments `plan`, `sync` and `status` take: two folders, or a pair's name. */
const pairArguments = (command: Command): Command =>
  command
    .argument('[source]', 'source folder, or the name of a pair in syncengine.json')
    .argument('[destination]', 'destination folder (none with a pair name)')

/** The command line, wired to `io`; `exit` receives the exit code of the command that ran. */
export const cliProgram = (io: Io, exit: (code: ExitCode) => void): Command => {
  const root = new Command('syncengine')
    .description('Keep two folders in sync through a plan you can read before anything is touched.')
    .version(packageVersion(), '-V, --version', 'print the version of syncengine')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // One line, like every other error: commander puts its "Did you mean …?" on a line of its own.
      outputError: (s, write) =>
        write(`${showText(s.trim().split('\n').join(' '))} (run with --help for usage)\n`),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 done (plan: nothing to do), 1 error, 2 plan --detailed-exitcode found changes,
3 apply or sync left something undone (skipped, failed, or a conflict for you), 130 interrupted.`,
    )

  configOption(
    progressOption(
      limitOption(
        storageOptions(
          pairOptions(
            pairArguments(
              root
                .command('plan')
                .usage('[options] SOURCE DESTINATION | NAME | --all')
                .description(
                  'Compare both sides with the last sync and print what apply would do; save it with --out (a named pair is always saved).',
                ),
            ),
          ),
        ),
      ),
    ),
  )
    .option('--all', 'plan every pair of the config, each into --out-dir')
    .option('--out-dir <dir>', "where plans of named pairs go (default: the config's .syncengine/plans/)")
    .option('-o, --out <file>', 'write the plan as JSON to this file, for review and apply')
    .option('--json', 'print the plan as JSON instead of text')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 1 on error')
    .addHelpText(
      'after',
      examples(
        'syncengine plan ./docs /mnt/backup/docs --out plan.json',
        "syncengine plan ./photos /media/usb/photos --mode source-backup --ignore '*.tmp' --out plan.json",
        'syncengine plan photos                 # the pair "photos" of syncengine.json, saved for apply',
        'syncengine plan --all                  # every pair, into .syncengine/plans/<pair>.json',
        'syncengine plan a b --detailed-exitcode >/dev/null; echo $?   # 0: in sync, 2: changes',
      ),
    )
    .action(async (source: string | undefined, destination: string | undefined, flags) =>
      exit(await (await import('./commands/plan.ts')).planCommand(present(source, destination), flags, io)),
    )

  configOption(
    limitOption(
      root
        .command('show')
        .description('Print a saved plan for review, with its digest.')
        .argument('<plan>', 'plan file, or the name of a pair whose saved plan to show'),
    ),
  )
    .option('--json', 'print the canonical JSON')
    .option('--no-color', 'plain output, even on a terminal')
    .addHelpText(
      'after',
      examples(
        'syncengine show plan.json',
        'syncengine show photos                 # the saved plan of the pair "photos"',
        'syncengine show plan.json --json | jq .summary',
      ),
    )
    .action(async (file: string, flags) =>
      exit(await (await import('./commands/show.ts')).showCommand(file, flags, io)),
    )

  configOption(
    progressOption(
      storageOptions(
        runOptions(
          root
            .command('apply')
            .description(
              'Carry out reviewed plans, one after the other. Actions whose paths changed since the plan are skipped, never forced.',
            )
            .argument(
              '<plans...>',
              'plan files written by `syncengine plan`, or names of pairs with a saved plan',
            ),
        ),
      ),
    ),
  )
    .option(
      '--state <file>',
      "the pair's state file (default: the plan's, else ~/.local/state/syncengine/<pair>.json)",
    )
    .option(
      '--expect-digest <sha256>',
      'refuse the plan unless its digest is this one (as printed by plan and show)',
    )
    .option('--expect-source <dir>', 'refuse the plan unless this is its source folder')
    .option('--expect-destination <dir>', 'refuse the plan unless this is its destination folder')
    .option('-q, --quiet', 'no progress display: only problems and the summary')
    .addHelpText(
      'after',
      examples(
        'syncengine apply plan.json',
        'syncengine apply photos                # the saved plan of the pair "photos"',
        'syncengine apply .syncengine/plans/*.json   # several plans; exits with the worst code',
        'syncengine apply plan.json --expect-source ./docs --expect-digest sha256:3f2a…',
      ),
    )
    .action(async (files: ReadonlyArray<string>, flags) =>
      exit(await (await import('./commands/apply.ts')).applyCommand(files, flags, io)),
    )

  configOption(
    progressOption(
      limitOption(
        storageOptions(
          runOptions(
            pairOptions(
              pairArguments(
                root
                  .command('sync')
                  .usage('[options] SOURCE DESTINATION | NAME | --all')
                  .description('Plan and apply in one go, for scripts that do not review.'),
              ),
            ),
          ),
        ),
      ),
    ),
  )
    .option('--all', 'sync every pair of the config, one after the other')
    .option('-q, --quiet', 'do not print the plan, and no progress display')
    .addHelpText(
      'after',
      examples(
        'syncengine sync ./notes /mnt/nas/notes',
        'syncengine sync ./site /var/www/site --mode source-to-destination',
        'syncengine sync photos --progress json   # events on stdout, one JSON object per line',
      ),
    )
    .action(async (source: string | undefined, destination: string | undefined, flags) =>
      exit(await (await import('./commands/sync.ts')).syncCommand(present(source, destination), flags, io)),
    )

  configOption(
    pairArguments(
      root
        .command('status')
        .usage('[options] [NAME | SOURCE DESTINATION]')
        .description(
          'Say where pairs stand: last sync, paths in the state, a pending plan, an interrupted apply, and what to run next.',
        ),
    ),
  )
    .option(
      '--state <file>',
      "the pair's state file (default: the pair's, else ~/.local/state/syncengine/<pair>.json)",
    )
    .option('--no-color', 'plain output, even on a terminal')
    .addHelpText(
      'after',
      examples(
        'syncengine status                      # every pair of syncengine.json',
        'syncengine status photos',
        'syncengine status ./docs /mnt/backup/docs',
      ),
    )
    .action(async (source: string | undefined, destination: string | undefined, flags) =>
      exit(
        await (await import('./commands/status.ts')).statusCommand(present(source, destination), flags, io),
      ),
    )

  configOption(
    root
      .command('init')
      .description(
        'Write a commented syncengine.json with one pair to start from; never over an existing file.',
      )
      .argument('[source]', 'source folder of the first pair (default: ./documents)')
      .argument('[destination]', 'destination folder of the first pair (default: ./backup/documents)'),
  )
    .option('--name <name>', 'name of the first pair (default: the source folder’s name)')
    .addOption(
      new Option('-m, --mode <mode>', 'mode of the first pair (default: two-way)').choices(MODE_CHOICES),
    )
    .addHelpText(
      'after',
      examples(
        'syncengine init',
        'syncengine init ~/Pictures /mnt/nas/photos --name photos --mode source-backup',
        'syncengine init --config ~/sync/syncengine.json',
      ),
    )
    .action(async (source: string | undefined, destination: string | undefined, flags) =>
      exit(await (await import('./commands/init.ts')).initCommand(present(source, destination), flags, io)),
    )

  return root
}

const present = (...args: ReadonlyArray<string | undefined>): ReadonlyArray<string> =>
  args.filter((a): a is string => a !== undefined)

/** Runs the CLI on `argv` (without the node and script names) and returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<ExitCode> => {
  let code: ExitCode = ExitCode.ok
  try {
    await cliProgram(io, (c) => {
      code = c
    }).parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.error
    }
    io.stderr.write(`error: ${showText(error instanceof Error ? error.message : String(error))}\n`)
    return ExitCode.error
  }
  return code
}
