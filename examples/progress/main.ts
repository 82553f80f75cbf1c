// Progress: subscribes to apply's events and prints a line per finished action, with counts and bytes done. Run: npm run example:progress
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  type Action,
  type ApplyEvent,
  applyPair,
  defaultPolicy,
  localStorage,
  planPair,
} from '../../src/index.ts'

const base = await mkdtemp(join(tmpdir(), 'syncengine-progress-'))
const camera = join(base, 'camera')
const archive = join(base, 'archive')
const stateFile = join(base, 'state.json')
const sides = { source: localStorage(camera), destination: localStorage(archive) }

const write = async (root: string, path: string, bytes: number): Promise<void> => {
  await mkdir(dirname(join(root, path)), { recursive: true })
  await writeFile(join(root, path), Buffer.alloc(bytes, 'x'))
}

/** What an action moves across, in bytes: the size of a copied file, nothing for the rest. */
const bytesOf = (action: Action): number =>
  action.kind === 'copy' && action.entry.kind === 'file' ? action.entry.size : 0

const describe = (action: Action): string => {
  switch (action.kind) {
    case 'copy':
      return `${action.replaces === null ? '+' : '~'} ${action.direction} ${action.path}`
    case 'mkdir':
      return `+ mkdir on ${action.side} ${action.path}/`
    case 'delete':
      return `- delete on ${action.side} ${action.path}`
    case 'move':
      return `→ move on ${action.side} ${action.from} → ${action.to}`
    case 'clone':
      return `+ copy on ${action.side} ${action.from} → ${action.to}`
    case 'meta':
      return `~ metadata on ${action.side} ${action.path}`
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

try {
  for (let i = 1; i <= 6; i++) await write(camera, `2026-01/IMG_00${i}.jpg`, i * 40_000)
  await write(camera, '2026-01/notes.txt', 300)
  await write(archive, 'old/IMG_0000.jpg', 1_000)
  // An older copy of the notes: a mirror that would delete every file of its target is refused.
  await write(archive, '2026-01/notes.txt', 200)

  const planned = await planPair({
    sides,
    state: null,
    policy: { ...defaultPolicy, mode: 'source-to-destination' },
  })()
  if (planned._tag === 'Left') throw new Error(JSON.stringify(planned.left))
  const plan = planned.right
  const total = plan.actions.length
  const totalBytes = plan.summary.bytes.upload + plan.summary.bytes.download
  console.log(`plan: ${total} actions, ${kib(totalBytes)} to transfer`)

  let done = 0
  let bytesDone = 0
  const onEvent = (event: ApplyEvent): void => {
    // 'action-start' comes first for each action; this example reports only what has finished.
    if (event.type !== 'action') return
    done++
    bytesDone += event.outcome.status === 'applied' ? bytesOf(event.action) : 0
    const percent = totalBytes === 0 ? 100 : Math.round((bytesDone / totalBytes) * 100)
    console.log(
      `[${done}/${total}] ${event.outcome.status.padEnd(12)} ${describe(event.action).padEnd(42)} ${kib(bytesDone)} of ${kib(totalBytes)} (${percent}%)`,
    )
  }
  const applied = await applyPair({ plan, sides, stateFile, onEvent, transfers: 2 })()
  if (applied._tag === 'Left') throw new Error(JSON.stringify(applied.left))
  const { counts } = applied.right
  console.log(
    `done: ${counts.applied} applied, ${counts.alreadyDone} already done, ${counts.drifted} skipped, ${counts.failed} failed`,
  )
} finally {
  await rm(base, { recursive: true, force: true })
}
