import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { canonicalJson } from '../core/canonical-json.ts'
import { decodePlan } from '../core/decode-plan.ts'
import { Plan } from '../core/plan-file.ts'
import { writeFileAtomic } from '../state/write-atomic.ts'

export type PlanFileError =
  | { readonly _tag: 'PlanUnreadable'; readonly file: string; readonly message: string }
  | { readonly _tag: 'PlanInvalid'; readonly file: string; readonly problems: ReadonlyArray<string> }
  | { readonly _tag: 'PlanUnwritable'; readonly file: string; readonly message: string }

export const planJson = (plan: Plan): string => canonicalJson(Plan.encode(plan))

/** The plan's identity for review: sha256 of its canonical JSON, which is what `plan --out` writes. */
export const planDigest = (plan: Plan): string => createHash('sha256').update(planJson(plan)).digest('hex')

/** Reads and decodes a plan file; a plan that does not decode is refused with what is wrong and where. */
export const readPlanFile =
  (file: string): TE.TaskEither<PlanFileError, Plan> =>
  async () => {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      return E.left({ _tag: 'PlanUnreadable', file, message: (error as Error).message })
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return E.left({ _tag: 'PlanInvalid', file, problems: [`not JSON (${(error as Error).message})`] })
    }
    const decoded = decodePlan(json)
    return E.isLeft(decoded)
      ? E.left({ _tag: 'PlanInvalid', file, problems: decoded.left.problems })
      : decoded
  }

export const writePlanFile =
  (file: string, plan: Plan): TE.TaskEither<PlanFileError, void> =>
  async () => {
    try {
      await writeFileAtomic(file, planJson(plan))
      return E.right(undefined)
    } catch (error) {
      return E.left({ _tag: 'PlanUnwritable', file, message: (error as Error).message })
    }
  }
