import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ExitCode, type Io } from '../../src/cli/io.ts'
import { cliProgram } from '../../src/cli/main.ts'
import { REPO, runCli } from './run-cli.ts'

/** The README documents the command line the program really has: every command, option and exit code. */

const silent: Io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: REPO }
const commands = cliProgram(silent, () => undefined).commands.filter((c) => c.name() !== 'help')
const readme = await readFile(join(REPO, 'README.md'), 'utf8')

/** The rows of the README's exit code table: `| 3 | … |`. */
const exitCodeTable = (): ReadonlyArray<number> => {
  const section = readme.slice(readme.indexOf('### Exit codes'))
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')))
  return [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))
}

describe('the README and the program agree', () => {
  it('has the commands it documents', () => {
    expect(commands.map((c) => c.name())).toEqual(['plan', 'show', 'apply', 'sync', 'status', 'init'])
  })

  it.each(commands.map((c) => [c.name(), c] as const))(
    'documents the command %s and each of its options',
    (name, command) => {
      expect(readme).toContain(`syncengine ${name}`)
      const flags = command.options.map((o) => o.long).filter((f): f is string => f !== undefined)
      expect(flags.length).toBeGreaterThan(0)
      for (const flag of flags)
        expect(readme, `${name} ${flag}`).toMatch(new RegExp(`\`[^\`]*${flag}(?=[\\s\`,=])`))
    },
  )

  it('lists every exit code in the exit code table', () => {
    expect(exitCodeTable()).toEqual(Object.values(ExitCode).sort((a, b) => a - b))
  })
})

describe('--help', () => {
  it.each(commands.map((c) => c.name()))(
    '%s --help exits 0 with a description, its options and examples',
    async (name) => {
      const help = await runCli([name, '--help'], { cwd: REPO })

      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^Usage: syncengine ${name} `))
      expect(help.stdout).toContain('Options:')
      expect(help.stdout).toMatch(/\nExamples:\n {2}syncengine /)
    },
  )

  it('the program --help lists every command and the exit codes', async () => {
    const help = await runCli(['--help'], { cwd: REPO })

    expect(help.code).toBe(0)
    for (const command of commands) expect(help.stdout).toMatch(new RegExp(`^ {2}${command.name()} `, 'm'))
    expect(help.stdout).toContain('Exit codes: 0 done')
    for (const code of Object.values(ExitCode)) expect(help.stdout).toContain(`${code} `)
  })
})
