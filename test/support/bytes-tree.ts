import { lstat, readdir, readFile, readlink } from 'node:fs/promises'

/**
 * A folder's whole tree as bytes: each path (its raw bytes, as hex-escaped text so any name fits) → the
 * file's bytes as hex, `-> target` for a link, `/` for a folder. Two folders hold the same bytes under the
 * same names exactly when these are equal: what "in sync" promises.
 */
export const bytesTree = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  const show = (name: Buffer): string =>
    [...name]
      .map((b) =>
        b >= 0x21 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
      )
      .join('')
  const walk = async (dir: Buffer, prefix: string): Promise<void> => {
    let names: Buffer[]
    try {
      names = await readdir(dir, { encoding: 'buffer' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    for (const name of names) {
      const full = Buffer.concat([dir, Buffer.from('/'), name])
      const rel = prefix === '' ? show(name) : `${prefix}/${show(name)}`
      const info = await lstat(full)
      if (info.isDirectory()) {
        out[`${rel}/`] = '/'
        await walk(full, rel)
      } else if (info.isSymbolicLink()) out[rel] = `-> ${show(await readlink(full, { encoding: 'buffer' }))}`
      else out[rel] = (await readFile(full)).toString('hex')
    }
  }
  await walk(Buffer.from(root), '')
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
