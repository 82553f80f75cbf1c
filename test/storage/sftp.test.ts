import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { describeStorageConformance } from '../../src/testing/storage-conformance.ts'
import { type SftpTestServer, sftpTestServer } from '../support/sftp-side.ts'
import { sshdBinary, startSshd } from '../support/sshd.ts'

let server: SftpTestServer | undefined

beforeAll(async () => {
  const sshd = await startSshd()
  if (typeof sshd !== 'string') server = await sftpTestServer(sshd)
})
afterAll(async () => {
  await server?.close()
  await server?.sshd.stop()
})

// A missing sshd skips outside CI only: in CI, startSshd throws.
describe.skipIf(process.env.CI === undefined && sshdBinary() === undefined)('sftp', () => {
  describeStorageConformance('sftp', async ({ rootExists }) => {
    if (server === undefined) throw new Error('no sshd')
    const base = await mkdtemp(join(server.sshd.scratch, 'conformance-'))
    const root = rootExists ? join(base, 'root') : join(base, 'missing', 'root')
    if (rootExists) await mkdir(root)
    // Storages share the server's one connection, as the storages of one side would.
    return { storage: await server.storage(root), cleanup: () => rm(base, { recursive: true, force: true }) }
  })
})
