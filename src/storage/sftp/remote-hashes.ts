import type { Connection } from './connection.ts'

/**
 * SHA-256 of files computed on the server, so that comparing contents costs no download. The command is
 * fixed words that any login shell runs alike (`xargs -0 sha256sum -z --`); the paths go through its
 * standard input, NUL-separated, and never through a shell, so no file name can become a command.
 */
type Tool =
  /** GNU coreutils: `-z` ends records with NUL and leaves names unescaped. */
  | { readonly kind: 'gnu'; readonly command: string }
  /** Perl's shasum (macOS, BSDs): one line per file, names with `\` or a newline escaped. */
  | { readonly kind: 'shasum'; readonly command: string }

const GNU: Tool = { kind: 'gnu', command: 'xargs -0 sha256sum -z --' }
const SHASUM: Tool = { kind: 'shasum', command: 'xargs -0 shasum -a 256 --' }

const unescapeShasum = (name: string): string =>
  name.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c))

/** Hash records as `name → hex`; names are the bytes the server printed, read as UTF-8. */
const parse = (tool: Tool, output: Buffer): Map<string, string> => {
  const found = new Map<string, string>()
  if (tool.kind === 'gnu') {
    for (const record of output.toString('utf8').split('\0')) {
      const m = /^([0-9a-f]{64}) [ *]([\s\S]*)$/.exec(record)
      if (m?.[1] !== undefined && m[2] !== undefined) found.set(m[2], m[1])
    }
    return found
  }
  for (const line of output.toString('utf8').split('\n')) {
    const escaped = line.startsWith('\\')
    const m = /^\\?([0-9a-f]{64}) [ *](.*)$/.exec(line)
    if (m?.[1] !== undefined && m[2] !== undefined) found.set(escaped ? unescapeShasum(m[2]) : m[2], m[1])
  }
  return found
}

/**
 * Finds which tool the server has, by hashing /dev/null with it; undefined when none can be run (no such
 * command, or a server that allows SFTP only).
 */
const probe = async (connection: Connection): Promise<Tool | undefined> => {
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  for (const tool of [GNU, SHASUM]) {
    const result = await connection.exec(tool.command, Buffer.from('/dev/null\0')).catch(() => undefined)
    if (result?.code === 0 && parse(tool, result.stdout).get('/dev/null') === empty) return tool
  }
  return undefined
}

export interface RemoteHasher {
  /** `sha256:hex` by absolute path, for the files the server could hash; undefined when it cannot run the tool. */
  readonly hash: (paths: ReadonlyArray<string>) => Promise<ReadonlyMap<string, string> | undefined>
}

const BATCH = 256

export const remoteHasher = (connection: Connection): RemoteHasher => {
  let tool: Promise<Tool | undefined> | undefined
  return {
    hash: async (paths) => {
      tool ??= probe(connection)
      const found = await tool
      if (found === undefined) return undefined
      const hashes = new Map<string, string>()
      for (let start = 0; start < paths.length; start += BATCH) {
        const batch = paths.slice(start, start + BATCH)
        const input = Buffer.from(batch.map((p) => `${p}\0`).join(''), 'utf8')
        // A file that vanished makes the tool exit non-zero; the others are still printed.
        const result = await connection.exec(found.command, input)
        const wanted = new Set(batch)
        for (const [name, hex] of parse(found, result.stdout))
          if (wanted.has(name)) hashes.set(name, `sha256:${hex}`)
      }
      return hashes
    },
  }
}
