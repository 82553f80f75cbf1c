/** Scenarios that fill an empty destination: many small files, a few large ones. */
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Bench, count, secondPlanProblems, treeDifferences } from './bench.ts'
import { type CompareOptions, strict } from './compare-trees.ts'
import { emptyFolder } from './fixtures.ts'
import type { Column, Contender, Scenario } from './harness.ts'
import { cp, quietly, rclone, rsync, syncengine, toolEnv, unison } from './tools.ts'
import { writeLargeFiles } from './tree.ts'

const MiB = 1024 * 1024

/** The contenders of a copy from `source` into the empty folder `destination`, each tool a fresh start. */
const copyContenders = (
  bench: Bench,
  dir: string,
  source: string,
  peers: ReadonlyArray<Extract<Column, 'rsync' | 'unison' | 'rclone' | 'cp'>>,
): Contender[] => {
  const destination = join(dir, 'destination')
  const env = toolEnv(dir)
  const stateFile = join(dir, 'state', 'syncengine.json')
  const reset = () => {
    emptyFolder(destination)
    rmSync(join(dir, 'state'), { recursive: true, force: true })
    rmSync(env.vars.UNISON ?? join(env.home, 'unison'), { recursive: true, force: true })
  }
  const copied = (options: CompareOptions) => async (): Promise<string[]> => {
    const problems = await treeDifferences(source, destination, options)
    return existsSync(destination) ? problems : ['no destination folder']
  }
  const mode = ['--mode', 'source-to-destination']
  const contenders: Contender[] = [
    {
      column: 'syncengine',
      label: 'syncengine sync --mode source-to-destination',
      reset,
      command: () =>
        syncengine(['sync', source, destination, ...mode, '--state', stateFile, '-q', ...quietly], env),
      check: async (_, round) => {
        const problems = await copied(strict)()
        if (problems.length > 0 || round > 0) return problems
        return secondPlanProblems(source, destination, stateFile, env, mode)
      },
    },
  ]
  const peer = {
    rsync: { label: 'rsync -a', command: () => rsync(['-a'], source, destination, env), same: strict },
    unison: { label: 'unison -batch', command: () => unison(source, destination, env), same: strict },
    // rclone keeps neither permissions nor empty folders between local folders.
    rclone: {
      label: 'rclone sync',
      command: () => rclone('sync', source, destination, env),
      same: { ...strict, exec: false, emptyFolders: false },
    },
    cp: { label: 'cp -a', command: () => cp(source, destination, env), same: strict },
  } as const
  for (const column of peers)
    if (bench.peers.has(column)) {
      const { label, command, same } = peer[column]
      contenders.push({ column, label, reset, command, check: copied(same) })
    }
  return contenders
}

export const copySmall = (bench: Bench, files: number): Scenario => ({
  key: 'copy',
  title: `initial copy, ${count(files)} small files (about 8 KiB on average) into an empty folder`,
  // The longest scenario, so one round at 100k: the scenarios before it left the source in the page cache.
  ...bench.rounds(files >= 100_000 ? 1 : 3, files < 100_000),
  prepare: async () => {
    const pair = await bench.pair(files)
    return copyContenders(bench, join(bench.base, `copy-${files}`), pair.templates.source, [
      'rsync',
      'unison',
      'rclone',
      'cp',
    ])
  },
  finish: async () => (await bench.pair(files)).checkTemplates(),
})

export const copyLarge = (bench: Bench): Scenario => {
  const [files, size] = bench.quick ? [4, 8 * MiB] : [20, 50 * MiB]
  return {
    key: 'copy-large',
    title: `initial copy, ${files} files of ${size / MiB} MiB into an empty folder`,
    ...bench.rounds(3),
    prepare: async () => {
      const dir = join(bench.base, 'large')
      const source = join(dir, 'source')
      writeLargeFiles(source, files, size)
      return copyContenders(bench, dir, source, ['rsync', 'cp'])
    },
  }
}
