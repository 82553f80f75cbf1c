/** Scenarios that change a synced pair and sync it: both sides changed (two-way), one side (mirror). */
import { readdirSync } from 'node:fs'
import { type Bench, count, secondPlanProblems, treeDifferences } from './bench.ts'
import type { Pair } from './fixtures.ts'
import type { Contender, Scenario } from './harness.ts'
import { quietly, rsync, syncengine, unison } from './tools.ts'
import { applyChanges, changesFor, fileCountAfter, missingChanges, type SideChanges } from './tree.ts'

const filesIn = (root: string): number =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length

/** Both trees equal, showing every change of every side, with the right number of files. */
const syncedProblems = async (pair: Pair, changes: ReadonlyArray<SideChanges>): Promise<string[]> => {
  const problems = await treeDifferences(pair.source, pair.destination)
  if (problems.length > 0) return problems
  for (const side of changes) problems.push(...missingChanges(pair.source, side).slice(0, 5))
  const expected = fileCountAfter(pair.tree, changes)
  const found = filesIn(pair.source)
  if (found !== expected) problems.push(`${found} files after the sync, where ${expected} were expected`)
  return problems
}

export const twoWay = (bench: Bench, files: number): Scenario => {
  const title = `two-way sync, ${count(files)} files, both sides changed (1% edits, 0.5% adds/deletes/renames each)`
  return {
    key: 'two-way',
    title,
    ...bench.rounds(2),
    prepare: async () => {
      const pair = await bench.pair(files)
      const changes = changesFor(pair.tree, ['a', 'b'])
      const [onSource, onDestination] = changes
      if (onSource === undefined || onDestination === undefined) throw new Error('changesFor made no sides')
      const reset = async () => {
        await pair.reset()
        const now = Date.now()
        applyChanges(pair.source, onSource, now)
        applyChanges(pair.destination, onDestination, now)
      }
      const contenders: Contender[] = [
        {
          column: 'syncengine',
          label: 'syncengine sync',
          reset,
          command: () =>
            syncengine(
              ['sync', pair.source, pair.destination, '--state', pair.stateFile, '-q', ...quietly],
              pair.env,
            ),
          check: async (_, round) => {
            const problems = await syncedProblems(pair, changes)
            if (problems.length > 0 || round > 0) return problems
            return secondPlanProblems(pair.source, pair.destination, pair.stateFile, pair.env)
          },
        },
      ]
      if (bench.peers.has('unison'))
        contenders.push({
          column: 'unison',
          label: 'unison -batch',
          reset,
          command: () => unison(pair.source, pair.destination, pair.env),
          check: () => syncedProblems(pair, changes),
        })
      return contenders
    },
    finish: async () => (await bench.pair(files)).checkTemplates(),
  }
}

export const mirror = (bench: Bench, files: number): Scenario => ({
  key: 'mirror',
  title: `mirror sync, ${count(files)} files, source changed (1% edits, 0.5% adds/deletes/renames)`,
  ...bench.rounds(2),
  prepare: async () => {
    const pair = await bench.pair(files)
    const [onSource] = changesFor(pair.tree, ['a'])
    if (onSource === undefined) throw new Error('changesFor made no sides')
    const reset = async () => {
      await pair.reset()
      applyChanges(pair.source, onSource, Date.now())
    }
    const mirrored = async (): Promise<string[]> => {
      const problems = await treeDifferences(pair.source, pair.destination)
      return problems.length > 0 ? problems : missingChanges(pair.destination, onSource).slice(0, 5)
    }
    const mode = ['--mode', 'source-to-destination']
    const contenders: Contender[] = [
      {
        column: 'syncengine',
        label: 'syncengine sync --mode source-to-destination',
        reset,
        command: () =>
          syncengine(
            ['sync', pair.source, pair.destination, ...mode, '--state', pair.stateFile, '-q', ...quietly],
            pair.env,
          ),
        check: async (_, round) => {
          const problems = await mirrored()
          if (problems.length > 0 || round > 0) return problems
          return secondPlanProblems(pair.source, pair.destination, pair.stateFile, pair.env, mode)
        },
      },
    ]
    if (bench.peers.has('rsync'))
      contenders.push({
        column: 'rsync',
        label: 'rsync -a --delete',
        reset,
        command: () => rsync(['-a', '--delete'], pair.source, pair.destination, pair.env),
        check: mirrored,
      })
    return contenders
  },
  finish: async () => (await bench.pair(files)).checkTemplates(),
})
