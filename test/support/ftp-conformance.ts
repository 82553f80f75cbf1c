import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import type { FtpOptions } from '../../src/storage/ftp/index.ts'
import { describeStorageConformance } from '../../src/testing/storage-conformance.ts'
import { type FtpServer, hasProftpd, startFtpServer } from './ftp-server.ts'
import { type FtpFlavour, openFtpSide } from './ftp-side.ts'

/** The storage conformance suite on one server started for the file, in each flavour given. */
export const describeFtpConformance = (
  flavours: ReadonlyArray<{
    readonly name: string
    readonly flavour: FtpFlavour
    readonly options?: FtpOptions
  }>,
): void => {
  let server: FtpServer | undefined
  beforeAll(async () => {
    server = await startFtpServer()
  }, 60_000)
  afterAll(async () => server?.stop())

  const available = hasProftpd() || (process.env.CI ?? '') !== ''
  let folders = 0
  for (const { name, flavour, options } of flavours) {
    describe.runIf(available)(name, () => {
      describeStorageConformance(name, async ({ rootExists }) => {
        if (server === undefined) throw new Error('the FTP server did not start')
        const base = join(server.home, `conformance-${++folders}`)
        await mkdir(base)
        const root = rootExists ? base : join(base, 'missing', 'root')
        const storage = await openFtpSide(server, flavour, root, options)
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
}
