// Download a remote folder (destination-to-source): a "remote" in-memory storage is mirrored into a local folder, like downloading it, and kept up to date. Run: npm run example:cloud-download
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createSyncEngine,
  describeError,
  localStorage,
  memoryStorage,
  plainStyle,
  render,
} from '../../src/index.ts'

const base = await mkdtemp(join(tmpdir(), 'syncengine-cloud-download-'))
// The local folder does not exist yet: the first apply creates it.
const downloads = join(base, 'downloads', 'reports')
const stateFile = join(base, 'state.json')

// Stands in for a bucket or a share: any Storage works the same way (see examples/custom-storage).
const remote = memoryStorage({ root: 'memory://company-drive/reports' })
const t0 = Date.UTC(2026, 0, 1)
remote.put('2025/q4.pdf', 'Q4 figures', { mtimeMs: t0 })
remote.put('2026/q1.pdf', 'Q1 figures, draft', { mtimeMs: t0 })
remote.put('README.txt', 'Quarterly reports', { mtimeMs: t0 })

const filesIn = async (root: string): Promise<string> =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
    .join(', ')

// Upload is source → destination, download is destination → source: the remote is the destination side,
// and `destination-to-source` makes the local source folder a mirror of it.
const download = async (title: string): Promise<void> => {
  console.log(`\n== ${title}`)
  const synced = await createSyncEngine().syncPair({
    source: localStorage(downloads),
    destination: remote,
    stateFile,
    policy: { mode: 'destination-to-source' },
  })()
  // Errors are values: describeError gives the line the command line would print.
  if (synced._tag === 'Left') throw new Error(describeError(synced.left))
  const { plan, report } = synced.right
  console.log(render(plan, plainStyle).trimEnd())
  console.log(`downloaded ${plan.summary.bytes.download} bytes; ${report.counts.applied} actions applied`)
  console.log(`local folder: ${await filesIn(downloads)}`)
}

try {
  console.log(
    `remote: ${Object.keys(remote.files())
      .filter((p) => !p.endsWith('/'))
      .join(', ')}`,
  )
  await download('first download: the local folder is created and filled')

  remote.put('2026/q1.pdf', 'Q1 figures, final', { mtimeMs: t0 + 3_600_000 })
  remote.delete('README.txt')
  await download('the remote changed q1.pdf and removed README.txt: the local copy follows')
} finally {
  await rm(base, { recursive: true, force: true })
}
