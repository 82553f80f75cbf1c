/**
 * Plan documents that must be refused, each a golden plan with one thing broken: `at` is a dotted path
 * into the document (`actions.0.from`), `value` what is put there (`REMOVED` deletes the field).
 */

export const REMOVED = Symbol('removed')

export interface Breakage {
  readonly name: string
  /** The golden plan it starts from, in plans/. */
  readonly base: string
  readonly at: string
  readonly value: unknown
}

// file-folder-clash: actions 0 move, 1 mkdir, 2 and 3 copies; conflicts[0] is a file against a folder.
// delete-on-source: actions 0..2 deletes. first-sync-merge: records[0]. mass-delete-blocked: blocked is set.
// rename-on-source-two-way: actions 1..3 moves with a peer. rename-on-source-backup: actions 1..3 clones.
export const breakages: ReadonlyArray<Breakage> = [
  {
    name: 'a path that climbs out of the root',
    base: 'file-folder-clash',
    at: 'actions.2.path',
    value: '../x',
  },
  {
    name: 'a path with `..` inside',
    base: 'delete-on-source',
    at: 'actions.1.path',
    value: 'archive/../../etc',
  },
  { name: 'an absolute path', base: 'delete-on-source', at: 'actions.0.path', value: '/etc/passwd' },
  { name: 'a path with a trailing slash', base: 'file-folder-clash', at: 'actions.1.path', value: 'notes/' },
  { name: 'a path with an empty segment', base: 'file-folder-clash', at: 'actions.3.path', value: 'a//b' },
  {
    name: 'a path with a `.` segment',
    base: 'first-sync-merge',
    at: 'records.0.path',
    value: './shared.txt',
  },
  {
    name: 'a path with a NUL byte',
    base: 'file-folder-clash',
    at: 'actions.0.from',
    value: 'notes\u0000.txt',
  },
  { name: 'an empty path', base: 'file-folder-clash', at: 'conflicts.0.path', value: '' },
  {
    name: 'a forgotten path outside the root',
    base: 'backup-keeps-extras',
    at: 'forget.0',
    value: '../photos/1.jpg',
  },
  {
    name: 'a local copy whose peer is no entry',
    base: 'rename-on-source-backup',
    at: 'actions.1.peer',
    value: 42,
  },
  {
    name: 'a repeated rename whose peer is no entry',
    base: 'rename-on-source-two-way',
    at: 'actions.1.peer',
    value: 'file',
  },
  { name: 'an unknown action kind', base: 'file-folder-clash', at: 'actions.1.kind', value: 'chmod' },
  { name: 'an action without its kind', base: 'file-folder-clash', at: 'actions.1.kind', value: REMOVED },
  {
    name: 'a copy without its precondition on the target',
    base: 'file-folder-clash',
    at: 'actions.3.replaces',
    value: REMOVED,
  },
  { name: 'a move without its reason', base: 'file-folder-clash', at: 'actions.0.reason', value: REMOVED },
  { name: 'a plan without its summary', base: 'edit-on-source', at: 'summary', value: REMOVED },
  { name: 'a plan without its delete guard verdict', base: 'edit-on-source', at: 'blocked', value: REMOVED },
  { name: 'another version of the format', base: 'edit-on-source', at: 'version', value: 2 },
  { name: 'the version as a string', base: 'edit-on-source', at: 'version', value: '1' },
  { name: 'another kind of file', base: 'edit-on-source', at: 'format', value: 'terraform-plan' },
  { name: 'an unknown mode', base: 'edit-on-source', at: 'policy.mode', value: 'mirror' },
  { name: 'an unknown conflict strategy', base: 'edit-on-source', at: 'policy.conflict', value: 'overwrite' },
  { name: 'an unknown comparison', base: 'edit-on-source', at: 'policy.compare', value: 'mtime' },
  {
    name: 'an unknown delete limit unit',
    base: 'edit-on-source',
    at: 'policy.maxDelete.unit',
    value: 'bytes',
  },
  { name: 'an unknown entry kind', base: 'file-folder-clash', at: 'actions.0.entry.kind', value: 'socket' },
  {
    name: 'an unknown copy direction',
    base: 'file-folder-clash',
    at: 'actions.3.direction',
    value: 'sideways',
  },
  { name: 'an unknown side', base: 'delete-on-source', at: 'actions.0.side', value: 'both' },
  {
    name: 'an unknown conflict outcome',
    base: 'file-folder-clash',
    at: 'conflicts.0.outcome',
    value: 'merged',
  },
  {
    name: 'a blocked plan naming no side',
    base: 'mass-delete-blocked',
    at: 'blocked.side',
    value: 'neither',
  },
  { name: 'a size given as text', base: 'file-folder-clash', at: 'actions.0.entry.size', value: '20' },
  { name: 'an mtime that is null', base: 'file-folder-clash', at: 'actions.3.entry.mtimeMs', value: null },
  { name: 'an exec bit given as text', base: 'file-folder-clash', at: 'actions.3.entry.exec', value: 'yes' },
  { name: 'a state serial given as text', base: 'edit-on-source', at: 'state.serial', value: '1' },
  { name: 'a count that is not a number', base: 'edit-on-source', at: 'summary.upload', value: 'one' },
  { name: 'a forced copy marked false', base: 'edit-on-source', at: 'actions.0.forced', value: false },
  {
    name: 'a symlink without its target',
    base: 'symlinks-and-exec-bit',
    at: 'actions.2.entry.target',
    value: REMOVED,
  },
  { name: 'actions that are not a list', base: 'edit-on-source', at: 'actions', value: {} },
  { name: 'ignore patterns that are not text', base: 'edit-on-source', at: 'policy.ignore', value: [42] },
  {
    name: 'a root that did not say whether it existed',
    base: 'edit-on-source',
    at: 'source.existed',
    value: REMOVED,
  },
]

/** `actions.0.from` → `actions[0].from`: how the codec names a place in its messages. */
export const codecPathOf = (at: string): string => at.replace(/\.(\d+)(?=\.|$)/g, '[$1]')

/** A copy of `document` with the breakage applied. */
export const broken = (document: unknown, breakage: Breakage): unknown => {
  const copy: unknown = structuredClone(document)
  const keys = breakage.at.split('.')
  const last = keys.pop() as string
  let target: unknown = copy
  for (const key of keys) {
    if (typeof target !== 'object' || target === null) throw new Error(`${breakage.name}: no ${breakage.at}`)
    target = (target as Record<string, unknown>)[key]
  }
  if (typeof target !== 'object' || target === null) throw new Error(`${breakage.name}: no ${breakage.at}`)
  const holder = target as Record<string, unknown>
  if (breakage.value === REMOVED) {
    if (!(last in holder)) throw new Error(`${breakage.name}: nothing to remove at ${breakage.at}`)
    delete holder[last]
  } else holder[last] = breakage.value
  return copy
}
