import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type FtpOptions, openFtp } from './ftp/index.ts'
import { localStorage } from './local.ts'
import { memoryStorage } from './memory.ts'
import type { S3Options } from './s3/options.ts'
import { openSftp } from './sftp/open-sftp.ts'
import type { SftpOptions } from './sftp/sftp-options.ts'
import { parseSideUrl, type Scheme, type SideUrl, type SideUrlError, showSideUrl } from './side-url.ts'
import type { Storage } from './storage.ts'

/** What opening a side may need besides its URL: where relative paths start, and the environment. */
export interface OpenOptions {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** TLS, connections, timeouts and the password's source for `ftp://` and `ftps://` sides. */
  readonly ftp?: FtpOptions
  /** How `s3://` sides reach their store (endpoint, region, part size, …); credentials never go here. */
  readonly s3?: S3Options
  /** For `sftp://` sides: host key acceptance, transfers, timeouts, a prompt for passwords. */
  readonly sftp?: SftpOptions
}

export type OpenError =
  | SideUrlError
  | {
      readonly _tag: 'StorageUnavailable'
      readonly url: string
      /** One line: what failed and what to do, with no secret in it. */
      readonly message: string
    }

type Opener = (side: SideUrl, options: OpenOptions) => TE.TaskEither<OpenError, Storage>

/**
 * How each scheme is opened. A remote backend connects here, so a wrong host or a refused key is an
 * error before anything is planned; its `close` ends the connection.
 */
const openers: Partial<Record<Scheme, Opener>> = {
  file: (side) => TE.right(localStorage(showSideUrl(side))),
  memory: (side) => TE.right(memoryStorage({ root: showSideUrl(side) })),
  ftp: (side, options) => openFtp(side, options.ftp ?? {}, options.env),
  ftps: (side, options) => openFtp(side, options.ftp ?? {}, options.env),
  // Loaded when an s3:// side is opened: the AWS SDK is large, and most runs never need it.
  s3: (side, options) =>
    side.scheme === 's3'
      ? async () => (await import('./s3/open-s3.ts')).openS3(side, options.s3)()
      : TE.left({ _tag: 'StorageUnavailable', url: showSideUrl(side), message: 'not an s3:// side' }),
  sftp: (side, options) =>
    side.scheme === 'sftp'
      ? TE.mapLeft((message: string) => ({
          _tag: 'StorageUnavailable' as const,
          url: showSideUrl(side),
          message,
        }))(openSftp(side, showSideUrl(side), options))
      : TE.left({ _tag: 'StorageUnavailable', url: showSideUrl(side), message: 'not an sftp:// side' }),
}

const supported = (): ReadonlyArray<string> => Object.keys(openers)

/** The storage a side names (a path, `file://`, `memory:`, `s3://`, …). */
export const openSide = (text: string, options: OpenOptions): TE.TaskEither<OpenError, Storage> => {
  const parsed = parseSideUrl(text, options.cwd)
  if (E.isLeft(parsed)) {
    const error = parsed.left
    return TE.left(error._tag === 'SchemeUnsupported' ? { ...error, supported: supported() } : error)
  }
  const open = openers[parsed.right.scheme]
  if (open === undefined)
    return TE.left({
      _tag: 'SchemeUnsupported',
      url: showSideUrl(parsed.right),
      scheme: parsed.right.scheme,
      supported: supported(),
    })
  return open(parsed.right, options)
}

/**
 * The storage a local root names. A plain path is a local folder, made absolute so that plans and state
 * name the same place from any working directory.
 */
export const openStorage = (root: string, cwd: string): Storage => localStorage(resolve(cwd, root))
