import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { hashRequests } from '../core/plan/hash-requests.ts'
import { folderFor } from '../core/plan/names.ts'
import { type PlanError, plan as planOf } from '../core/plan/plan.ts'
import type { Plan } from '../core/plan-file.ts'
import type { Policy } from '../core/policy.ts'
import type { ProgressListener } from '../core/progress-event.ts'
import type { RelPath } from '../core/rel-path.ts'
import type { Side } from '../core/side.ts'
import type { Snapshot } from '../core/snapshot.ts'
import type { SyncState } from '../core/sync-state.ts'
import { type HashError, pairAlgorithms, withCachedHashes, withHashes } from '../snapshot/fill-hashes.ts'
import { type SnapshotError, takeSnapshot } from '../snapshot/snapshot.ts'
import type { Sides } from '../storage/sides.ts'
import { withProbeToken } from './probe-record.ts'

export type PlanPairError = PlanError | SnapshotError | HashError

export interface PlanPairInput {
  readonly sides: Sides
  readonly state: SyncState | null
  readonly policy: Policy
  /** Paths inside each root never to list (the state or plan file when it sits there). */
  readonly exclude?: {
    readonly source?: ReadonlyArray<RelPath>
    readonly destination?: ReadonlyArray<RelPath>
  }
  /** Scan progress, a `scan-start` and a `scan-complete` per folder. */
  readonly onProgress?: ProgressListener
  /**
   * Where to record the token of probe files before the snapshots make any (`probeRecordOf(stateFile)`):
   * without it, the storages are not probed for how they treat names.
   */
  readonly probeRecord?: string
}

/**
 * Snapshots both sides and plans. Hashes come from the state's cache, from reading every file
 * (`--compare checksum`), or, with size and mtime, from reading just the files whose hashes would settle
 * a doubt (see `hashRequests`), after which the plan is made again. Either snapshot failing stops here,
 * before any plan exists.
 */
export const planPair =
  (input: PlanPairInput): TE.TaskEither<PlanPairError, Plan> =>
  async () => {
    const { sides, state, policy } = input
    const roots = [sides.source.root, sides.destination.root]
    const [taken1, taken2] = await withProbeToken(input.probeRecord, roots, (probeToken) => {
      const scanOptions = (side: Side) => ({
        ignore: policy.ignore,
        exclude: input.exclude?.[side] ?? [],
        ...(probeToken === undefined ? {} : { probeToken }),
        ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress, side }),
      })
      return Promise.all([
        takeSnapshot(sides.source, scanOptions('source'))(),
        takeSnapshot(sides.destination, scanOptions('destination'))(),
      ])
    })
    if (E.isLeft(taken1)) return taken1
    if (E.isLeft(taken2)) return taken2
    let source = withCachedHashes(taken1.right, state, 'source')
    let destination = withCachedHashes(taken2.right, state, 'destination')
    // Hashes are made in the algorithm a side offers for free, so the other side's need not be read.
    const algorithms = pairAlgorithms(taken1.right, taken2.right)
    if (policy.compare === 'checksum') {
      const [hashed1, hashed2] = await Promise.all([
        withHashes(source, sides.source, 'all', undefined, algorithms),
        withHashes(destination, sides.destination, 'all', undefined, algorithms),
      ])
      if (E.isLeft(hashed1)) return hashed1
      if (E.isLeft(hashed2)) return hashed2
      source = hashed1.right
      destination = hashed2.right
    }
    const first = planOf(source, destination, state, policy)
    if (E.isLeft(first)) return first
    const wanted = hashRequests(first.right.actions, first.right.conflicts, { source, destination }, state)
    if (wanted.source.length + wanted.destination.length === 0) return first
    // The plan names paths as both sides will spell them; each snapshot knows them as listed.
    const fold = folderFor(source, destination)
    const listed = (snapshot: Snapshot, paths: ReadonlyArray<RelPath>): ReadonlyArray<RelPath> => {
      if (paths.every((p) => snapshot.entries.has(p))) return paths
      const byKey = new Map([...snapshot.entries.keys()].map((p) => [fold(p), p]))
      return paths.flatMap((p) => byKey.get(fold(p)) ?? [])
    }
    const [hashed1, hashed2] = await Promise.all([
      withHashes(source, sides.source, listed(source, wanted.source), undefined, algorithms),
      withHashes(
        destination,
        sides.destination,
        listed(destination, wanted.destination),
        undefined,
        algorithms,
      ),
    ])
    if (E.isLeft(hashed1)) return hashed1
    if (E.isLeft(hashed2)) return hashed2
    return planOf(hashed1.right, hashed2.right, state, policy)
  }
