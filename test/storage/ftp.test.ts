import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import type { FtpOptions } from '../../src/storage/ftp/index.ts'
import { describeStorageConformance } from '../../src/testing/storage-conformance.ts'
import { type FtpServer, hasProftpd, startFtpServer } from '../support/ftp-server.ts'
import { type FtpFlavour, openFtpSide } from '../support/ftp-side.ts'

let server: FtpServer | undefined
beforeAll(async () => {
  server = await startFtpServer()
}, 60_000)
afterAll(async () => server?.stop())

const available = hasProftpd() || (process.env.CI ?? '') !== ''
let folders = 0

const conformance = (name: string, flavour: FtpFlavour, extra: FtpOptions = {}): void => {
  describe.runIf(available)(name, () => {
    describeStorageConformance(name, async ({ rootExists }) => {
      if (server === undefined) throw new Error('the FTP server did not start')
      const base = join(server.home, `conformance-${++folders}`)
      await mkdir(base)
      const root = rootExists ? base : join(base, 'missing', 'root')
      const storage = await openFtpSide(server, flavour, root, extra)
      return {
        storage,
        cleanup: async () => {
          await storage.close?.()
          await rm(base, { recursive: true, force: true })
        },
      }
    })
  })
}

conformance('ftp (MLSD)', 'ftp')
conformance('ftp (LIST)', 'ftp', { listing: 'list' })
conformance('ftp with AUTH TLS', 'ftp+tls')
conformance('ftps (implicit TLS)', 'ftps')
