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

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/**
 * Runs one batch with `tool`, /dev/null first: its hash (that of nothing) shows that the tool ran, so no
 * separate probe is needed (each command costs a login shell on the server). Undefined when it did not run:
 * no such command, or a server that allows SFTP only.
 */
const runBatch = async (
  connection: Connection,
  tool: Tool,
  paths: ReadonlyArray<string>,
): Promise<Map<string, string> | undefined> => {
  const input = Buffer.from(['/dev/null', ...paths].map((p) => `${p}\0`).join(''), 'utf8')
  // A file that vanished makes the tool exit non-zero; the others are still printed.
  const result = await connection.exec(tool.command, input)
  const found = parse(tool, result.stdout)
  return found.get('/dev/null') === EMPTY ? found : undefined
}

export interface RemoteHasher {
  /** `sha256:hex` by absolute path, for the files the server could hash; undefined when it cannot run the tool. */
  readonly hash: (paths: ReadonlyArray<string>) => Promise<ReadonlyMap<string, string> | undefined>
}

const BATCH = 1000

export const remoteHasher = (connection: Connection): RemoteHasher => {
  // Which tool works, once one did; null once none did.
  let known: Tool | null | undefined
  const batch = async (paths: ReadonlyArray<string>): Promise<Map<string, string> | undefined> => {
    if (known === null) return undefined
    for (const tool of known === undefined ? [GNU, SHASUM] : [known]) {
      const found = await runBatch(connection, tool, paths)
      if (found !== undefined) {
        known = tool
        return found
      }
    }
    known = null
    return undefined
  }
  return {
    hash: async (paths) => {
      const hashes = new Map<string, string>()
      for (let start = 0; start < paths.length; start += BATCH) {
        const part = paths.slice(start, start + BATCH)
        const found = await batch(part)
        if (found === undefined) return undefined
        const wanted = new Set(part)
        for (const [name, hex] of found) if (wanted.has(name)) hashes.set(name, `sha256:${hex}`)
      }
      return hashes
    },
  }
}
