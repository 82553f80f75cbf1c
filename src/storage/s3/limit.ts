/** Runs tasks with at most `n` at once, the others waiting their turn in order. */
export const limiter = (n: number): (<A>(task: () => Promise<A>) => Promise<A>) => {
  let running = 0
  const waiting: Array<() => void> = []
  return async (task) => {
    // A finishing task hands its slot straight to the next in line, so none can jump the queue.
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    else running += 1
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next === undefined) running -= 1
      else next()
    }
  }
}
