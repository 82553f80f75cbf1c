import * as t from 'io-ts'
import { mapFromRecord } from './codec.ts'
import { Entry } from './entry.ts'
import { RelPath } from './rel-path.ts'

export const SnapshotCapabilities = t.intersection([
  t.type({
    caseSensitive: t.boolean,
    normalizesUnicode: t.boolean,
    mtimePrecisionMs: t.number,
    symlinks: t.boolean,
    execBit: t.boolean,
  }),
  /** `keepsMtime: false`: files written there get the time of the write (see `Capabilities`). */
  t.partial({ keepsMtime: t.boolean }),
])
export type SnapshotCapabilities = t.TypeOf<typeof SnapshotCapabilities>

export const Warning = t.type({ path: t.string, message: t.string })
export type Warning = t.TypeOf<typeof Warning>

/**
 * Everything under one root at one moment. `excluded` lists what is there but not synced (ignored by
 * this side's rules, `.syncignore` files); it is never touched, so the folders holding it must stay.
 * `ignoreFiles` holds the text of each `.syncignore`, by folder ('' is the root): the planner applies
 * the rules of both sides to both sides.
 */
export const Snapshot = t.type({
  root: t.string,
  exists: t.boolean,
  capabilities: SnapshotCapabilities,
  entries: mapFromRecord(RelPath, Entry, 'Entries'),
  excluded: t.readonlyArray(RelPath),
  ignoreFiles: t.record(t.string, t.string),
  warnings: t.readonlyArray(Warning),
  /** A digest of the entries, so a plan can say which snapshot it was made from. */
  fingerprint: t.string,
})
export type Snapshot = t.TypeOf<typeof Snapshot>
