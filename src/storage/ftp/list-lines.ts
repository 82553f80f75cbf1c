import type { Found } from '../storage.ts'

/**
 * `LIST` output, for servers without MLSD. There is no standard: most servers print `ls -l` lines
 * (Unix), IIS and some appliances print DOS lines. Both give times in the server's own zone, and Unix
 * lines give a time of day only for recent files (`Mar  4 14:05`) and a year for older ones
 * (`Mar  4  2019`): the caller asks MDTM for exact times where the server has it.
 */
export interface ListedLine {
  readonly name: string
  readonly found: Found
  /** Whole minutes or whole days: how coarse the time read from the line is. */
  readonly mtimePrecisionMs: number
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

const MINUTE = 60_000
const DAY = 86_400_000

/**
 * type, permissions (9 letters, maybe a trailing ACL mark), link count, owner and group (either may be
 * missing, and neither holds a space on the servers that matter), size, date, then a single space and the
 * name with its own spaces.
 */
const UNIX =
  /^([-bcdlps])([-r][-w][-xsStT][-r][-w][-xsStT][-r][-w][-xsStTL])[+@.]?\s+\d+\s+(?:\S+\s+){0,2}?(\d+)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{1,2}):(\d{2})|(\d{4})) (.*)$/

/**
 * `03-04-19  02:05PM  <DIR>  name` or `03-04-2019  14:05  1234 name`: a size is followed by one space, the
 * `<DIR>` column by padding (so a folder name's leading spaces cannot be told from it).
 */
const DOS = /^(\d{2})-(\d{2})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?\s+(?:<DIR>\s+|(\d+) )(.*)$/

/**
 * A Unix line's date. A line with a time of day has no year: it is the most recent such date that is not
 * more than a day ahead of `now` (ls prints times for the last six months; the day covers zones).
 */
const unixTime = (
  month: number,
  day: number,
  hour: string | undefined,
  minute: string | undefined,
  year: string | undefined,
  now: number,
): number => {
  if (year !== undefined) return Date.UTC(Number(year), month, day)
  const thisYear = new Date(now).getUTCFullYear()
  const at = (y: number): number => Date.UTC(y, month, day, Number(hour), Number(minute))
  return at(thisYear) > now + DAY ? at(thisYear - 1) : at(thisYear)
}

const parseUnix = (line: string, now: number): ListedLine | undefined => {
  const m = UNIX.exec(line)
  if (m === null) return undefined
  const [, type, perms = '', size, monthName = '', day, hour, minute, year, rest = ''] = m
  const month = MONTHS.indexOf(monthName.toLowerCase())
  if (month < 0) return undefined
  const mtimeMs = unixTime(month, Number(day), hour, minute, year, now)
  const mtimePrecisionMs = year === undefined ? MINUTE : DAY
  switch (type) {
    case 'd':
      return { name: rest, found: { kind: 'dir' }, mtimePrecisionMs }
    case 'l': {
      // `name -> target`: a name holding " -> " itself cannot be told apart; the first arrow wins.
      const arrow = rest.indexOf(' -> ')
      return arrow < 0
        ? { name: rest, found: { kind: 'symlink', target: '' }, mtimePrecisionMs }
        : {
            name: rest.slice(0, arrow),
            found: { kind: 'symlink', target: rest.slice(arrow + 4) },
            mtimePrecisionMs,
          }
    }
    case '-':
      return {
        name: rest,
        found: { kind: 'file', size: Number(size), mtimeMs, exec: /^..[xs]/.test(perms) },
        mtimePrecisionMs,
      }
    default:
      return {
        name: rest,
        found: { kind: 'special', what: type === 'p' ? 'fifo' : type === 's' ? 'socket' : 'device' },
        mtimePrecisionMs,
      }
  }
}

const parseDos = (line: string): ListedLine | undefined => {
  const m = DOS.exec(line)
  if (m === null) return undefined
  const [, mm, dd, yy = '', hh, mi, ampm, size, name = ''] = m
  // Two-digit years: 70-99 are the 1900s, as Windows reads them.
  const year = yy.length === 4 ? Number(yy) : Number(yy) < 70 ? 2000 + Number(yy) : 1900 + Number(yy)
  let hour = Number(hh)
  if (ampm !== undefined) hour = (hour % 12) + (ampm.toLowerCase() === 'pm' ? 12 : 0)
  const mtimeMs = Date.UTC(year, Number(mm) - 1, Number(dd), hour, Number(mi))
  if (size === undefined) return { name, found: { kind: 'dir' }, mtimePrecisionMs: MINUTE }
  // DOS listings carry no permissions: nothing is executable.
  return { name, found: { kind: 'file', size: Number(size), mtimeMs, exec: false }, mtimePrecisionMs: MINUTE }
}

/** Every entry of a LIST reply, `.` and `..` and unreadable lines left out; `now` dates year-less lines. */
export const parseListing = (text: string, now: number): ReadonlyArray<ListedLine> => {
  const out: ListedLine[] = []
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || /^total \d+/.test(line)) continue
    const parsed = parseUnix(line, now) ?? parseDos(line)
    if (parsed !== undefined && parsed.name !== '.' && parsed.name !== '..' && parsed.name !== '')
      out.push(parsed)
  }
  return out
}
