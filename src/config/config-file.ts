import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { Node, ParseError } from 'jsonc-parser'
import { type OwnFileError, readOwnFile } from '../state/regular-file.ts'
import { ConfigFile, type PairConfig } from './config-codec.ts'

// jsonc-parser loads with the first config file read, not on every start of the command line.
const load = createRequire(import.meta.url)

/** The name looked for in the working directory when no `--config` is given. */
export const CONFIG_NAME = 'syncengine.json'

/** Where plans of named pairs go unless the file or `--out-dir` says otherwise, beside the file. */
export const DEFAULT_PLANS_DIR = '.syncengine/plans'

export type ConfigError =
  | OwnFileError
  | { readonly _tag: 'ConfigMissing'; readonly file: string; readonly shown: string; readonly why?: string }
  | {
      readonly _tag: 'ConfigUnreadable'
      readonly shown: string
      readonly code: string
      readonly message: string
    }
  | { readonly _tag: 'ConfigInvalid'; readonly shown: string; readonly problems: ReadonlyArray<string> }

/** A decoded config, with paths still as written and the folder they are relative to. */
export interface Config {
  /** The file, as the user named it (for messages). */
  readonly shown: string
  /** The folder holding the file: relative paths in it start there. */
  readonly dir: string
  readonly plansDir: string
  readonly pairs: ReadonlyArray<readonly [string, PairConfig]>
}

const WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a field name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected a colon',
  CommaExpected: 'expected a comma',
  CloseBraceExpected: 'expected a closing }',
  CloseBracketExpected: 'expected a closing ]',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'a comment that never ends',
  UnexpectedEndOfString: 'a string that never ends',
  UnexpectedEndOfNumber: 'a number cut short',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'malformed escape',
  InvalidCharacter: 'a control character in a string',
}

const lineAndColumn = (text: string, offset: number): string => {
  const before = text.slice(0, offset).split('\n')
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`
}

/** `pairs.photos.ignore[1]`: the keys of the context, without the members of intersections. */
const pathOf = (context: t.Context): string => {
  let out = ''
  for (let i = 1; i < context.length; i++) {
    const entry = context[i]
    const parent = (context[i - 1]?.type as { _tag?: string } | undefined)?._tag ?? ''
    if (entry === undefined || entry.key === '' || parent === 'IntersectionType') continue
    out =
      parent === 'ReadonlyArrayType' ? `${out}[${entry.key}]` : out === '' ? entry.key : `${out}.${entry.key}`
  }
  return out
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Every bad field, once each: where, what was expected, what was found. */
export const configProblems = (errors: t.Errors): ReadonlyArray<string> => {
  const lines = new Map<string, string>()
  for (const error of errors) {
    const at = pathOf(error.context) || 'the file'
    if (lines.has(at)) continue
    const expected = error.context.at(-1)?.type.name ?? 'a value'
    lines.set(
      at,
      error.message !== undefined
        ? `${at}: ${error.message}`
        : error.value === undefined
          ? `${at}: missing (expected ${expected})`
          : `${at}: expected ${expected}, found ${show(error.value)}`,
    )
  }
  return [...lines.values()]
}

/**
 * The value of a parsed node. Objects are built by defining their fields, never by assigning them: a
 * field named `__proto__` is then a field like any other, which the codec sees (and a pair by that name
 * is refused with a message), instead of silently becoming the object's prototype.
 */
const jsonOf = (node: Node | undefined): unknown => {
  if (node === undefined) return undefined
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? []
        if (key === undefined || typeof key.value !== 'string') continue
        Object.defineProperty(out, key.value, {
          value: jsonOf(value),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
    case 'array':
      return (node.children ?? []).map(jsonOf)
    default:
      return node.value
  }
}

/** Reads the text of a config file (JSON with comments and trailing commas) into a Config. */
export const decodeConfig = (
  text: string,
  where: { readonly shown: string; readonly dir: string },
): E.Either<ConfigError, Config> => {
  const jsonc: typeof import('jsonc-parser') = load('jsonc-parser')
  const errors: ParseError[] = []
  const json: unknown = jsonOf(jsonc.parseTree(text, errors, { allowTrailingComma: true }))
  const first = errors[0]
  if (first !== undefined) {
    const what = jsonc.printParseErrorCode(first.error)
    return E.left({
      _tag: 'ConfigInvalid',
      shown: `${where.shown}:${lineAndColumn(text, first.offset)}`,
      problems: [`${WORDS[what] ?? what} (it is JSON, with comments allowed)`],
    })
  }
  const decoded = ConfigFile.decode(json)
  if (E.isLeft(decoded))
    return E.left({ _tag: 'ConfigInvalid', shown: where.shown, problems: configProblems(decoded.left) })
  return E.right({
    shown: where.shown,
    dir: where.dir,
    plansDir: resolve(where.dir, decoded.right.plans ?? DEFAULT_PLANS_DIR),
    pairs: decoded.right.pairs,
  })
}

/**
 * The config named by `--config`, else `syncengine.json` in the working directory. Without `--config` a
 * missing file is no error: null, and commands that need a pair name say so.
 */
export const loadConfig = async (
  given: string | undefined,
  cwd: string,
): Promise<E.Either<ConfigError, Config | null>> => {
  const shown = given ?? CONFIG_NAME
  const file = resolve(cwd, shown)
  const read = await readOwnFile(file, 'config file', ({ code, message }) => ({
    _tag: 'ConfigUnreadable' as const,
    shown,
    code,
    message,
  }))
  if (E.isLeft(read)) return read
  if (read.right === null)
    return given === undefined ? E.right(null) : E.left({ _tag: 'ConfigMissing', file, shown })
  return decodeConfig(read.right, { shown, dir: dirname(file) })
}

/** A path from the file: `~` is the home folder, and a relative path starts beside the file. */
export const pathFromConfig = (
  config: Pick<Config, 'dir'>,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): string => {
  const home = env.HOME
  if (home !== undefined && home !== '' && (path === '~' || path.startsWith('~/')))
    return join(home, path.slice(1))
  return isAbsolute(path) ? path : resolve(config.dir, path)
}
