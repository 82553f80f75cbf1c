/**
 * `syncengine/testing`: what a storage backend, or a program built on syncengine, needs to test itself.
 * The conformance suite runs under vitest (a backend passes it or is not a backend); the arbitraries are
 * fast-check generators of realistic trees, edits and sync scenarios.
 */

export * from './arbitraries.ts'
export {
  describeStorageConformance,
  failed,
  type MadeStorage,
  ok,
  rp,
  type StorageSetup,
} from './storage-conformance.ts'
