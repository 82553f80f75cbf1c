// Two-way sync with the library: plan, read the plan, apply; then edits on both sides, and a conflict. Run: npm run example:two-way
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  applyPair,
  defaultPolicy,
  loadState,
  localStorage,
  type Policy,
  plainStyle,
  planPair,
  render,
} from '../../src/index.ts'

const base = await mkdtemp(join(tmpdir(), 'syncengine-two-way-'))
const laptop = join(base, 'laptop')
const nas = join(base, 'nas')
// The state (what the last sync left) lives outside both folders.
const stateFile = join(base, 'state.json')
const sides = { source: localStorage(laptop), destination: localStorage(nas) }
const policy: Policy = { ...defaultPolicy, mode: 'two-way', conflict: 'keep-both' }

/** Writes a file with a given mtime (minutes after 2026-01-01 UTC), so "newer" is clear. */
const write = async (root: string, path: string, text: string, minute: number): Promise<void> => {
  const file = join(root, path)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  const time = new Date(Date.UTC(2026, 0, 1, 0, minute))
  await utimes(file, time, time)
}

const filesIn = async (root: string): Promise<string> => {
  const names = await readdir(root, { recursive: true, withFileTypes: true })
  return names
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
    .join(', ')
}

/** Plans against the saved state, prints the plan as a reviewer reads it, then applies it. */
const sync = async (title: string): Promise<void> => {
  console.log(`\n== ${title}`)
  const state = await loadState(stateFile, { source: laptop, destination: nas })()
  if (state._tag === 'Left') throw new Error(`state: ${JSON.stringify(state.left)}`)
  const planned = await planPair({ sides, state: state.right, policy })()
  if (planned._tag === 'Left') throw new Error(`plan: ${JSON.stringify(planned.left)}`)
  console.log(render(planned.right, plainStyle).trimEnd())
  const applied = await applyPair({ plan: planned.right, sides, stateFile })()
  if (applied._tag === 'Left') throw new Error(`apply: ${JSON.stringify(applied.left)}`)
  const { applied: done, drifted, failed } = applied.right.counts
  console.log(`applied ${done} actions, ${drifted} skipped, ${failed} failed`)
  console.log(`laptop: ${await filesIn(laptop)}`)
  console.log(`nas:    ${await filesIn(nas)}`)
}

try {
  await write(laptop, 'notes/todo.md', '- book the dentist\n', 0)
  await write(laptop, 'report.txt', 'Q4 report\n', 0)
  await write(nas, 'house.txt', 'Wi-Fi: visitors\n', 0)
  await sync('first sync: each side gets what only the other has')

  await write(laptop, 'report.txt', 'Q4 report, final\n', 10)
  await write(nas, 'house.txt', 'Wi-Fi: visitors, password on the fridge\n', 10)
  await sync('an edit on each side: uploaded and downloaded')

  await write(laptop, 'notes/todo.md', '- book the dentist\n- call mum\n', 20)
  await write(nas, 'notes/todo.md', '- book the dentist\n- water the plants\n', 30)
  await sync('both sides edited todo.md: a conflict, and keep-both keeps both versions')

  await sync('nothing changed since: an empty plan')
  console.log(
    `\ntodo.md now reads: ${JSON.stringify(await readFile(join(laptop, 'notes', 'todo.md'), 'utf8'))}`,
  )
} finally {
  await rm(base, { recursive: true, force: true })
}
