import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { canonicalJson } from '../core/canonical-json.ts'
import { decodePlan } from '../core/decode-plan.ts'
import { Plan } from '../core/plan-file.ts'
import { type OwnFileError, ownFileTarget, readOwnFile } from '../state/regular-file.ts'
import { writeFileAtomic } from '../state/write-atomic.ts'

export type PlanFileError =
  | OwnFileError
  | {
      readonly _tag: 'PlanUnreadable'
      readonly file: string
      readonly code: string
      readonly message: string
    }
  | { readonly _tag: 'PlanInvalid'; readonly file: string; readonly problems: ReadonlyArray<string> }
  | {
      readonly _tag: 'PlanUnwritable'
      readonly file: string
      readonly code: string
      readonly message: string
    }

export const planJson = (plan: Plan): string => canonicalJson(Plan.encode(plan))

/** The plan's identity for review: sha256 of its canonical JSON, which is what `plan --out` writes. */
export const planDigest = (plan: Plan): string => createHash('sha256').update(planJson(plan)).digest('hex')

/**
 * Reads and decodes a plan file; a plan that does not decode (or says one thing twice) is refused with
 * what is wrong and where. Anything but a regular file (a FIFO, a folder) is refused before it is read.
 */
export const readPlanFile =
  (file: string): TE.TaskEither<PlanFileError, Plan> =>
  async () => {
    const read = await readOwnFile(file, 'plan file', ({ code, message }) => ({
      _tag: 'PlanUnreadable' as const,
      file,
      code,
      message,
    }))
    if (E.isLeft(read)) return read
    if (read.right === null)
      return E.left({ _tag: 'PlanUnreadable', file, code: 'ENOENT', message: 'no such file' })
    let json: unknown
    try {
      json = JSON.parse(read.right)
    } catch (error) {
      return E.left({ _tag: 'PlanInvalid', file, problems: [`not JSON (${(error as Error).message})`] })
    }
    const decoded = decodePlan(json)
    return E.isLeft(decoded)
      ? E.left({ _tag: 'PlanInvalid', file, problems: decoded.left.problems })
      : decoded
  }

/** Writes a plan file whole; over a symlink, the file it points to. */
export const writePlanFile =
  (file: string, plan: Plan): TE.TaskEither<PlanFileError, void> =>
  async () => {
    const target = await ownFileTarget(file, 'plan file', ({ code, message }) => ({
      _tag: 'PlanUnwritable' as const,
      file,
      code,
      message,
    }))
    if (E.isLeft(target)) return target
    try {
      await writeFileAtomic(target.right, planJson(plan))
      return E.right(undefined)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
      return E.left({ _tag: 'PlanUnwritable', file, code, message: (error as Error).message })
    }
  }
