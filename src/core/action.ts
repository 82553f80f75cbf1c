import * as t from 'io-ts'
import { taggedUnion } from './codec.ts'
import { Entry } from './entry.ts'
import { type KindCases, matchKind } from './match-kind.ts'
import { RelPath } from './rel-path.ts'
import { Direction, Side } from './side.ts'

/**
 * One step of a plan. Each carries the entries it expects to find (its preconditions): the applier runs
 * it only when the storage still looks like that, so a change nobody reviewed is never overwritten.
 */

/**
 * Copies a file or symlink across; `entry` is what the from-side must hold, `replaces` what the target
 * must. `from` names the path on the from-side when it is not `path` (a copy kept beside a conflict).
 */
export const CopyAction = t.intersection([
  t.type({
    kind: t.literal('copy'),
    direction: Direction,
    path: RelPath,
    entry: Entry,
    replaces: t.union([Entry, t.null]),
    reason: t.string,
  }),
  t.partial({
    from: RelPath,
    /** Re-transfers a file the target already holds the same (`--force-upload`, `--force-download`). */
    forced: t.literal(true),
  }),
])
export type CopyAction = t.TypeOf<typeof CopyAction>

export const MkdirAction = t.type({
  kind: t.literal('mkdir'),
  side: Side,
  path: RelPath,
  reason: t.string,
})
export type MkdirAction = t.TypeOf<typeof MkdirAction>

/** Removes a file, a symlink, or a folder emptied by the deletes before it. */
export const DeleteAction = t.type({
  kind: t.literal('delete'),
  side: Side,
  path: RelPath,
  entry: Entry,
  reason: t.string,
})
export type DeleteAction = t.TypeOf<typeof DeleteAction>

/**
 * Renames within one side, without transferring bytes; never onto an existing path. With `peer`, it
 * repeats a rename the other side made: `peer` is what the other side holds at `to`, and nothing is
 * left at `from` on either side.
 */
export const MoveAction = t.intersection([
  t.type({
    kind: t.literal('move'),
    side: Side,
    from: RelPath,
    to: RelPath,
    entry: Entry,
    reason: t.string,
  }),
  t.partial({ peer: Entry }),
])
export type MoveAction = t.TypeOf<typeof MoveAction>

/**
 * Copies a file within one side, from `from` to `to`: a conflict's losing version kept beside it, or,
 * with `peer`, a file the other side holds at `to` with the same content, instead of a transfer (a
 * backup keeps the old name of a renamed file and gets the new one this way).
 */
export const CloneAction = t.intersection([
  t.type({
    kind: t.literal('clone'),
    side: Side,
    from: RelPath,
    to: RelPath,
    entry: Entry,
    reason: t.string,
  }),
  t.partial({ peer: Entry }),
])
export type CloneAction = t.TypeOf<typeof CloneAction>

/**
 * Gives a file the mtime and exec bit the other side's copy has, when both hold the same bytes (a touch, a
 * chmod): no transfer. `entry` is what `side` must hold, `peer` what the other side must hold.
 */
export const MetaAction = t.type({
  kind: t.literal('meta'),
  side: Side,
  path: RelPath,
  entry: Entry,
  peer: Entry,
  reason: t.string,
})
export type MetaAction = t.TypeOf<typeof MetaAction>

export const Action = taggedUnion(
  'kind',
  {
    copy: CopyAction,
    mkdir: MkdirAction,
    delete: DeleteAction,
    move: MoveAction,
    clone: CloneAction,
    meta: MetaAction,
  },
  'Action',
)
export type Action = t.TypeOf<typeof Action>

/** The paths whose synced state an action decides. */
export const pathsOf = (action: Action): ReadonlyArray<RelPath> =>
  matchAction<ReadonlyArray<RelPath>>(action, {
    move: (move) => [move.from, move.to],
    clone: (clone) => [clone.to],
    copy: (copy) => [copy.path],
    delete: (deleted) => [deleted.path],
    mkdir: (mkdir) => [mkdir.path],
    meta: (meta) => [meta.path],
  })

/** The side an action writes to, and the path it writes. */
export const targetOfAction = (action: Action): { readonly side: Side; readonly path: RelPath } =>
  matchAction<{ readonly side: Side; readonly path: RelPath }>(action, {
    copy: (copy) => ({ side: copy.direction === 'upload' ? 'destination' : 'source', path: copy.path }),
    move: (move) => ({ side: move.side, path: move.to }),
    clone: (clone) => ({ side: clone.side, path: clone.to }),
    delete: (deleted) => ({ side: deleted.side, path: deleted.path }),
    mkdir: (mkdir) => ({ side: mkdir.side, path: mkdir.path }),
    meta: (meta) => ({ side: meta.side, path: meta.path }),
  })

/** One handler per kind of action: adding a kind is a type error wherever actions are matched. */
export type ActionHandlers<R> = KindCases<Action, R>

export const matchAction = <R>(action: Action, handlers: ActionHandlers<R>): R => matchKind(action, handlers)
