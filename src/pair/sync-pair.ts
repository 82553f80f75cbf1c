import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Plan } from '../core/plan-file.ts'
import type { Policy } from '../core/policy.ts'
import type { Sides } from '../storage/sides.ts'
import type { PairReport } from './apply-pair.ts'
import { type OpenPairError, openPair, type PairContext } from './open-pair.ts'
import { type ApplyOptions, type PlanOptions, type SyncOpenedError, syncOpened } from './run-pair.ts'

export interface SyncPairInput extends ApplyOptions, PlanOptions {
  readonly sides: Sides
  readonly stateFile: string
  readonly policy?: Partial<Policy>
  /** Where relative paths start and the environment: the process's unless given. */
  readonly context?: PairContext
}

/**
 * Plan and apply two storages in one call, for programs that do not review, under every rule of a pair
 * (see `openPair`): the same path as the engine and the command line take.
 */
export const syncPair =
  (
    input: SyncPairInput,
  ): TE.TaskEither<OpenPairError | SyncOpenedError, { readonly plan: Plan; readonly report: PairReport }> =>
  async () => {
    const { sides, stateFile, policy, context, ...options } = input
    const opened = await openPair(
      {
        source: sides.source,
        destination: sides.destination,
        stateFile,
        ...(policy === undefined ? {} : { policy }),
      },
      context ?? { cwd: process.cwd(), env: process.env },
    )()
    // The storages are the caller's: they stay open for the caller to close.
    return E.isLeft(opened) ? opened : syncOpened(opened.right, options)()
  }
