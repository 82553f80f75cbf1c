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
    .addOption(
      new Option('--compare <how>', 'size-mtime, or checksum to compare contents')
        .choices(['size-mtime', 'checksum'])
        .default('size-mtime'),
    )
    .option(
      '--mtime-tolerance <ms>',
      'mtimes on the two sides this close are the same (default: 1, or the storage’s precision)',
    )
    .option('--state <file>', "the pair's state file (default: ~/.local/state/syncengine/<pair>.json)")
    .option('--ignore <pattern>', 'gitignore pattern to leave alone on both sides (repeatable)', collect, [])
    .option(
      '--include <pattern>',
      'only sync paths matching this gitignore pattern (repeatable)',
      collect,
      [],
    )
    .option('--force-upload', 're-send files that are already the same, source to destination')
    .option('--force-download', 're-send files that are already the same, destination to source')
    .option(
      '--max-delete <limit>',
      'block a plan deleting more files than this on a side: a number, or a percentage',
      '50%',
    )
    .option('--allow-mass-delete', 'let a plan over --max-delete through')
    .option('--backup-dir <dir>', 'keep what deletes and overwrites remove, in <dir>/<side>/<path>.<time>')
    .option('--no-color', 'plain output, even on a terminal')

const runOptions = (command: Command): Command =>
  command
    .option('--transfers <n>', 'copies to run at once', '4')
    .option('--retries <n>', 'retries of an action after a transient error (EIO, EBUSY, timeouts)', '2')
    .option('--retry-delay <ms>', 'wait before the first retry; doubles after each', '200')

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
    .description('Print a saved plan for review, with its digest.')
    .argument('<plan>', 'plan file')
    .option('--json', 'print the canonical JSON')
    .option('--no-color', 'plain output, even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  syncengine show plan.json\n  syncengine show plan.json --json | jq .summary',
    )
    .action(async (file: string, flags) => exit(await showCommand(file, flags, io)))

  runOptions(
    root
      .command('apply')
      .description(
        'Carry out a reviewed plan. Actions whose paths changed since the plan are skipped, never forced.',
      )
      .argument('<plan>', 'plan file written by `syncengine plan --out`')
      .argument('[roots...]', "SOURCE DESTINATION: refuse the plan unless they are the plan's"),
  )
    .option(
      '--state <file>',
      "the pair's state file (default: the plan's, else ~/.local/state/syncengine/<pair>.json)",
    )
    .option(
      '--expect-digest <sha256>',
      'refuse the plan unless its digest is this one (as printed by plan and show)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  syncengine apply plan.json\n  syncengine apply plan.json ./docs /mnt/backup/docs --expect-digest sha256:3f2a…',
    )
    .action(async (file: string, roots: ReadonlyArray<string>, flags) =>
      exit(await applyCommand(file, roots, flags, io)),
    )

  runOptions(
    pairOptions(
      root
        .command('sync')
        .description('Plan and apply in one go, for scripts that do not review.')
        .argument('<source>', 'source folder')
        .argument('<destination>', 'destination folder'),
    ),
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
