import { stat } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { hasChanges, type Plan } from '../../core/plan-file.ts'
import { summaryLine } from '../../core/render.ts'
import { showPath, showText } from '../../core/show-path.ts'
import type { SyncState } from '../../core/sync-state.ts'
import { stateFileOf } from '../../pair/open-pair.ts'
import { planDigest, readPlanFile } from '../../pair/plan-file-io.ts'
import { journalFileOf, readJournal } from '../../state/journal-file.ts'
import { type LockError, type LockStatus, lockFileOf, lockHolder } from '../../state/lock-file.ts'
import { checkOwnFolder } from '../../state/regular-file.ts'
import { loadState } from '../../state/state-file.ts'
import { ExitCode, type Io, showFile, styleFor, worst } from '../io.ts'
import { messageOf } from '../messages.ts'
import { pairSpecOf } from '../pair-options.ts'
import { type PairTarget, requireConfig, type TargetFlags, targetsOf } from '../pair-target.ts'
import { fail } from './plan.ts'

export interface StatusFlags extends TargetFlags {
  readonly state?: string
  readonly color: boolean
}

const mtimeOf = (file: string): Promise<number | null> =>
  stat(file).then(
    (info) => info.mtimeMs,
    () => null,
  )

const two = (n: number): string => String(n).padStart(2, '0')

/** `2026-01-02 10:04 (3 hours ago)`, in local time. */
export const whenText = (at: number, now: number): string => {
  const d = new Date(at)
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  const [n, unit] =
    seconds < 60
      ? [seconds, 'second']
      : seconds < 3600
        ? [Math.floor(seconds / 60), 'minute']
        : seconds < 86_400
          ? [Math.floor(seconds / 3600), 'hour']
          : [Math.floor(seconds / 86_400), 'day']
  return `${date} (${seconds < 10 ? 'just now' : `${n} ${unit}${n === 1 ? '' : 's'} ago`})`
}

type PlanStatus =
  | { readonly kind: 'untracked' }
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly message: string }
  | { readonly kind: 'other-pair' }
  | { readonly kind: 'stale' }
  | { readonly kind: 'pending'; readonly plan: Plan; readonly at: number }

const sameSerial = (plan: Plan, state: SyncState | null): boolean =>
  plan.state === null || state === null
    ? plan.state === null && state === null
    : plan.state.lineage === state.lineage && plan.state.serial === state.serial

/** A saved plan is pending when it was made for these folders against the state as it is now. */
const planStatus = async (
  target: PairTarget,
  roots: { readonly source: string; readonly destination: string },
  state: SyncState | null,
): Promise<PlanStatus> => {
  if (target.planFile === undefined) return { kind: 'untracked' }
  const at = await mtimeOf(target.planFile)
  if (at === null) return { kind: 'none' }
  const plan = await readPlanFile(target.planFile)()
  if (E.isLeft(plan)) return { kind: 'unreadable', message: messageOf(plan.left) }
  if (plan.right.source.root !== roots.source || plan.right.destination.root !== roots.destination)
    return { kind: 'other-pair' }
  return sameSerial(plan.right, state) ? { kind: 'pending', plan: plan.right, at } : { kind: 'stale' }
}

/** What a person would run next, in the words of the command line. */
const nextStep = (
  target: PairTarget,
  state: SyncState | null,
  plan: PlanStatus,
  journal: { readonly plan: string } | null,
  running: boolean,
  config: string,
): string => {
  const pair =
    target.name ??
    `${showPath(target.source)} ${showPath(target.destination)}${target.flags.state === undefined ? '' : ` --state ${showPath(target.flags.state)}`}`
  const run = (command: string, what = pair): string => `syncengine ${command} ${what}${config}`
  if (running)
    return 'wait for the apply that holds the lock to finish (remove the lock file if no syncengine runs)'
  if (journal !== null)
    return plan.kind === 'pending' && planDigest(plan.plan) === journal.plan
      ? `run \`${run('apply')}\` again to finish the interrupted apply`
      : `run \`${run('plan')}\`: it takes what the interrupted apply finished into the state, and plans the rest`
  if (plan.kind === 'pending' && hasChanges(plan.plan))
    return `review it with \`${run('show')}\`, then \`${run('apply')}\``
  if (state === null) return `run \`${run('plan')}\` to see what a first sync would do (it deletes nothing)`
  return `run \`${run('plan')}\` to see what changed since the last sync`
}

/** The lock file, when there is one: who holds it, or why it holds nothing. */
const lockLine = (lock: E.Either<LockError, LockStatus | null>, file: string): string | undefined => {
  if (E.isLeft(lock)) return showText(messageOf(lock.left))
  const found = lock.right
  if (found === null) return undefined
  if (found.kind === 'damaged')
    return found.takenOver
      ? `${file} is damaged (${found.why}): no apply holds it, and the next apply takes it over`
      : `${file} is damaged (${found.why}) and was written moments ago; if no apply runs on this pair, remove it`
  const who = `pid ${found.pid} on ${showText(found.host)}, since ${showText(found.since)}`
  return found.alive
    ? `held by an apply that is running (${who})`
    : `left by an apply that is gone (${who}); the next apply takes it over`
}

const statusOf = async (
  target: PairTarget,
  flags: StatusFlags,
  io: Io,
  several: boolean,
): Promise<ExitCode> => {
  const spec = pairSpecOf(target.source, target.destination, target.flags, io)
  if (E.isLeft(spec)) return fail(io, spec.left, several ? target.name : undefined)
  const { source, destination } = spec.right
  const stateFile = stateFileOf(spec.right, io)
  const folder = await checkOwnFolder(stateFile, 'state file')
  if (folder !== undefined) return fail(io, folder, several ? target.name : undefined)
  const style = styleFor(io, flags.color)
  const out: string[] = []
  out.push(
    style.bold(
      `${target.name === undefined ? '' : `${target.name}: `}${showPath(source)} → ${showPath(destination)}`,
    ),
  )
  const synced = await mtimeOf(stateFile)
  const now = io.now?.() ?? Date.now()
  out.push(`  last sync:   ${synced === null ? 'never' : whenText(synced, now)}`)
  const loaded = await loadState(stateFile, { source, destination })()
  let code: ExitCode = ExitCode.ok
  let state: SyncState | null = null
  if (E.isLeft(loaded)) {
    out.push(`  state:       ${style.remove(showText(messageOf(loaded.left)))}`)
    code = ExitCode.error
  } else {
    state = loaded.right
    out.push(
      `  state:       ${state === null ? 'none yet' : `${state.entries.size} ${state.entries.size === 1 ? 'path' : 'paths'}`} (${showFile(io, stateFile)})`,
    )
  }
  const plan = await planStatus(target, { source, destination }, state)
  const file = target.planFile === undefined ? '' : showFile(io, target.planFile)
  const planText = {
    untracked: 'kept only for pairs named in syncengine.json',
    none: 'none saved',
    unreadable: `cannot be used: ${plan.kind === 'unreadable' ? showText(plan.message) : ''}`,
    'other-pair': `${file} was made for other folders`,
    stale: `none pending (${file} was made before the last sync)`,
    pending:
      plan.kind === 'pending'
        ? `pending, ${hasChanges(plan.plan) ? summaryLine(plan.plan).replace(/^Plan: (.*)\.$/, '$1') : 'no changes'}; made ${whenText(plan.at, now)} in ${file}`
        : '',
  }[plan.kind]
  out.push(`  plan:        ${planText}`)
  const journal = await readJournal(journalFileOf(stateFile))
  const lockFile = lockFileOf(stateFile)
  const lock = await lockHolder(lockFile)
  const holder = E.isRight(lock) && lock.right?.kind === 'held' ? lock.right : undefined
  const running = holder?.alive === true
  const interrupted = E.isRight(journal) ? journal.right : null
  out.push(
    `  interrupted: ${
      E.isLeft(journal)
        ? style.remove(showText(messageOf(journal.left)))
        : interrupted === null
          ? 'no'
          : running
            ? `an apply is running (pid ${holder?.pid} on ${showText(holder?.host ?? '')}, since ${showText(holder?.since ?? '')})`
            : style.conflict(
                `yes, an apply stopped before it finished (${showFile(io, journalFileOf(stateFile))})`,
              )
    }`,
  )
  const lockText = lockLine(lock, showFile(io, lockFile))
  if (lockText !== undefined) out.push(`  lock:        ${lockText}`)
  const config = flags.config === undefined ? '' : ` --config ${showPath(flags.config)}`
  out.push(`  next:        ${nextStep(target, state, plan, interrupted?.header ?? null, running, config)}`)
  io.stdout.write(`${out.join('\n')}\n`)
  return code
}

/** Where each pair stands: last sync, size of its state, a pending plan, an interrupted apply, what next. */
export const statusCommand = async (
  args: ReadonlyArray<string>,
  flags: StatusFlags,
  io: Io,
): Promise<ExitCode> => {
  if (args.length === 0) {
    const config = await requireConfig(
      flags,
      io,
      'status with no pair shows the pairs it names (or give SOURCE DESTINATION)',
    )
    if (E.isLeft(config)) return fail(io, config.left)
  }
  const targets = await targetsOf(args, flags, { ...flags, all: args.length === 0 }, io)
  if (E.isLeft(targets)) return fail(io, targets.left)
  if (targets.right.length === 0) {
    io.stdout.write('No pairs in the config yet; add one under "pairs".\n')
    return ExitCode.ok
  }
  const codes: ExitCode[] = []
  for (const [i, target] of targets.right.entries()) {
    if (i > 0) io.stdout.write('\n')
    codes.push(await statusOf(target, flags, io, targets.right.length > 1))
  }
  return worst(codes)
}
