import { CONFLICT_STRATEGIES, MODES } from '../core/policy.ts'
import { DEFAULT_PLANS_DIR } from './config-file.ts'

export interface StarterPair {
  readonly name: string
  readonly source: string
  readonly destination: string
  readonly mode: string
}

/** The file `syncengine init` writes: one pair, every setting shown with its default and what it does. */
export const starterConfig = (
  pair: StarterPair,
): string => `// syncengine configuration: JSON, with comments and trailing commas allowed.
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
      // ${MODES.join(', ')}
      "mode": ${JSON.stringify(pair.mode)},
      // what happens when both sides changed a file: ${CONFLICT_STRATEGIES.join(', ')}
      "conflict": "keep-both",
      // gitignore patterns left alone on both sides (on top of .syncignore files)
      "ignore": [],
      // when not empty, only paths matching these gitignore patterns are synced
      "include": [],
      // a plan deleting more than this on one side is blocked: a number of files, or a percentage
      "maxDelete": "50%",

      // More settings, with their defaults:
      // "compare": "size-mtime",     // or "checksum" to compare contents
      // "mtimeTolerance": 1,         // milliseconds within which two mtimes are the same
      // "state": "state/${pair.name}.json", // default: ~/.local/state/syncengine/<pair>.json
      // "backupDir": "backups",      // keep what deletes and overwrites remove
      // "allowMassDelete": false,
      // "forceUpload": false,
      // "forceDownload": false,
      // "transfers": 4,              // copies at once
      // "retries": 2,
      // "retryDelay": 200,           // milliseconds before the first retry
    },
    // One source may feed several destinations: add a pair per destination.
  },
}
`
