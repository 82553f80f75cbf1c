import ignore, { type Ignore } from 'ignore'
import type { RelPath } from './rel-path.ts'

/** The name of the per-folder ignore file. It applies on its side and is never synced itself. */
export const IGNORE_FILE = '.syncignore'

/**
 * Rewrites one gitignore line from the `.syncignore` in `base` so that it means the same thing in a rule
 * list read from the root: `*.log` in `a/` becomes `a/**\/*.log`, `/x` and `x/y` become `a/x`, `a/x/y`.
 * One list then gives git's precedence (deeper files override shallower ones, the last match wins).
 */
export const rebase = (line: string, base: string): string | undefined => {
  const trimmed = line.replace(/(?<!\\)\s+$/, '')
  if (trimmed === '' || trimmed.startsWith('#')) return undefined
  if (base === '') return trimmed
  const negated = trimmed.startsWith('!')
  const body = negated ? trimmed.slice(1) : trimmed
  const withoutTrailing = body.endsWith('/') ? body.slice(0, -1) : body
  const anchored = withoutTrailing.includes('/')
  const rebased = anchored ? `${base}/${body.replace(/^\//, '')}` : `${base}/**/${body}`
  return negated ? `!${rebased}` : rebased
}

export interface IgnoreSource {
  /** Folder of each `.syncignore` ('' is the root) → its text. */
  readonly files: Readonly<Record<string, string>>
  /** Patterns from the command line; they come last, so they win over any file. */
  readonly patterns: ReadonlyArray<string>
}

export const patternsOf = (source: IgnoreSource): ReadonlyArray<string> => {
  const out: string[] = []
  for (const base of Object.keys(source.files).sort()) {
    for (const line of (source.files[base] ?? '').split(/\r?\n/)) {
      const rule = rebase(line, base)
      if (rule !== undefined) out.push(rule)
    }
  }
  return [...out, ...source.patterns]
}

/** Whether the path names a rules file, without cutting its name out: this is asked for every path. */
export const isIgnoreFile = (path: string): boolean =>
  path.endsWith(IGNORE_FILE) &&
  (path.length === IGNORE_FILE.length || path.charCodeAt(path.length - IGNORE_FILE.length - 1) === SLASH)

const SLASH = 47

export type Matcher = (path: RelPath, isDir: boolean) => boolean

/** True when gitignore rules exclude the path, by a rule on it or on one of its folders. */
export const matcherOf = (patterns: ReadonlyArray<string>): Matcher => {
  if (patterns.length === 0) return () => false
  const rules: Ignore = ignore({ ignorecase: false }).add(patterns)
  return (path, isDir) => rules.ignores(isDir ? `${path}/` : path)
}

/**
 * Which paths a run may touch. `excluded`: ignored by the rules of either side (a path one side ignores
 * is left alone on both). `included`: inside the `--include` patterns (everything when there are none);
 * a folder outside them is only passed through to reach what is inside.
 */
export interface Scope {
  readonly excluded: Matcher
  readonly included: Matcher
}

export const scopeOf = (
  source: IgnoreSource,
  destination: IgnoreSource,
  include: ReadonlyArray<string>,
): Scope => {
  const sourceRules = patternsOf(source)
  const destinationRules = patternsOf(destination)
  const bySource = matcherOf(sourceRules)
  const byDestination = matcherOf(destinationRules)
  const includes = matcherOf(include)
  return {
    // Asked for every path of both trees: with no rule at all, the answer needs no matcher.
    excluded:
      sourceRules.length + destinationRules.length === 0
        ? () => false
        : (path, isDir) => bySource(path, isDir) || byDestination(path, isDir),
    included: include.length === 0 ? () => true : includes,
  }
}
