import { afterAll, beforeAll, describe } from 'vitest'
import { describeConflictTable } from '../support/conflict-table.ts'
import { describeModeTable } from '../support/mode-table.ts'
import { localToSftpPair, type SftpTestServer, sftpTestServer, sftpToSftpPair } from '../support/sftp-side.ts'
import type { TestPair } from '../support/sides.ts'
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

const on = (make: (s: SftpTestServer) => Promise<TestPair>) => async () => {
  if (server === undefined) throw new Error('no sshd')
  return make(server)
}

// A missing sshd skips outside CI only: in CI, startSshd throws.
describe.skipIf(process.env.CI === undefined && sshdBinary() === undefined)('sftp pairs', () => {
  describeModeTable('local ↔ sftp', on(localToSftpPair))
  describeModeTable('sftp ↔ sftp', on(sftpToSftpPair))
  describeConflictTable('local ↔ sftp', on(localToSftpPair))
  describeConflictTable('sftp ↔ sftp', on(sftpToSftpPair))
})
