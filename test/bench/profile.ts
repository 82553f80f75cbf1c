/**
 * `npm run profile -- copy|noop|both|mirror [FILES]`: where syncengine's time goes. Runs the command line
 * under `node --cpu-prof` on the benchmark's tree (100,000 small files by default): the initial copy into
 * an empty folder, the no-change plan of the pair that copy left (`both`: the two), or the mirror sync
 * after the benchmark's changes to the source (1% edits, 0.5% adds, deletes and renames). Prints the 25 functions with the most
 * self time, and the files they are in. The .cpuprofile files stay in test/bench/profiles/ (open them in
 * Chrome's DevTools, Performance tab).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { treeDifferences } from './compare-trees.ts'
import { byFile, type CpuProfile, selfTimes } from './cpu-profile.ts'
import type { Command } from './measure.ts'
import { quietly, REPO, syncengine, toolEnv } from './tools.ts'
import { applyChanges, changesFor, layout, writeTree } from './tree.ts'

const [what = 'both', filesArg = '100000'] = process.argv.slice(2)
const files = Number(filesArg)
if (!['copy', 'noop', 'both', 'mirror'].includes(what) || !Number.isInteger(files) || files <= 0) {
  console.error('usage: npm run profile -- copy|noop|both|mirror [FILES]')
  process.exit(2)
}

const TOP = 25
const out = join(REPO, 'test', 'bench', 'profiles')
mkdirSync(out, { recursive: true })
const base = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'syncengine-profile-'))
const [source, destination] = [join(base, 'source'), join(base, 'destination')]
const stateFile = join(base, 'state', 'syncengine.json')
const env = toolEnv(base)

/** Runs syncengine, under the profiler when `name` is given; stops everything if it fails. */
const run = (args: ReadonlyArray<string>, name?: string): number => {
  const command: Command = syncengine(args, env)
  const profiling =
    name === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', base, '--cpu-prof-name', `${name}.cpuprofile`]
  const start = process.hrtime.bigint()
  const done = spawnSync(command.file, [...profiling, ...command.args], {
    env: { ...process.env, ...command.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (done.status !== 0) {
    console.error(
      `syncengine ${args.join(' ')} exited ${done.status}:\n${done.stderr}${done.stdout.slice(-2000)}`,
    )
    process.exit(1)
  }
  return ms
}

const report = (name: string, wallMs: number): void => {
  const file = join(out, `${name}.cpuprofile`)
  renameSync(join(base, `${name}.cpuprofile`), file)
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const { totalMs, entries } = selfTimes(profile, REPO)
  const pct = (ms: number) => `${((100 * ms) / totalMs).toFixed(1)}%`.padStart(6)
  const msText = (ms: number) => ms.toFixed(0).padStart(7)
  console.log(`\n## ${name}: ${(wallMs / 1000).toFixed(2)} s wall, ${(totalMs / 1000).toFixed(2)} s sampled`)
  console.log(`   (${file})\n`)
  console.log(`  ${'self ms'.padStart(7)} ${'%'.padStart(6)}  function  (file:line)`)
  for (const e of entries.slice(0, TOP))
    console.log(`  ${msText(e.ms)} ${pct(e.ms)}  ${e.functionName}${e.where === '' ? '' : `  (${e.where})`}`)
  console.log(`\n  by file:`)
  for (const f of byFile(entries).slice(0, 12)) console.log(`  ${msText(f.ms)} ${pct(f.ms)}  ${f.file}`)
}

try {
  const started = Date.now()
  const tree = layout(files)
  writeTree(source, tree)
  mkdirSync(destination)
  console.log(`wrote ${files} files in ${((Date.now() - started) / 1000).toFixed(1)} s (${base})`)
  const copy = [
    'sync',
    source,
    destination,
    '--mode',
    'source-to-destination',
    '--state',
    stateFile,
    '-q',
    ...quietly,
  ]
  const copyMs = run(copy, what === 'copy' || what === 'both' ? 'copy' : undefined)
  const wrong = await treeDifferences(source, destination)
  if (wrong.length > 0) throw new Error(`the copy is not the source:\n  ${wrong.join('\n  ')}`)
  if (what === 'copy' || what === 'both') report('copy', copyMs)
  if (what === 'mirror') {
    const [onSource] = changesFor(tree, ['a'])
    if (onSource === undefined) throw new Error('changesFor made no sides')
    applyChanges(source, onSource, Date.now())
    report('mirror', run(copy, 'mirror'))
    const differences = await treeDifferences(source, destination)
    if (differences.length > 0)
      throw new Error(`the mirror is not the source:\n  ${differences.join('\n  ')}`)
  }
  if (what === 'noop' || what === 'both') {
    const noop = ['plan', source, destination, '--state', stateFile, '--detailed-exitcode', ...quietly]
    report('noop', run(noop, 'noop'))
  }
  const kept = readdirSync(out).filter((f) => f.endsWith('.cpuprofile'))
  console.log(`\nprofiles in test/bench/profiles/: ${kept.join(', ')}`)
} finally {
  await rm(base, { recursive: true, force: true })
}
