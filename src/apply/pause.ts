/**
 * Pause and resume for a running apply: while paused, no new action starts; the ones running finish.
 * Cancelling is the AbortSignal's job; a paused apply that is cancelled stops waiting.
 */
export interface PauseGate {
  readonly pause: () => void
  readonly resume: () => void
  readonly paused: () => boolean
  /** Resolves at once when running, else when resumed or `signal` aborts. */
  readonly wait: (signal?: AbortSignal) => Promise<void>
}

export const pauseGate = (): PauseGate => {
  let release: (() => void) | undefined
  let gate: Promise<void> | undefined
  return {
    pause: () => {
      gate ??= new Promise((resolve) => {
        release = resolve
      })
    },
    resume: () => {
      release?.()
      gate = undefined
      release = undefined
    },
    paused: () => gate !== undefined,
    wait: async (signal) => {
      if (gate === undefined || signal?.aborted === true) return
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve()
        signal?.addEventListener('abort', onAbort, { once: true })
        void gate?.then(() => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        })
      })
    },
  }
}
