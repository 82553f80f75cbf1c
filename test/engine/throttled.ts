import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Opened, Storage } from '../../src/storage/storage.ts'

/** A storage whose reads trickle at about `bytesPerSecond`, in small chunks: a slow link, for progress tests. */
export const throttled = (storage: Storage, bytesPerSecond: number, chunk = 8 * 1024): Storage => ({
  ...storage,
  read: (path) =>
    TE.map(({ entry, data }: Opened) => ({
      entry,
      data: (async function* () {
        for await (const piece of data) {
          for (let at = 0; at < piece.byteLength; at += chunk) {
            const part = piece.subarray(at, Math.min(piece.byteLength, at + chunk))
            await new Promise((resolve) => setTimeout(resolve, (part.byteLength / bytesPerSecond) * 1000))
            yield part
          }
        }
      })(),
    }))(storage.read(path)),
})
