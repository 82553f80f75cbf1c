import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Writes the whole file beside its final name, flushes it, and renames it over: never half a state. */
export const writeFileAtomic = async (file: string, text: string): Promise<void> => {
  await mkdir(dirname(file), { recursive: true })
  const temp = join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, file)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
}
