/** Reads a V8 .cpuprofile (from `node --cpu-prof`) into self time per function and per file. */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface SelfTime {
  readonly functionName: string
  /** `file:line`, relative to the repository where it is in it; 1-based lines of the code as it ran. */
  readonly where: string
  readonly file: string
  readonly ms: number
}

const placeOf = (frame: CallFrame, repo: string): string => {
  if (frame.url === '') return ''
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url
  const inRepo = path.startsWith(repo) ? relative(repo, path) : path
  const modules = inRepo.lastIndexOf('node_modules/')
  return modules >= 0 ? inRepo.slice(modules) : inRepo
}

/**
 * Self time of each function (name, file and line), largest first, with the profile's total. A sample
 * lasts until the next one (as Chrome's DevTools count it).
 */
export const selfTimes = (
  profile: CpuProfile,
  repo: string,
): { readonly totalMs: number; readonly entries: ReadonlyArray<SelfTime> } => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const micros = new Map<number, number>()
  let at = profile.startTime
  const stamps = profile.timeDeltas.map((delta) => (at += delta))
  profile.samples.forEach((id, i) => {
    const lasted = (stamps[i + 1] ?? profile.endTime) - (stamps[i] ?? profile.endTime)
    micros.set(id, (micros.get(id) ?? 0) + Math.max(0, lasted))
  })
  const merged = new Map<string, SelfTime>()
  let total = 0
  for (const [id, us] of micros) {
    const node = byId.get(id)
    if (node === undefined) continue
    total += us
    const file = placeOf(node.callFrame, repo)
    const where = file === '' ? '' : `${file}:${node.callFrame.lineNumber + 1}`
    const functionName = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName
    const key = `${functionName}\0${where}`
    const known = merged.get(key)
    merged.set(key, { functionName, where, file, ms: (known?.ms ?? 0) + us / 1000 })
  }
  return { totalMs: total / 1000, entries: [...merged.values()].sort((a, b) => b.ms - a.ms) }
}

/** The same self time summed per file (V8's own entries, like the garbage collector, by name). */
export const byFile = (entries: ReadonlyArray<SelfTime>): ReadonlyArray<{ file: string; ms: number }> => {
  const files = new Map<string, number>()
  for (const e of entries) {
    const file = e.file === '' ? e.functionName : e.file
    files.set(file, (files.get(file) ?? 0) + e.ms)
  }
  return [...files].map(([file, ms]) => ({ file, ms })).sort((a, b) => b.ms - a.ms)
}
