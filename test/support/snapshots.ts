import { dir, type Entry, file, symlink } from '../../src/core/entry.ts'
import type { RelPath } from '../../src/core/rel-path.ts'
import type { Snapshot } from '../../src/core/snapshot.ts'
import { newState, type SyncState } from '../../src/core/sync-state.ts'

/** `'a.txt': [size, mtime]`, `'dir/': null`, `'link': '-> target'`: a tree written for reading. */
export type Spec = Record<
  string,
  readonly [number, number] | readonly [number, number, boolean] | null | string
>

export const entriesOf = (spec: Spec): Map<RelPath, Entry> => {
  const out = new Map<RelPath, Entry>()
  for (const [key, value] of Object.entries(spec)) {
    if (value === null) out.set(key.replace(/\/$/, '') as RelPath, dir)
    else if (typeof value === 'string') out.set(key as RelPath, symlink(value.replace(/^-> /, '')))
    else out.set(key as RelPath, file(value[0], value[1], value[2] ?? false))
  }
  return out
}

export const snapshot = (root: string, spec: Spec, extra: Partial<Snapshot> = {}): Snapshot => ({
  root,
  exists: true,
  capabilities: {
    caseSensitive: true,
    normalizesUnicode: false,
    mtimePrecisionMs: 1,
    symlinks: true,
    execBit: true,
  },
  entries: entriesOf(spec),
  excluded: [],
  ignoreFiles: {},
  warnings: [],
  fingerprint: `fingerprint-of-${root}`,
  ...extra,
})

/** A state that recorded `spec` as in sync on both sides. */
export const stateOf = (spec: Spec, source = '/src', destination = '/dst'): SyncState => {
  const entries = entriesOf(spec)
  return {
    ...newState('lineage-1', source, destination),
    serial: 1,
    entries: new Map([...entries].map(([path, entry]) => [path, [entry, entry] as const])),
  }
}
