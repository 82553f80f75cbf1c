/**
 * The scale run, in a process of its own so that its peak RSS is its own: a pair of N entries on the
 * in-memory storage, planned and applied through the library, then planned again (which must be empty).
 * Usage: node --import tsx test/bench/scale.ts N. Prints one JSON line of timings in milliseconds.
 */
import * as E from 'fp-ts/lib/Either.js'
import { newState } from '../../src/core/sync-state.ts'
import { applyPlan, defaultPolicy, hasChanges, isComplete, memoryStorage, planPair } from '../../src/index.ts'
import { layout } from './tree.ts'

const count = Number(process.argv[2] ?? '1000000')
if (!Number.isInteger(count) || count <= 0) throw new Error(`usage: scale.ts FILES (got ${process.argv[2]})`)

const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6
const fail = (what: string, detail: unknown): never => {
  throw new Error(`${what}: ${JSON.stringify(detail).slice(0, 500)}`)
}

let start = process.hrtime.bigint()
const tree = layout(count)
const source = memoryStorage({ root: 'memory:/source' })
const destination = memoryStorage({ root: 'memory:/destination' })
// Small contents keep the tree in memory; the sizes do not change what planning costs.
for (const f of tree.files) source.put(f.path, f.path, { mtimeMs: f.mtimeMs, exec: f.exec })
const build = since(start)
const sides = { source, destination }

start = process.hrtime.bigint()
const first = await planPair({ sides, state: null, policy: defaultPolicy })()
if (E.isLeft(first)) fail('the first plan failed', first.left)
const plan = E.isRight(first) ? first.right : fail('unreachable', null)
const planned = since(start)

start = process.hrtime.bigint()
const applied = await applyPlan(plan, sides, {
  current: null,
  fresh: () => newState('scale', source.root, destination.root),
  transfers: 4,
})()
const report = E.isRight(applied) ? applied.right : fail('the apply failed', applied.left)
if (!isComplete(report)) fail('the apply did not finish', report.counts)
const apply = since(start)

start = process.hrtime.bigint()
const again = await planPair({ sides, state: report.state, policy: defaultPolicy })()
if (E.isLeft(again)) fail('the second plan failed', again.left)
if (E.isRight(again) && hasChanges(again.right)) fail('the second plan is not empty', again.right.summary)
const replan = since(start)

const sample = tree.files[Math.floor(tree.files.length / 2)]
if (sample !== undefined && destination.readText(sample.path) !== sample.path)
  fail('the destination does not hold what the source does', sample.path)

console.log(
  JSON.stringify({
    files: count,
    entries: report.state.entries.size,
    actions: plan.actions.length,
    buildMs: build,
    planMs: planned,
    applyMs: apply,
    replanMs: replan,
  }),
)
