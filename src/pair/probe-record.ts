import { randomBytes } from 'node:crypto'
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, relative } from 'node:path'
import type { Sides } from '../storage/sides.ts'
import { isToken } from '../storage/storage.ts'

/**
 * Where a plan records the token of the probe files it may make in the roots (see `probeNames`), before
 * it makes any: beside the state, as `<state>.probe`. A plan killed while probing leaves the record, and
 * the next run removes that token's probe files and nothing else.
 */
export const probeRecordOf = (stateFile: string): string => `${stateFile}.probe`

/**
 * Runs `snapshot` with a fresh probe token, recorded first. When the record cannot be written (a
 * read-only state folder), no token is given: the storages answer for their platform without probing.
 * The state's folder is made if it is missing, unless it would be made inside a root (`roots`), where
 * the snapshot would see it appear.
 */
export const withProbeToken = async <A>(
  record: string | undefined,
  roots: ReadonlyArray<string>,
  snapshot: (token: string | undefined) => Promise<A>,
): Promise<A> => {
  if (record === undefined) return snapshot(undefined)
  const token = randomBytes(8).toString('hex')
  const folder = dirname(record)
  try {
    if (!roots.some((root) => isInside(root, folder))) await mkdir(folder, { recursive: true })
    await writeFile(record, `${token}\n`, { mode: 0o600 })
  } catch {
    return snapshot(undefined)
  }
  try {
    return await snapshot(token)
  } finally {
    await unlink(record).catch(() => undefined)
  }
}

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return isAbsolute(root) && (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
}

/** Removes the probe files a killed plan left in the roots, by the token it recorded, then the record. */
export const removeLeftoverProbes = async (record: string, sides: Sides): Promise<void> => {
  const token = await readFile(record, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  )
  if (token === undefined) return
  if (isToken(token))
    for (const storage of [sides.source, sides.destination]) await storage.removeStaged('', token)()
  await unlink(record).catch(() => undefined)
}
