// Backup (source-backup): new and changed files are copied to the backup; files deleted on the source stay in the backup. Run: npm run example:backup
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createSyncEngine, describeError, localStorage, plainStyle, render } from '../../src/index.ts'

const base = await mkdtemp(join(tmpdir(), 'syncengine-backup-'))
const photos = join(base, 'photos')
const usb = join(base, 'usb-drive')
const stateFile = join(base, 'state.json')

/** Writes a file with a given mtime (minutes after 2026-01-01 UTC). */
const write = async (root: string, path: string, text: string, minute: number): Promise<void> => {
  const file = join(root, path)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  const time = new Date(Date.UTC(2026, 0, 1, 0, minute))
  await utimes(file, time, time)
}

const filesIn = async (root: string): Promise<string> =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
    .join(', ')

const backUp = async (title: string): Promise<void> => {
  console.log(`\n== ${title}`)
  const synced = await createSyncEngine().syncPair({
    source: localStorage(photos),
    destination: localStorage(usb),
    stateFile,
    policy: { mode: 'source-backup' },
  })()
  // Errors are values: describeError gives the line the command line would print.
  if (synced._tag === 'Left') throw new Error(describeError(synced.left))
  console.log(render(synced.right.plan, plainStyle).trimEnd())
  console.log(`photos:    ${await filesIn(photos)}`)
  console.log(`usb-drive: ${await filesIn(usb)}`)
}

try {
  await write(photos, '2026/beach.jpg', 'sand and sea', 0)
  await write(photos, '2026/cat.jpg', 'a cat', 0)
  await write(photos, 'album.txt', 'beach, cat', 0)
  await backUp('first backup: everything is copied')

  await rm(join(photos, '2026', 'cat.jpg'))
  await write(photos, '2026/dog.jpg', 'a dog', 10)
  await write(photos, 'album.txt', 'beach, dog', 10)
  await backUp('cat.jpg deleted, dog.jpg added, album.txt edited: the backup keeps cat.jpg')

  console.log(
    `\nthe backup still holds 2026/cat.jpg: ${JSON.stringify(await readFile(join(usb, '2026', 'cat.jpg'), 'utf8'))}`,
  )
} finally {
  await rm(base, { recursive: true, force: true })
}
