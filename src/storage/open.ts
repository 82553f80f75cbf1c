import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { FtpOptions } from './ftp/options.ts'
import { localStorage } from './local.ts'
import { memoryStorage } from './memory.ts'
import type { S3Options } from './s3/options.ts'
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

/** The npm package each remote backend is built on: optional peers, installed by those who use them. */
export const BACKEND_PACKAGES = { s3: '@aws-sdk/client-s3', sftp: 'ssh2', ftp: 'basic-ftp' } as const

const isMissingModule = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND'

/**
 * A backend loaded when a side of its scheme is opened: most runs never need the AWS SDK, ssh2 or an
 * FTP client, and a program that installs syncengine installs them only if it uses them.
 */
const lazy =
  <M>(
    backend: keyof typeof BACKEND_PACKAGES,
    load: () => Promise<M>,
    open: (module: M, side: SideUrl, options: OpenOptions) => TE.TaskEither<OpenError, Storage>,
  ): Opener =>
  (side, options) =>
  async () => {
    let module: M
    try {
      module = await load()
    } catch (error) {
      if (!isMissingModule(error)) throw error
      const pkg = BACKEND_PACKAGES[backend]
      return E.left({
        _tag: 'StorageUnavailable',
        url: showSideUrl(side),
        message: `${side.scheme}:// sides need the ${pkg} package, which is not installed (npm install ${pkg})`,
      })
    }
    return open(module, side, options)()
  }

const wrongScheme = (side: SideUrl, scheme: string): TE.TaskEither<OpenError, never> =>
  TE.left({ _tag: 'StorageUnavailable', url: showSideUrl(side), message: `not an ${scheme}:// side` })

const ftp = lazy(
  'ftp',
  () => import('./ftp/open-ftp.ts'),
  (m, side, options) => m.openFtp(side, options.ftp ?? {}, options.env),
)

/**
 * How each scheme is opened. A remote backend connects here, so a wrong host or a refused key is an
 * error before anything is planned; its `close` ends the connection.
 */
const openers: Partial<Record<Scheme, Opener>> = {
  file: (side) => TE.right(localStorage(showSideUrl(side))),
  memory: (side) => TE.right(memoryStorage({ root: showSideUrl(side) })),
  ftp,
  ftps: ftp,
  s3: lazy(
    's3',
    () => import('./s3/open-s3.ts'),
    (m, side, options) => (side.scheme === 's3' ? m.openS3(side, options.s3) : wrongScheme(side, 's3')),
  ),
  sftp: lazy(
    'sftp',
    () => import('./sftp/open-sftp.ts'),
    (m, side, options) =>
      side.scheme === 'sftp'
        ? TE.mapLeft((message: string) => ({
            _tag: 'StorageUnavailable' as const,
            url: showSideUrl(side),
            message,
          }))(m.openSftp(side, showSideUrl(side), options))
        : wrongScheme(side, 'sftp'),
  ),
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
