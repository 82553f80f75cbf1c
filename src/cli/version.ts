import { readFileSync } from 'node:fs'

/** The version in package.json, read where it is installed: src/ and dist/ both sit two folders below it. */
export const packageVersion = (): string => {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
    const { version } = manifest
    if (typeof version === 'string') return version
  }
  throw new Error('package.json has no version: the installation is broken')
}
