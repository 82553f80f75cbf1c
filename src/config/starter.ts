import { type AnySetting, STORAGE_GROUPS, settingList } from '../pair/settings.ts'
import { DEFAULT_PLANS_DIR } from './config-file.ts'

export interface StarterPair {
  readonly name: string
  readonly source: string
  readonly destination: string
  readonly mode: string
}

/** The settings written out in the starter; the others are shown commented, with their defaults. */
const WRITTEN = ['mode', 'conflict', 'ignore', 'include', 'maxDelete'] as const

const INDENT = '      '

/** What a setting does, for a comment: its description, its choices, and a default it has no value for. */
const about = (setting: AnySetting): string => {
  const choices = setting.choices === undefined ? '' : `: ${setting.choices.join(', ')}`
  const shown =
    setting.configDefault === undefined && setting.shownDefault !== undefined
      ? ` (default: ${setting.shownDefault})`
      : ''
  return `${setting.description}${choices}${shown}`
}

const starterValue = (setting: AnySetting): unknown => setting.configDefault ?? setting.sample

/** `// "compare": "size-mtime",      // what it does`, the comments lined up. */
const commented = (field: string, comment: string): string => `${INDENT}// ${field.padEnd(28)} // ${comment}`

/**
 * The file `syncengine init` writes: one pair, every setting of the settings table shown with its
 * default and what it does; the common ones written out, the others commented.
 */
export const starterConfig = (pair: StarterPair): string => {
  const settings = settingList()
  const byKey = new Map(settings.map(([, setting]) => [setting.configKey, setting]))
  const written = WRITTEN.flatMap((key) => {
    const setting = byKey.get(key)
    if (setting === undefined) return []
    const value = key === 'mode' ? pair.mode : starterValue(setting)
    return [`${INDENT}// ${about(setting)}`, `${INDENT}${JSON.stringify(key)}: ${JSON.stringify(value)},`]
  })
  const more = settings
    .filter(
      ([, s]) =>
        (s.group === 'pair' || s.group === 'run') &&
        !(WRITTEN as ReadonlyArray<string>).includes(s.configKey),
    )
    .map(([, s]) =>
      commented(`${JSON.stringify(s.configKey)}: ${JSON.stringify(starterValue(s))},`, about(s)),
    )
  const storage = STORAGE_GROUPS.map((group) => {
    const fields = settings
      .filter(([, s]) => s.group === group)
      .map(([, s]) => `${JSON.stringify(s.configKey)}: ${JSON.stringify(s.sample)}`)
    return `${INDENT}// ${JSON.stringify(group)}: { ${fields.join(', ')} },`
  })
  return `// syncengine configuration: JSON, with comments and trailing commas allowed.
// Run a pair by name: syncengine plan ${pair.name}, syncengine apply ${pair.name}, syncengine sync ${pair.name}.
// Options given on the command line override what is written here.
// Relative paths start in the folder of this file; ~ is your home folder.
{
  // Where "plan NAME" and "plan --all" save plans, one file per pair (NAME.json).
  "plans": ${JSON.stringify(DEFAULT_PLANS_DIR)},

  "pairs": {
    ${JSON.stringify(pair.name)}: {
      "source": ${JSON.stringify(pair.source)},
      "destination": ${JSON.stringify(pair.destination)},
${written.join('\n')}

      // More settings, with their defaults:
${more.join('\n')}

      // For remote sides, examples (passwords and keys come from the environment, never from this file):
${storage.join('\n')}
    },
    // One source may feed several destinations: add a pair per destination.
  },
}
`
}
