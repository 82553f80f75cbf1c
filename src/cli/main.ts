import { Command, CommanderError, Option } from 'commander'
import { CONFLICT_STRATEGIES, MODES } from '../core/policy.ts'
import { applyCommand } from './commands/apply.ts'
import { planCommand } from './commands/plan.ts'
import { showCommand } from './commands/show.ts'
import { syncCommand } from './commands/sync.ts'
import { ExitCode, type Io } from './io.ts'

const collect = (value: string, previous: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...previous,
  value,
]

const pairOptions = (command: Command): Command =>
  command
    .addOption(new Option('-m, --mode <mode>', 'what goes where').choices(MODES).default('two-way'))
    .addOption(
      new Option('-c, --conflict <strategy>', 'what to do when both sides changed a file')
        .choices(CONFLICT_STRATEGIES)
        .default('keep-both'),
    )
    .option('--state <file>', "the pair's state file (default: ~/.local/state/syncengine/<pair>.json)")
    .option('--ignore <pattern>', 'gitignore pattern to leave alone on both sides (repeatable)', collect, [])
    .option(
      '--include <pattern>',
      'only sync paths matching this gitignore pattern (repeatable)',
      collect,
      [],
    )
    .option('--no-color', 'plain output, even on a terminal')

const program = (io: Io, exit: (code: ExitCode) => void): Command => {
  const root = new Command('syncengine')
    .description('Keep two folders in sync through a plan you can read before anything is touched.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')

  pairOptions(
    root
      .command('plan')
      .description('Compare both sides with the last sync and print what apply would do; save it with --out.')
      .argument('<source>', 'source folder')
      .argument('<destination>', 'destination folder'),
  )
    .option('-o, --out <file>', 'write the plan as JSON to this file, for review and apply')
    .option('--json', 'print the plan as JSON instead of text')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 1 on error')
    .addHelpText(
      'after',
      `
Examples:
  syncengine plan ./docs /mnt/backup/docs --out plan.json
  syncengine plan ./photos /media/usb/photos --mode source-backup --ignore '*.tmp' --out plan.json
  syncengine plan a b --detailed-exitcode >/dev/null; echo $?   # 0: in sync, 2: changes`,
    )
    .action(async (source: string, destination: string, flags) =>
      exit(await planCommand(source, destination, flags, io)),
    )

  root
    .command('show')
    .description('Print a saved plan for review.')
    .argument('<plan>', 'plan file')
    .option('--json', 'print the canonical JSON')
    .option('--no-color', 'plain output, even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  syncengine show plan.json\n  syncengine show plan.json --json | jq .summary',
    )
    .action(async (file: string, flags) => exit(await showCommand(file, flags, io)))

  root
    .command('apply')
    .description(
      'Carry out a reviewed plan. Actions whose paths changed since the plan are skipped, never forced.',
    )
    .argument('<plan>', 'plan file written by `syncengine plan --out`')
    .option(
      '--state <file>',
      "the pair's state file (default: the plan's, else ~/.local/state/syncengine/<pair>.json)",
    )
    .addHelpText('after', '\nExamples:\n  syncengine apply plan.json')
    .action(async (file: string, flags) => exit(await applyCommand(file, flags, io)))

  pairOptions(
    root
      .command('sync')
      .description('Plan and apply in one go, for scripts that do not review.')
      .argument('<source>', 'source folder')
      .argument('<destination>', 'destination folder'),
  )
    .option('-q, --quiet', 'do not print the plan')
    .addHelpText(
      'after',
      '\nExamples:\n  syncengine sync ./notes /mnt/nas/notes\n  syncengine sync ./site /var/www/site --mode source-to-destination',
    )
    .action(async (source: string, destination: string, flags) =>
      exit(await syncCommand(source, destination, flags, io)),
    )

  return root
}

/** Runs the CLI on `argv` (without the node and script names) and returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<ExitCode> => {
  let code: ExitCode = ExitCode.ok
  try {
    await program(io, (c) => {
      code = c
    }).parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.error
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
    return ExitCode.error
  }
  return code
}
