import { afterAll, beforeAll, describe } from 'vitest'
import { type FtpServer, hasProftpd, startFtpServer } from '../support/ftp-server.ts'
import { localFtpPair } from '../support/ftp-side.ts'
import { describeModeTable } from '../support/mode-table.ts'

let server: FtpServer | undefined
beforeAll(async () => {
  server = await startFtpServer()
}, 60_000)
afterAll(async () => server?.stop())

const available = hasProftpd() || (process.env.CI ?? '') !== ''
const running = (): FtpServer => {
  if (server === undefined) throw new Error('the FTP server did not start')
  return server
}

describe.runIf(available)('local and FTPS', () => {
  describeModeTable('local → ftps', () => localFtpPair(running(), 'ftps'))
})
