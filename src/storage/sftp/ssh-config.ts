/**
 * The part of `~/.ssh/config` (ssh_config(5)) that says where and as whom to connect: `Host` blocks with
 * their patterns, and the first value of each keyword wins, as in OpenSSH. `Match` blocks and `Include`
 * are not followed (their lines are skipped, never misread as applying to every host).
 */

/** What the config file says about one host, after `Host` matching. */
export interface HostConfig {
  readonly hostName?: string
  readonly user?: string
  readonly port?: number
  /** In the order given; OpenSSH's default keys are tried only when the config names none. */
  readonly identityFiles: ReadonlyArray<string>
  readonly identitiesOnly?: boolean
  /** `none` turns the agent off; otherwise a socket path (or SSH_AUTH_SOCK). */
  readonly identityAgent?: string
  readonly userKnownHostsFiles?: ReadonlyArray<string>
  readonly hashKnownHosts?: boolean
  readonly connectTimeoutSeconds?: number
  readonly serverAliveIntervalSeconds?: number
  readonly serverAliveCountMax?: number
}

interface Line {
  readonly keyword: string
  readonly args: ReadonlyArray<string>
}

interface Block {
  /** null for the lines before the first `Host`, which apply to every host; 'skip' for a `Match` block. */
  readonly patterns: ReadonlyArray<string> | null | 'skip'
  readonly lines: Line[]
}

/** Splits a line into words, honouring double quotes; `Keyword=value` is `Keyword value`. */
const wordsOf = (line: string): string[] => {
  const words: string[] = []
  const re = /"([^"]*)"|([^\s"]+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push(m[1] ?? m[2] ?? '')
  return words
}

const linesOf = (text: string): Line[] =>
  text.split(/\r?\n/).flatMap((raw) => {
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return []
    const eq = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(trimmed)
    const words = eq === null ? wordsOf(trimmed) : [eq[1] ?? '', ...wordsOf(eq[2] ?? '')]
    const [keyword, ...args] = words
    return keyword === undefined ? [] : [{ keyword: keyword.toLowerCase(), args }]
  })

export const parseSshConfig = (text: string): ReadonlyArray<Block> => {
  const blocks: Block[] = [{ patterns: null, lines: [] }]
  for (const line of linesOf(text)) {
    if (line.keyword === 'host') blocks.push({ patterns: line.args, lines: [] })
    else if (line.keyword === 'match') blocks.push({ patterns: 'skip', lines: [] })
    else blocks[blocks.length - 1]?.lines.push(line)
  }
  return blocks
}

/** ssh_config's patterns: `*` and `?` wildcards, matched without regard to case. */
export const wildcardMatch = (pattern: string, text: string): boolean => {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`).test(text.toLowerCase())
}

/** A pattern list matches when one pattern does and no negated (`!pattern`) one does. */
export const patternListMatches = (patterns: ReadonlyArray<string>, text: string): boolean => {
  let matched = false
  for (const raw of patterns.flatMap((p) => p.split(','))) {
    if (raw === '') continue
    if (raw.startsWith('!')) {
      if (wildcardMatch(raw.slice(1), text)) return false
    } else if (wildcardMatch(raw, text)) matched = true
  }
  return matched
}

const yesNo = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : ['yes', 'true'].includes(value.toLowerCase())

const integer = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** The settings for `alias` (the host as written in the side's URL). */
export const hostConfigOf = (blocks: ReadonlyArray<Block>, alias: string): HostConfig => {
  const first = new Map<string, ReadonlyArray<string>>()
  const identityFiles: string[] = []
  for (const block of blocks) {
    if (block.patterns === 'skip') continue
    if (block.patterns !== null && !patternListMatches(block.patterns, alias)) continue
    for (const { keyword, args } of block.lines) {
      if (keyword === 'identityfile') {
        if (args[0] !== undefined) identityFiles.push(args[0])
      } else if (!first.has(keyword)) first.set(keyword, args)
    }
  }
  const one = (keyword: string): string | undefined => first.get(keyword)?.[0]
  const settings: {
    -readonly [K in keyof HostConfig]: HostConfig[K]
  } = { identityFiles }
  const hostName = one('hostname')
  if (hostName !== undefined) settings.hostName = hostName.replace(/%h/g, alias).replace(/%%/g, '%')
  const user = one('user')
  if (user !== undefined) settings.user = user
  const port = integer(one('port'))
  if (port !== undefined) settings.port = port
  const identitiesOnly = yesNo(one('identitiesonly'))
  if (identitiesOnly !== undefined) settings.identitiesOnly = identitiesOnly
  const agent = one('identityagent')
  if (agent !== undefined) settings.identityAgent = agent
  const knownHosts = first.get('userknownhostsfile')
  if (knownHosts !== undefined) settings.userKnownHostsFiles = knownHosts
  const hash = yesNo(one('hashknownhosts'))
  if (hash !== undefined) settings.hashKnownHosts = hash
  const timeout = integer(one('connecttimeout'))
  if (timeout !== undefined) settings.connectTimeoutSeconds = timeout
  const alive = integer(one('serveraliveinterval'))
  if (alive !== undefined) settings.serverAliveIntervalSeconds = alive
  const aliveMax = integer(one('serveralivecountmax'))
  if (aliveMax !== undefined) settings.serverAliveCountMax = aliveMax
  return settings
}

/** `~`, `%d` (home), `%u` (local user), `%h` (host name), `%r` (remote user), `%%` in a file name. */
export const expandPath = (
  path: string,
  tokens: { readonly home: string; readonly localUser: string; readonly host: string; readonly user: string },
): string => {
  const expanded = path.replace(/%([%dhur])/g, (_, t: string) => {
    switch (t) {
      case 'd':
        return tokens.home
      case 'u':
        return tokens.localUser
      case 'h':
        return tokens.host
      case 'r':
        return tokens.user
      default:
        return '%'
    }
  })
  if (expanded === '~') return tokens.home
  if (expanded.startsWith('~/')) return `${tokens.home}${expanded.slice(1)}`
  return expanded
}
