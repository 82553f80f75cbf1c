/**
 * The folders the scenarios run on. A pair is two equal trees (templates, written once) that every run
 * gets afresh as hard links, which takes seconds where a copy takes a minute and keeps the inode numbers
 * that syncengine's state and Unison's archive recorded at the first sync: so each run starts from the
 * same synced pair. Every tool writes a changed file as a new file renamed into place, so the templates
 * stay as they were; `checkTemplates` makes sure of it. Making a hard link moves a file's ctime, which
 * syncengine's state records (a moved ctime makes a file worth hashing before it is called unchanged), so
 * `reset` writes the new links' ctimes into the restored state: each run starts from the pair as the
 * first sync left it, not from a pair whose every file was just touched by `cp -al`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Entry } from '../../src/core/entry.ts'
import { loadState, saveState } from '../../src/state/state-file.ts'
import { metadataDigest } from './compare-trees.ts'
import { BenchmarkFailure } from './harness.ts'
import { quietly, syncengine, type ToolEnv, toolEnv, unison } from './tools.ts'
import { type Layout, layout, writeTree } from './tree.ts'

/** Runs a setup command, and stops the benchmark if it fails. */
export const sh = (
  file: string,
  args: ReadonlyArray<string>,
  env?: Readonly<Record<string, string>>,
): void => {
  const done = spawnSync(file, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' })
  if (done.error !== undefined || done.status !== 0)
    throw new BenchmarkFailure(
      `${file} ${args.join(' ')} failed (${done.error?.message ?? `exit ${done.status}`}): ${done.stderr}`,
    )
}

/** Runs setup commands side by side (the machine has more than one core), and waits for all of them. */
const shAll = (commands: ReadonlyArray<readonly [string, ReadonlyArray<string>]>): Promise<void> =>
  Promise.all(
    commands.map(
      ([file, args]) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] })
          let stderr = ''
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString()
          })
          child.on('error', reject)
          child.on('close', (code) =>
            code === 0
              ? resolve()
              : reject(new BenchmarkFailure(`${file} ${args.join(' ')} failed (exit ${code}): ${stderr}`)),
          )
        }),
    ),
  ).then(() => undefined)

/** The restored state, with the ctimes of the new hard links where it recorded the old ones. */
const restamp = async (
  stateFile: string,
  roots: readonly [string, string],
  recorded: { readonly source: string; readonly destination: string },
): Promise<void> => {
  const loaded = await loadState(stateFile, recorded)()
  if (E.isLeft(loaded) || loaded.right === null)
    throw new BenchmarkFailure(`cannot read the saved state ${stateFile}: ${JSON.stringify(loaded)}`)
  const state = loaded.right
  const entries = new Map(
    [...state.entries].map(([path, pair]) => {
      const [source, destination] = pair.map((entry, side) => {
        if (entry.kind !== 'file' || entry.change === undefined) return entry
        const now = lstatSync(join(roots[side] as string, path), { throwIfNoEntry: false })
        return now === undefined ? entry : { ...entry, change: String(now.ctimeMs) }
      }) as [Entry, Entry]
      return [path, [source, destination] as const]
    }),
  )
  const saved = await saveState(stateFile, { ...state, entries })()
  if (E.isLeft(saved))
    throw new BenchmarkFailure(`cannot write the state ${stateFile}: ${JSON.stringify(saved)}`)
}

export const emptyFolder = (dir: string): void => {
  sh('rm', ['-rf', dir])
  mkdirSync(dir, { recursive: true })
}

export interface Pair {
  readonly files: number
  readonly tree: Layout
  readonly dir: string
  readonly templates: { readonly source: string; readonly destination: string }
  readonly source: string
  readonly destination: string
  /** syncengine's state for the pair. */
  readonly stateFile: string
  readonly env: ToolEnv
  /** Fresh working trees and every tool's state as after the first sync (or the named saved state). */
  readonly reset: (state?: string) => Promise<void>
  /** Keeps syncengine's state as it is now, under `name`, for `reset(name)`. */
  readonly saveState: (name: string) => void
  readonly checkTemplates: () => void
}

export interface PairOptions {
  readonly unison: boolean
  readonly log: (line: string) => void
}

export const makePair = async (base: string, files: number, options: PairOptions): Promise<Pair> => {
  const dir = join(base, `pair-${files}`)
  const templates = {
    source: join(dir, 'templates', 'source'),
    destination: join(dir, 'templates', 'destination'),
  }
  const [source, destination] = [join(dir, 'source'), join(dir, 'destination')]
  const saved = join(dir, 'saved')
  const stateFile = join(dir, 'state', 'syncengine.json')
  const env = toolEnv(dir)
  const archive = env.vars.UNISON ?? join(env.home, 'unison')
  const savedArchive = join(saved, 'unison')

  const started = Date.now()
  const tree = layout(files)
  writeTree(templates.source, tree)
  mkdirSync(templates.destination, { recursive: true })
  sh('cp', ['-a', `${templates.source}/.`, templates.destination])
  const digests = [metadataDigest(templates.source), metadataDigest(templates.destination)]
  mkdirSync(saved, { recursive: true })
  options.log(`  wrote two trees of ${files} files in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  let resets = 0
  const resetTrees = async (): Promise<void> => {
    // The old trees move aside at once and go while the new ones are linked.
    const trash = join(dir, `trash-${++resets}`)
    mkdirSync(trash)
    for (const tree of [source, destination])
      if (existsSync(tree)) renameSync(tree, join(trash, tree === source ? 'source' : 'destination'))
    await shAll([
      ['rm', ['-rf', trash]],
      ['cp', ['-al', templates.source, source]],
      ['cp', ['-al', templates.destination, destination]],
    ])
    rmSync(join(dir, 'state'), { recursive: true, force: true })
    mkdirSync(join(dir, 'state'), { recursive: true })
    sh('rm', ['-rf', archive])
  }
  const pair: Pair = {
    files,
    tree,
    dir,
    templates,
    source,
    destination,
    stateFile,
    env,
    reset: async (state = 'syncengine.json') => {
      await resetTrees()
      copyFileSync(join(saved, state), stateFile)
      await restamp(stateFile, [source, destination], { source, destination })
      if (existsSync(savedArchive)) sh('cp', ['-a', savedArchive, archive])
    },
    saveState: (name) => copyFileSync(stateFile, join(saved, name)),
    checkTemplates: () => {
      if (
        metadataDigest(templates.source) !== digests[0] ||
        metadataDigest(templates.destination) !== digests[1]
      )
        throw new BenchmarkFailure(`a run changed the template trees of ${dir} through a hard link`)
    },
  }

  // The first sync of each tool that keeps state, on the working trees: both sides are equal, so it
  // only records them, and the templates stay untouched.
  await resetTrees()
  let at = Date.now()
  const first = syncengine(['sync', source, destination, '--state', stateFile, '-q', ...quietly], env)
  sh(first.file, first.args, env.vars)
  pair.saveState('syncengine.json')
  options.log(`  syncengine's first sync (records only): ${((Date.now() - at) / 1000).toFixed(1)} s`)
  if (options.unison) {
    at = Date.now()
    const command = unison(source, destination, env)
    sh(command.file, command.args, env.vars)
    sh('cp', ['-a', archive, savedArchive])
    options.log(`  Unison's first sync (hashes both trees): ${((Date.now() - at) / 1000).toFixed(1)} s`)
  }
  pair.checkTemplates()
  return pair
}
