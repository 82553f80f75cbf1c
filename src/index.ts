/** syncengine: keep two file trees in sync through a plan you can read before anything is touched. */

export { type ApplyError, type ApplyEvent, type ApplyReport, applyPlan, isComplete } from './apply/apply.ts'
export { type PauseGate, pauseGate } from './apply/pause.ts'
export type { RetryPolicy } from './apply/retry.ts'
export { type Config, type ConfigError, decodeConfig, loadConfig } from './config/config-file.ts'
export type { Action } from './core/action.ts'
export { canonicalJson } from './core/canonical-json.ts'
export { decodePlan } from './core/decode-plan.ts'
export type { Entry } from './core/entry.ts'
export type { ActionOutcome, Effect } from './core/outcome.ts'
export { type PlanError, plan } from './core/plan/plan.ts'
export { type Conflict, hasChanges, Plan } from './core/plan-file.ts'
export {
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  defaultPolicy,
  MODES,
  type Mode,
  Policy,
} from './core/policy.ts'
export type * from './core/progress-event.ts'
export { type RelPath, relPath } from './core/rel-path.ts'
export { plainStyle, render, type Style } from './core/render.ts'
export { showPath } from './core/show-path.ts'
export { Snapshot } from './core/snapshot.ts'
export { SyncState } from './core/sync-state.ts'
export { type ApplyPairError, applyPair, type PairReport } from './pair/apply-pair.ts'
export { describeError, type LibraryError } from './pair/describe-error.ts'
export {
  type CallOptions,
  countsOf,
  createSyncEngine,
  DEFAULT_TRANSFERS,
  type EngineOptions,
  type FolderTransfer,
  type PairSpec,
  type PlanError as EnginePlanError,
  type PlanResult,
  type SideSpec,
  type SyncCounts,
  type SyncEngine,
  type SyncError,
  type SyncResult,
} from './pair/engine.ts'
export { type OpenedPair, type OpenPairError, openPair, type PairContext } from './pair/open-pair.ts'
export type { PairError } from './pair/pair-errors.ts'
export { planDigest, planJson, readPlanFile, writePlanFile } from './pair/plan-file-io.ts'
export { type PlanPairError, planPair } from './pair/plan-pair.ts'
export { applyOpened, planOpened, syncOpened } from './pair/run-pair.ts'
export { syncPair } from './pair/sync-pair.ts'
export { type SnapshotError, takeSnapshot } from './snapshot/snapshot.ts'
export { defaultStateFile, loadState, saveState } from './state/state-file.ts'
export type { FtpOptions } from './storage/ftp/options.ts'
export { localStorage } from './storage/local.ts'
export { type MemoryStorage, memoryStorage } from './storage/memory.ts'
export { BACKEND_PACKAGES, type OpenError, type OpenOptions, openSide } from './storage/open.ts'
export { S3Options } from './storage/s3/options.ts'
export type { SftpOptions } from './storage/sftp/sftp-options.ts'
export type { Sides } from './storage/sides.ts'
export type { Capabilities, Staged, Storage, StorageError } from './storage/storage.ts'
