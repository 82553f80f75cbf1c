import type { ActionOutcome } from '../core/outcome.ts'

export interface RetryPolicy {
  /** Tries after the first. */
  readonly retries: number
  /** Wait before the first retry; it doubles after each. */
  readonly delayMs: number
}

export const defaultRetry: RetryPolicy = { retries: 2, delayMs: 200 }

/** Errors that can pass on their own: a busy or flaky device, a dropped connection, too many open files. */
const TRANSIENT = new Set([
  'EIO',
  'EAGAIN',
  'EBUSY',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EMFILE',
  'ENFILE',
])

export const isTransient = (outcome: ActionOutcome): boolean =>
  outcome.status === 'failed' && TRANSIENT.has(outcome.error.code)

/**
 * Runs an action again after a transient failure, waiting longer each time. Each run re-checks its
 * preconditions first, so a retry never forces anything the first try did not.
 */
export const withRetries = async (
  run: () => Promise<ActionOutcome>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<ActionOutcome> => {
  let outcome = await run()
  for (let attempt = 0; attempt < policy.retries && isTransient(outcome); attempt++) {
    await sleep(policy.delayMs * 2 ** attempt)
    outcome = await run()
  }
  return outcome
}
