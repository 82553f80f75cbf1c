import type { Found } from '../storage.ts'

/**
 * RFC 3659 machine listings (MLSD, MLST): `fact=value;fact=value; name`, one entry a line, facts in any
 * case. `modify` is UTC (`YYYYMMDDHHMMSS[.sss]`), `UNIX.mode` the octal mode where the server gives it,
 * `unique` an identity that survives a rename.
 */
export interface Facts {
  readonly name: string
  readonly facts: ReadonlyMap<string, string>
}

/** One line of a machine listing; undefined for a line that is not one (blank, or a reply's frame). */
export const parseFactsLine = (line: string): Facts | undefined => {
  // The facts end at the first "; " (no fact value holds one); the name is everything after, spaces kept.
  const cut = line.indexOf('; ')
  if (cut < 0) {
    // No facts at all: " name".
    return line.startsWith(' ') && line.length > 1 ? { name: line.slice(1), facts: new Map() } : undefined
  }
  const facts = new Map<string, string>()
  for (const pair of line.slice(0, cut).split(';')) {
    const eq = pair.indexOf('=')
    if (eq > 0) facts.set(pair.slice(0, eq).trim().toLowerCase(), pair.slice(eq + 1))
  }
  const name = line.slice(cut + 2)
  return name === '' ? undefined : { name, facts }
}

/** Splits a listing on CRLF or LF, keeping a name's own spaces (a name cannot hold a line break in FTP). */
export const linesOf = (text: string): ReadonlyArray<string> => text.split(/\r?\n/).filter((l) => l !== '')

/** `YYYYMMDDHHMMSS[.sss]` in UTC, as MLSD, MDTM and MFMT write it; undefined when it is not that. */
export const parseFactTime = (value: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(value.trim())
  if (m === null) return undefined
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = m.slice(1, 7).map(Number)
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'))
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  return Number.isNaN(time) ? undefined : time
}

/** The form MFMT takes: whole seconds in UTC (servers keep no finer time). */
export const factTimeOf = (mtimeMs: number): string => {
  const d = new Date(Math.floor(mtimeMs / 1000) * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`
}

export type Kind = 'file' | 'dir' | 'symlink' | 'self' | 'other'

/**
 * The `type` fact: `cdir`/`pdir` are the folder itself and its parent (never children); a link shows
 * as `OS.unix=slink:<target>` or `OS.unix=symlink`, where the server lists links as links at all.
 */
export const kindOf = (facts: ReadonlyMap<string, string>): Kind => {
  const type = (facts.get('type') ?? '').toLowerCase()
  if (type === 'file') return 'file'
  if (type === 'dir') return 'dir'
  if (type === 'cdir' || type === 'pdir') return 'self'
  if (type.startsWith('os.unix=slink') || type === 'os.unix=symlink') return 'symlink'
  return 'other'
}

/** The mode bits, where the server tells them. */
export const modeOf = (facts: ReadonlyMap<string, string>): number | undefined => {
  const mode = facts.get('unix.mode')
  return mode !== undefined && /^[0-7]{3,6}$/.test(mode) ? Number.parseInt(mode, 8) : undefined
}

/**
 * The entry a machine listing describes. A link's target is filled in by the caller (MLSD gives it
 * resolved, or not at all, and the link's own text is what a copy must carry); undefined for `.` and `..`.
 */
export const foundOfFacts = (facts: ReadonlyMap<string, string>, linkTarget?: string): Found | undefined => {
  switch (kindOf(facts)) {
    case 'self':
      return undefined
    case 'dir':
      return { kind: 'dir' }
    case 'symlink':
      return { kind: 'symlink', target: linkTarget ?? slinkTarget(facts) ?? '' }
    case 'other':
      return { kind: 'special', what: facts.get('type') ?? 'unknown' }
    case 'file': {
      const mode = modeOf(facts)
      const unique = facts.get('unique')
      return {
        kind: 'file',
        size: Number(facts.get('size') ?? facts.get('sizd') ?? 0),
        mtimeMs: parseFactTime(facts.get('modify') ?? '') ?? 0,
        exec: mode !== undefined && (mode & 0o100) !== 0,
        ...(unique === undefined ? {} : { id: unique }),
      }
    }
  }
}

/** The target written into `OS.unix=slink:<target>`, when there is one (case kept, unlike the kind). */
export const slinkTarget = (facts: ReadonlyMap<string, string>): string | undefined => {
  const type = facts.get('type') ?? ''
  const at = type.toLowerCase().indexOf('slink:')
  return at < 0 ? undefined : type.slice(at + 'slink:'.length)
}
