import { mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path'
import { PAIR_NAME } from '../../config/config-codec.ts'
import { CONFIG_NAME } from '../../config/config-file.ts'
import { starterConfig } from '../../config/starter.ts'
import { showPath } from '../../core/show-path.ts'
import { ExitCode, type Io, showFile } from '../io.ts'
import { fail, usage } from './plan.ts'

export interface InitFlags {
  readonly config?: string
  readonly name?: string
  readonly mode?: string
}

/** A folder as the config should hold it: relative to the config's own folder, like every path in it. */
const fromConfigDir = (configDir: string, cwd: string, path: string): string => {
  if (isAbsolute(path) || path === '~' || path.startsWith('~/')) return path
  const rel = relative(configDir, resolve(cwd, path))
  return rel.startsWith('..') ? rel : `./${rel}`
}

/** A pair name from a folder name: its letters, digits, - and _. */
const nameFrom = (folder: string): string => {
  const name = basename(resolve(folder))
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
  return PAIR_NAME.test(name) ? name : 'documents'
}

/** Writes a commented starter `syncengine.json`; never over an existing file. */
export const initCommand = async (
  args: ReadonlyArray<string>,
  flags: InitFlags,
  io: Io,
): Promise<ExitCode> => {
  const [source, destination] = args
  if (source !== undefined && destination === undefined)
    return fail(io, usage('give both SOURCE and DESTINATION, or neither for an example pair'))
  const name = flags.name ?? (source === undefined ? 'documents' : nameFrom(source))
  if (!PAIR_NAME.test(name))
    return fail(
      io,
      usage(`--name takes letters, digits, - and _, starting with a letter or digit (got "${name}")`),
    )
  const shown = flags.config ?? CONFIG_NAME
  const file = resolve(io.cwd, shown)
  const dir = dirname(file)
  const pair = {
    name,
    source: fromConfigDir(dir, io.cwd, source ?? './documents'),
    destination: fromConfigDir(dir, io.cwd, destination ?? './backup/documents'),
    mode: flags.mode ?? 'two-way',
  }
  try {
    await mkdir(dir, { recursive: true })
    // `wx`: created only if absent, so a config written meanwhile is not overwritten either.
    await writeFile(file, starterConfig(pair), { flag: 'wx' })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return fail(io, { _tag: 'ConfigExists', shown })
    return fail(io, { _tag: 'ConfigUnwritable', shown, message: (error as Error).message })
  }
  const config = flags.config === undefined ? '' : ` --config ${showPath(flags.config)}`
  io.stdout.write(
    `Wrote ${showFile(io, file)} with the pair ${name}: ${showPath(pair.source)} → ${showPath(pair.destination)} (${pair.mode}).\nEdit it, then run: syncengine plan ${name}${config}\n`,
  )
  return ExitCode.ok
}
