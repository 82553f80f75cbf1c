// Mirror (source-to-destination): the destination becomes a copy of the source; its extras are deleted, ignored files kept. Run: npm run example:mirror
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createSyncEngine, describeError, localStorage, plainStyle, render } from '../../src/index.ts'

const base = await mkdtemp(join(tmpdir(), 'syncengine-mirror-'))
const site = join(base, 'site')
const server = join(base, 'server')
const stateFile = join(base, 'state.json')

const write = async (root: string, path: string, text: string): Promise<void> => {
  await mkdir(dirname(join(root, path)), { recursive: true })
  await writeFile(join(root, path), text)
}

const filesIn = async (root: string): Promise<string> =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
    .join(', ')

try {
  await write(site, 'index.html', '<h1>Home</h1>\n')
  await write(site, 'blog/first-post.html', '<h1>Hello</h1>\n')
  // On the server: a page the site no longer has, an outdated page, and logs the web server writes.
  await write(server, 'old-page.html', '<h1>Gone</h1>\n')
  await write(server, 'index.html', '<h1>Home (2025)</h1>\n')
  await write(server, 'logs/access.log', 'GET / 200\n')
  console.log(`site:   ${await filesIn(site)}`)
  console.log(`server: ${await filesIn(server)}`)

  console.log('\n== sync site → server, --mode source-to-destination --ignore logs/')
  // Plan and apply in one call: for scripts that do not stop for a review.
  const synced = await createSyncEngine().syncPair({
    source: localStorage(site),
    destination: localStorage(server),
    stateFile,
    policy: { mode: 'source-to-destination', ignore: ['logs/'] },
  })()
  // Errors are values: describeError gives the line the command line would print.
  if (synced._tag === 'Left') throw new Error(describeError(synced.left))
  console.log(render(synced.right.plan, plainStyle).trimEnd())

  console.log(`\nsite:   ${await filesIn(site)}`)
  console.log(`server: ${await filesIn(server)}`)
  console.log('old-page.html was deleted: the server mirrors the site.')
  console.log('logs/access.log was kept: ignored paths are never touched, on either side.')
} finally {
  await rm(base, { recursive: true, force: true })
}
