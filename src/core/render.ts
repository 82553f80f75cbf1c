import { type Action, matchAction, targetOfAction } from './action.ts'
import { type Entry, isDir, sizeOf } from './entry.ts'
import { describeBlocked } from './plan/delete-guard.ts'
import { derivedOf } from './plan/derived.ts'
import type { Conflict, Plan } from './plan-file.ts'
import { parentOf } from './rel-path.ts'
import { showNaming, showPath } from './show-path.ts'

/** Colors for the terminal; the plain style leaves text as it is (files, pipes, `NO_COLOR`). */
export interface Style {
  readonly add: (s: string) => string
  readonly change: (s: string) => string
  readonly remove: (s: string) => string
  readonly move: (s: string) => string
  readonly conflict: (s: string) => string
  readonly dim: (s: string) => string
  readonly bold: (s: string) => string
}

const same = (s: string): string => s
export const plainStyle: Style = {
  add: same,
  change: same,
  remove: same,
  move: same,
  conflict: same,
  dim: same,
  bold: same,
}

export interface RenderOptions {
  /** Show the first `limit` lines and count the rest; 0 or absent shows them all. */
  readonly limit?: number
  /** A plan with more lines than this is shown under a header per folder. */
  readonly groupAbove?: number
}

/** Past this many lines a flat list is hard to scan; grouped by folder, a reader can skip a folder. */
export const GROUP_ABOVE = 40

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

interface Line {
  readonly symbol: string
  readonly color: (s: string) => string
  readonly label: string
  readonly path: string
  readonly size: string
  readonly reason: string
  /** The folder the line is listed under when the plan is grouped. */
  readonly folder: string
}

const shown = (path: string, entry: Entry | null): string =>
  isDir(entry) ? `${showPath(path)}/` : showPath(path)

/** Every name the action holds: its reason may name any of them. */
const namesOf = (action: Action): ReadonlyArray<string> =>
  matchAction<ReadonlyArray<string>>(action, {
    copy: (copy) => [copy.path, ...(copy.from === undefined ? [] : [copy.from])],
    move: (move) => [move.from, move.to],
    clone: (clone) => [clone.from, clone.to],
    delete: (deleted) => [deleted.path],
    mkdir: (mkdir) => [mkdir.path],
    meta: (meta) => [meta.path],
  })

const lineOf = (action: Action, style: Style): Line => {
  const reason = showNaming(action.reason, namesOf(action))
  switch (action.kind) {
    case 'copy': {
      const replacing = action.replaces !== null
      return {
        symbol: replacing ? '~' : '+',
        color: replacing ? style.change : style.add,
        label: action.direction,
        path: `${action.from === undefined ? '' : `${showPath(action.from)} → `}${showPath(action.path)}${action.entry.kind === 'symlink' ? ` -> ${showPath(action.entry.target)}` : ''}`,
        size: action.entry.kind === 'file' ? formatBytes(sizeOf(action.entry)) : '',
        reason,
        folder: parentOf(action.path),
      }
    }
    case 'mkdir':
      return {
        symbol: '+',
        color: style.add,
        label: action.side === 'destination' ? 'upload' : 'download',
        path: `${showPath(action.path)}/`,
        size: '',
        reason,
        folder: parentOf(action.path),
      }
    case 'delete':
      return {
        symbol: '-',
        color: style.remove,
        label: `delete on ${action.side}`,
        path: shown(action.path, action.entry),
        size: '',
        reason,
        folder: parentOf(action.path),
      }
    case 'clone':
      // A copy made on one side from a file it already holds: no bytes cross between the sides.
      return {
        symbol: '+',
        color: style.add,
        label: `copy on ${action.side}`,
        path: `${showPath(action.from)} → ${showPath(action.to)}`,
        size: '',
        reason,
        folder: parentOf(action.to),
      }
    case 'move':
      return {
        symbol: '→',
        color: style.move,
        label: `move on ${action.side}`,
        path: `${showPath(action.from)} → ${showPath(action.to)}`,
        size: '',
        reason,
        folder: parentOf(action.to),
      }
    case 'meta':
      // The bytes are the same on both sides: only the mtime or the exec bit is set, nothing is sent.
      return {
        symbol: '~',
        color: style.change,
        label: `metadata on ${action.side}`,
        path: showPath(action.path),
        size: '',
        reason,
        folder: parentOf(action.path),
      }
  }
}

const conflictLine = (conflict: Conflict, style: Style): Line => ({
  symbol: '!',
  color: style.conflict,
  label: 'conflict',
  path: shown(conflict.path, conflict.source ?? conflict.destination),
  size: '',
  reason: showNaming(conflict.reason, [conflict.path]),
  folder: parentOf(conflict.path),
})

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** "Plan: 12 to upload, 3 to download, 1 to move, 2 to delete, 1 conflict." Scripts grep for it: keep it. */
export const summaryLine = (plan: Plan): string => {
  const c = derivedOf(plan).summary
  return `Plan: ${c.upload} to upload, ${c.download} to download, ${c.move} to move, ${c.delete.source + c.delete.destination} to delete, ${plural(c.conflict, 'conflict')}.`
}

const legend = (style: Style): string =>
  `Symbols: ${style.add('+')} create  ${style.change('~')} update  ${style.remove('-')} delete  ${style.move('→')} move  ${style.conflict('!')} conflict`

const folderHeading = (folder: string): string => (folder === '' ? '(top level)' : `${showPath(folder)}/`)

/** The lines in the order shown: the plan's own order, or by folder (each folder in the plan's order). */
const arrange = (
  lines: ReadonlyArray<Line>,
  grouped: boolean,
): ReadonlyArray<{ readonly folder: string; readonly lines: ReadonlyArray<Line> }> => {
  if (!grouped) return [{ folder: '', lines }]
  const byFolder = new Map<string, Line[]>()
  for (const line of lines) byFolder.set(line.folder, [...(byFolder.get(line.folder) ?? []), line])
  return [...byFolder.keys()].sort().map((folder) => ({ folder, lines: byFolder.get(folder) ?? [] }))
}

const actionLines = (plan: Plan, style: Style, options: RenderOptions): ReadonlyArray<string> => {
  const all = [
    ...plan.conflicts.map((c) => conflictLine(c, style)),
    ...plan.actions.map((a) => lineOf(a, style)),
  ]
  const grouped =
    all.length > (options.groupAbove ?? GROUP_ABOVE) && new Set(all.map((l) => l.folder)).size > 1
  const limit = options.limit !== undefined && options.limit > 0 ? options.limit : all.length
  const groups = arrange(all, grouped)
  const visible = groups.flatMap((g) => g.lines).slice(0, limit)
  const labelWidth = Math.max(...visible.map((l) => l.label.length))
  const pathWidth = Math.min(60, Math.max(...visible.map((l) => [...l.path].length)))
  const sizeWidth = Math.max(...visible.map((l) => l.size.length))
  const indent = grouped ? '    ' : '  '
  const format = (line: Line): string => {
    const cells = [
      line.color(`${line.symbol} ${line.label.padEnd(labelWidth)}`),
      line.path.padEnd(pathWidth),
      line.size.padStart(sizeWidth),
      style.dim(line.reason),
    ].filter((_, i) => i !== 2 || sizeWidth > 0)
    return `${indent}${cells.join('  ')}`.trimEnd()
  }
  const out: string[] = []
  let left = limit
  for (const group of groups) {
    if (left <= 0) break
    if (grouped)
      out.push(`  ${style.bold(folderHeading(group.folder))} ${style.dim(`(${group.lines.length})`)}`)
    for (const line of group.lines.slice(0, left)) out.push(format(line))
    left -= group.lines.length
  }
  if (all.length > limit) out.push(style.dim(`  … and ${all.length - limit} more (--limit 0 shows all)`))
  return out
}

/**
 * The plan as a reviewer reads it, like Terraform's: where it goes, a legend, one line per action (symbol,
 * side or direction, path, size, why) with the conflicts first, a summary line, and why apply would refuse
 * it when it is blocked. A large plan is grouped under a header per folder; `limit` cuts the list short.
 */
export const render = (plan: Plan, style: Style = plainStyle, options: RenderOptions = {}): string => {
  // What the plan says of itself is not trusted: the summary and the guard are derived again.
  const { summary, blocked } = derivedOf(plan)
  const out: string[] = []
  out.push(style.bold(`${showPath(plan.source.root)} → ${showPath(plan.destination.root)}`))
  out.push(style.dim(`mode: ${plan.policy.mode}, conflicts: ${plan.policy.conflict}`))
  for (const side of ['source', 'destination'] as const) {
    if (plan[side].existed) continue
    const made = plan.actions.some((action) => targetOfAction(action).side === side)
    out.push(style.change(`The ${side} does not exist${made ? ': it will be created' : ''}.`))
  }
  // Where apply writes besides the two roots: a reviewer sees it before approving the plan.
  if (plan.stateFile !== undefined) out.push(style.dim(`state file: ${showPath(plan.stateFile)}`))
  if (plan.policy.backupDir !== null) out.push(style.dim(`backups: ${showPath(plan.policy.backupDir)}`))
  out.push('')
  if (plan.actions.length + plan.conflicts.length === 0) {
    out.push('No changes. Source and destination are in sync.')
  } else {
    out.push(style.dim(legend(style)))
    out.push('')
    out.push(...actionLines(plan, style, options))
    out.push('')
    out.push(style.bold(summaryLine(plan)))
  }
  const localCopy = summary.local
  const copies = (['destination', 'source'] as const).filter((side) => localCopy[side] > 0)
  if (copies.length > 0)
    out.push(
      style.dim(
        `Local copies: ${copies.map((side) => `${localCopy[side]} on the ${side}`).join(', ')} (no transfer).`,
      ),
    )
  if (summary.metadata > 0)
    out.push(
      style.dim(
        `Metadata: ${plural(summary.metadata, 'file')} given the other side's mtime or exec bit (same bytes, no transfer).`,
      ),
    )
  const { bytes } = summary
  if (bytes.upload + bytes.download > 0)
    out.push(style.dim(`Transfers: ${formatBytes(bytes.upload)} up, ${formatBytes(bytes.download)} down.`))
  if (plan.records.length > 0)
    out.push(
      style.dim(
        `${plural(plan.records.length, 'path')} already alike on both sides will be recorded as in sync.`,
      ),
    )
  for (const warning of plan.warnings)
    out.push(
      style.conflict(`Warning: ${showPath(warning.path)}: ${showNaming(warning.message, [warning.path])}`),
    )
  if (blocked !== null)
    out.push(
      style.remove(
        `Blocked: ${describeBlocked(blocked)}, so apply refuses it. If that is intended, plan again with --allow-mass-delete.`,
      ),
    )
  return `${out.join('\n')}\n`
}
