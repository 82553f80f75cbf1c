import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Sides } from '../apply/sides.ts'
import type { PlanError } from '../core/plan/plan.ts'
import { plan as planOf } from '../core/plan/plan.ts'
import type { Plan } from '../core/plan-file.ts'
import type { Policy } from '../core/policy.ts'
import type { RelPath } from '../core/rel-path.ts'
import type { SyncState } from '../core/sync-state.ts'
import { type SnapshotError, takeSnapshot } from '../snapshot/snapshot.ts'

export type PlanPairError = PlanError | SnapshotError

export interface PlanPairInput {
  readonly sides: Sides
  readonly state: SyncState | null
  readonly policy: Policy
  /** Paths inside each root never to list (the state or plan file when it sits there). */
  readonly exclude?: {
    readonly source?: ReadonlyArray<RelPath>
    readonly destination?: ReadonlyArray<RelPath>
  }
}

/** Snapshots both sides and plans. Either snapshot failing stops here, before any plan exists. */
export const planPair =
  (input: PlanPairInput): TE.TaskEither<PlanPairError, Plan> =>
  async () => {
    const [source, destination] = await Promise.all([
      takeSnapshot(input.sides.source, {
        ignore: input.policy.ignore,
        exclude: input.exclude?.source ?? [],
      })(),
      takeSnapshot(input.sides.destination, {
        ignore: input.policy.ignore,
        exclude: input.exclude?.destination ?? [],
      })(),
    ])
    if (E.isLeft(source)) return source
    if (E.isLeft(destination)) return destination
    return planOf(source.right, destination.right, input.state, input.policy)
  }
