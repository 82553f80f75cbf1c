import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Storage } from '../storage.ts'
import type { S3Options } from './options.ts'
import { type S3Side, s3Storage } from './s3-storage.ts'

export interface S3Unavailable {
  readonly _tag: 'StorageUnavailable'
  readonly url: string
  readonly message: string
}

/**
 * Opens an `s3://` side and asks the store for its root once, so that a wrong endpoint, missing
 * credentials or a bucket that is not there stop things before anything is planned.
 */
export const openS3 =
  (side: S3Side, options: S3Options | undefined): TE.TaskEither<S3Unavailable, Storage> =>
  async () => {
    const storage = s3Storage(side, options)
    const root = await storage.stat('')()
    if (E.isRight(root)) return E.right(storage)
    await storage.close?.()
    return E.left({ _tag: 'StorageUnavailable', url: storage.root, message: root.left.message })
  }
