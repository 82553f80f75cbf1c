import type { Action } from './action.ts'
import { type Entry, isDir, sizeOf } from './entry.ts'
import type { Conflict, Plan } from './plan-file.ts'

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
}

const shown = (path: string, entry: Entry | null): string => (isDir(entry) ? `${path}/` : path)

const lineOf = (action: Action, style: Style): Line => {
  switch (action.kind) {
    case 'copy': {
      const replacing = action.replaces !== null
      return {
        symbol: replacing ? '~' : '+',
        color: replacing ? style.change : style.add,
        label: action.direction,
        path: action.entry.kind === 'symlink' ? `${action.path} -> ${action.entry.target}` : action.path,
        size: action.entry.kind === 'file' ? formatBytes(sizeOf(action.entry)) : '',
        reason: action.reason,
      }
    }
    case 'mkdir':
      return {
        symbol: '+',
        color: style.add,
        label: action.side === 'destination' ? 'upload' : 'download',
        path: `${action.path}/`,
        size: '',
        reason: action.reason,
      }
    case 'delete':
      return {
        symbol: '-',
        color: style.remove,
        label: `delete on ${action.side}`,
        path: shown(action.path, action.entry),
        size: '',
        reason: action.reason,
      }
    case 'clone':
      return {
        symbol: '+',
        color: style.add,
        label: `copy on ${action.side}`,
        path: `${action.from} → ${action.to}`,
        size: '',
        reason: action.reason,
      }
    case 'move':
      return {
        symbol: '→',
        color: style.move,
        label: `move on ${action.side}`,
        path: `${action.from} → ${action.to}`,
        size: '',
        reason: action.reason,
      }
  }
}

const conflictLine = (conflict: Conflict, style: Style): Line => ({
  symbol: '!',
  color: style.conflict,
  label: 'conflict',
  path: shown(conflict.path, conflict.source ?? conflict.destination),
  size: '',
  reason: conflict.reason,
})

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

export const summaryLine = (plan: Plan): string => {
  const s = plan.summary
  return `Plan: ${s.upload} to upload, ${s.download} to download, ${s.move} to move, ${s.delete.source + s.delete.destination} to delete, ${plural(s.conflict, 'conflict')}.`
}

/**
 * The plan as a reviewer reads it, like Terraform's: where it goes, one line per action (symbol, what,
 * path, size, why), the conflicts, and a summary line.
 */
export const render = (plan: Plan, style: Style = plainStyle): string => {
  const out: string[] = []
  out.push(style.bold(`${plan.source.root} → ${plan.destination.root}`))
  out.push(style.dim(`mode: ${plan.policy.mode}, conflicts: ${plan.policy.conflict}`))
  out.push('')
  const lines = [
    ...plan.conflicts.map((c) => conflictLine(c, style)),
    ...plan.actions.map((a) => lineOf(a, style)),
  ]
  if (lines.length === 0) {
    out.push('No changes. Source and destination are in sync.')
  } else {
    const labelWidth = Math.max(...lines.map((l) => l.label.length))
    const pathWidth = Math.min(60, Math.max(...lines.map((l) => [...l.path].length)))
    const sizeWidth = Math.max(...lines.map((l) => l.size.length))
    for (const line of lines) {
      const cells = [
        line.color(`${line.symbol} ${line.label.padEnd(labelWidth)}`),
        line.path.padEnd(pathWidth),
        line.size.padStart(sizeWidth),
        style.dim(line.reason),
      ].filter((_, i) => i !== 2 || sizeWidth > 0)
      out.push(`  ${cells.join('  ')}`.trimEnd())
    }
    out.push('')
    out.push(style.bold(summaryLine(plan)))
  }
  const { bytes } = plan.summary
  if (bytes.upload + bytes.download > 0)
    out.push(style.dim(`Transfers: ${formatBytes(bytes.upload)} up, ${formatBytes(bytes.download)} down.`))
  if (plan.records.length > 0)
    out.push(
      style.dim(
        `${plural(plan.records.length, 'path')} already alike on both sides will be recorded as in sync.`,
      ),
    )
  for (const warning of plan.warnings)
    out.push(style.conflict(`Warning: ${warning.path}: ${warning.message}`))
  return `${out.join('\n')}\n`
}
