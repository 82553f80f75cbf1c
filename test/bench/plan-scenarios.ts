/** Scenarios that only look: start-up, a plan of an unchanged pair, the same by checksum. */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Entry } from '../../src/core/entry.ts'
import { decodeState, encodeState } from '../../src/core/state-format.ts'
import { type Bench, count } from './bench.ts'
import { emptyFolder, sh } from './fixtures.ts'
import { BenchmarkFailure, type Contender, type Scenario } from './harness.ts'
import { nodeNothing, quietly, rclone, rsync, syncengine, toolEnv, unison, walk } from './tools.ts'

export const startup = (bench: Bench): ReadonlyArray<Scenario> => {
  const floor: Contender = { column: 'floor', label: 'node -e 0', command: () => nodeNothing }
  const dir = join(bench.base, 'startup')
  const [a, b] = [join(dir, 'a'), join(dir, 'b')]
  const env = () => toolEnv(dir)
  return [
    {
      key: 'startup',
      title: 'CLI start-up: `syncengine --help` (floor: `node -e 0`)',
      ...bench.rounds(5),
      prepare: async () => [
        {
          column: 'syncengine',
          label: 'syncengine --help',
          command: () => syncengine(['--help']),
          captureStdout: true,
          check: (run) => (run.stdout.startsWith('Usage: syncengine') ? [] : ['--help printed no usage']),
        },
        floor,
      ],
    },
    {
      key: 'startup',
      title: 'CLI start-up: plan of two empty folders (floor: `node -e 0`)',
      ...bench.rounds(5),
      prepare: async () => {
        emptyFolder(a)
        emptyFolder(b)
        const tools = env()
        const state = join(dir, 'state.json')
        const contenders: Contender[] = [
          {
            column: 'syncengine',
            label: 'syncengine plan (empty)',
            command: () =>
              syncengine(['plan', a, b, '--state', state, '--detailed-exitcode', ...quietly], tools),
          },
        ]
        if (bench.peers.has('rsync'))
          contenders.push({
            column: 'rsync',
            label: 'rsync -a --delete -n',
            command: () => rsync(['-a', '--delete', '-n'], a, b, tools),
          })
        if (bench.peers.has('unison'))
          contenders.push({
            column: 'unison',
            label: 'unison -batch (empty)',
            command: () => unison(a, b, tools),
          })
        if (bench.peers.has('rclone'))
          contenders.push({
            column: 'rclone',
            label: 'rclone sync --dry-run (empty)',
            command: () => rclone('sync', a, b, tools, ['--dry-run']),
          })
        return [...contenders, floor]
      },
    },
  ]
}

/** A plan of a synced pair where nothing changed, against the peers' dry runs and a bare walk. */
export const noChange = (bench: Bench, files: number, key: string): Scenario => ({
  key,
  title: `no-change plan, ${count(files)} files (floor: readdir + lstat of both trees)`,
  ...bench.rounds(3),
  prepare: async () => {
    const pair = await bench.pair(files)
    await pair.reset()
    const { source, destination, env } = pair
    const contenders: Contender[] = [
      {
        column: 'syncengine',
        label: 'syncengine plan',
        command: () =>
          syncengine(
            ['plan', source, destination, '--state', pair.stateFile, '--detailed-exitcode', ...quietly],
            env,
          ),
      },
    ]
    if (bench.peers.has('rsync'))
      contenders.push({
        column: 'rsync',
        label: 'rsync -a --delete -n',
        command: () => rsync(['-a', '--delete', '-n'], source, destination, env),
      })
    if (bench.peers.has('unison'))
      contenders.push({
        column: 'unison',
        label: 'unison -batch',
        command: () => unison(source, destination, env),
      })
    if (bench.peers.has('rclone'))
      contenders.push({
        column: 'rclone',
        label: 'rclone sync --dry-run',
        command: () => rclone('sync', source, destination, env, ['--dry-run']),
      })
    contenders.push({ column: 'floor', label: 'walk both trees', command: () => walk([source, destination]) })
    return contenders
  },
  finish: async () => (await bench.pair(files)).checkTemplates(),
})

/** The size of a state file with its hashes left out, as the state file writes it. */
const withoutHashes = (stateFile: string): number => {
  const state = decodeState(JSON.parse(readFileSync(stateFile, 'utf8')))
  if (E.isLeft(state)) throw new BenchmarkFailure(`${stateFile}: ${state.left.join('; ')}`)
  const bare = (entry: Entry): Entry => {
    if (entry.kind !== 'file') return entry
    const { hash: _, ...rest } = entry
    return rest
  }
  const entries = new Map(
    [...state.right.entries].map(([path, [source, destination]]) => [
      path,
      [bare(source), bare(destination)] as const,
    ]),
  )
  return Buffer.byteLength(`${JSON.stringify(encodeState({ ...state.right, entries }))}\n`)
}

/**
 * `--compare checksum` on an unchanged pair whose hashes the state already holds (it reads no file),
 * against rsync, which reads every file each time (rclone check does too, at twice rsync's time). Also measures the state file with and without hashes.
 */
export const checksum = (bench: Bench, files: number): Scenario => {
  const facts: Record<string, number> = {}
  return {
    key: 'checksum',
    title: `no-change plan by checksum, ${count(files)} files (syncengine's hash cache warm)`,
    ...bench.rounds(2),
    facts: () => facts,
    prepare: async () => {
      const pair = await bench.pair(files)
      const { source, destination, env } = pair
      await pair.reset()
      // A first sync of two equal trees hashes both (the files look alike and the state has no record
      // of them), so the state it leaves holds hashes: without them is the same file, hashes left out.
      facts.stateBytes = withoutHashes(pair.stateFile)
      const first = syncengine(
        ['sync', source, destination, '--state', pair.stateFile, '--compare', 'checksum', '-q', ...quietly],
        env,
      )
      const at = Date.now()
      sh(first.file, first.args, env.vars)
      bench.log(
        `  syncengine's checksum sync (hashes both trees): ${((Date.now() - at) / 1000).toFixed(1)} s`,
      )
      facts.stateBytesWithHashes = statSync(pair.stateFile).size
      facts.entries = pair.tree.files.length + pair.tree.dirs.length
      pair.saveState('syncengine-checksum.json')
      await pair.reset('syncengine-checksum.json')
      const contenders: Contender[] = [
        {
          column: 'syncengine',
          label: 'syncengine plan --compare checksum',
          command: () =>
            syncengine(
              [
                'plan',
                source,
                destination,
                '--state',
                pair.stateFile,
                '--compare',
                'checksum',
                '--detailed-exitcode',
                ...quietly,
              ],
              env,
            ),
        },
      ]
      if (bench.peers.has('rsync'))
        contenders.push({
          column: 'rsync',
          label: 'rsync -a --checksum --delete -n',
          command: () => rsync(['-a', '--checksum', '--delete', '-n'], source, destination, env),
        })
      return contenders
    },
    finish: async () => (await bench.pair(files)).checkTemplates(),
  }
}
