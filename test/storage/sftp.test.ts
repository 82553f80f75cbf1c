import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe } from 'vitest'
import { openSide } from '../../src/storage/open.ts'
import type { Storage } from '../../src/storage/storage.ts'
import { describeStorageConformance } from '../../src/testing/storage-conformance.ts'
import { type Sshd, sshdBinary, startSshd } from '../support/sshd.ts'

let server: Sshd | undefined
let missing: string | undefined

beforeAll(async () => {
  const started = await startSshd()
  if (typeof started === 'string') missing = started
  else server = started
})
afterAll(async () => server?.stop())

/** Opens an sftp:// side on the test server; a missing server skips outside CI (startSshd throws in CI). */
export const openOn = async (sshd: Sshd, path: string): Promise<Storage> => {
  const opened = await openSide(sshd.url(path), { cwd: '/', env: {}, sftp: sshd.options })()
  if (E.isLeft(opened)) throw new Error(`cannot open ${path}: ${JSON.stringify(opened.left)}`)
  return opened.right
}

describe.skipIf(process.env.CI === undefined && sshdBinary() === undefined)('sftp', () => {
  describeStorageConformance('sftp', async ({ rootExists }) => {
    if (server === undefined) throw new Error(missing ?? 'no server')
    const base = await mkdtemp(join(server.scratch, 'conformance-'))
    const root = rootExists ? join(base, 'root') : join(base, 'missing', 'root')
    if (rootExists) await mkdir(root)
    const storage = await openOn(server, root)
    return {
      storage,
      cleanup: async () => {
        await storage.close?.()
        await rm(base, { recursive: true, force: true })
      },
    }
  })
})
