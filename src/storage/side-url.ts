import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Where one side of a pair lives. A plain path or `file://` is a local folder; `memory:NAME` an in-memory
 * tree (for tests and programs); `s3://bucket/prefix`, `sftp://user@host:port/path`, `ftp://…` and
 * `ftps://…` are remote. A side never carries a password: credentials come from where each ecosystem
 * keeps them, so a URL can be written into a plan or a state as it is.
 */
export type SideUrl =
  | { readonly scheme: 'file'; readonly path: string }
  | { readonly scheme: 'memory'; readonly name: string }
  | { readonly scheme: 's3'; readonly bucket: string; readonly prefix: string }
  | {
      readonly scheme: 'sftp' | 'ftp' | 'ftps'
      readonly user?: string
      readonly host: string
      readonly port?: number
      /** Absolute on the server, without a trailing slash ('/' for the server's root). */
      readonly path: string
    }

export type Scheme = SideUrl['scheme']

export type SideUrlError =
  | { readonly _tag: 'SideUrlInvalid'; readonly url: string; readonly why: string }
  | {
      readonly _tag: 'SchemeUnsupported'
      readonly url: string
      readonly scheme: string
      readonly supported: ReadonlyArray<string>
    }

/** The schemes a side may be given in, as written before `://` (`memory:` takes no slashes). */
export const SCHEMES: ReadonlyArray<Scheme> = ['file', 'memory', 's3', 'sftp', 'ftp', 'ftps']

const invalid = (url: string, why: string): E.Either<SideUrlError, never> =>
  E.left({ _tag: 'SideUrlInvalid', url, why })

/** `scheme://` at the start: a URL, never a relative folder (a local folder may still be named `a:b`). */
const URL_START = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//

const trimSlashes = (path: string): string => path.replace(/\/+$/, '')

/** Reads a side as given on the command line, in a config file or to the library; `cwd` resolves paths. */
export const parseSideUrl = (text: string, cwd: string): E.Either<SideUrlError, SideUrl> => {
  if (text === '') return invalid(text, 'it is empty')
  if (text.startsWith('memory:')) {
    const name = text.slice('memory:'.length).replace(/^\/+/, '')
    return E.right({ scheme: 'memory', name })
  }
  const scheme = URL_START.exec(text)?.[1]?.toLowerCase()
  if (scheme === undefined)
    return E.right({ scheme: 'file', path: isAbsolute(text) ? text : resolve(cwd, text) })
  if (scheme === 'file') {
    try {
      return E.right({ scheme: 'file', path: fileURLToPath(text) })
    } catch (error) {
      return invalid(text, (error as Error).message)
    }
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return invalid(text, 'it is not a valid URL')
  }
  if (url.password !== '')
    return invalid(
      redacted(url),
      'a password in a URL would be written into plans and state; give it in the environment instead',
    )
  if (url.search !== '' || url.hash !== '') return invalid(redacted(url), 'it has a query or fragment')
  if (scheme === 's3') {
    if (url.hostname === '') return invalid(text, 'it names no bucket (s3://bucket/prefix)')
    if (url.username !== '' || url.port !== '')
      return invalid(text, 'an s3:// URL names a bucket, not a host')
    return E.right({
      scheme: 's3',
      bucket: url.hostname,
      prefix: decodeURIComponent(trimSlashes(url.pathname).replace(/^\/+/, '')),
    })
  }
  if (scheme === 'sftp' || scheme === 'ftp' || scheme === 'ftps') {
    if (url.hostname === '') return invalid(text, `it names no host (${scheme}://user@host:port/path)`)
    const port = url.port === '' ? undefined : Number(url.port)
    const path = trimSlashes(decodeURIComponent(url.pathname))
    return E.right({
      scheme,
      host: url.hostname,
      ...(url.username === '' ? {} : { user: decodeURIComponent(url.username) }),
      ...(port === undefined ? {} : { port }),
      path: path === '' ? '/' : path,
    })
  }
  return E.left({ _tag: 'SchemeUnsupported', url: redacted(url), scheme, supported: SCHEMES })
}

const redacted = (url: URL): string => {
  const copy = new URL(url.href)
  copy.password = ''
  return copy.href
}

/** The side as plans, state and messages name it: an absolute path, or a URL without credentials. */
export const showSideUrl = (side: SideUrl): string => {
  switch (side.scheme) {
    case 'file':
      return side.path
    case 'memory':
      return `memory:${side.name}`
    case 's3':
      return `s3://${side.bucket}/${side.prefix}`
    case 'sftp':
    case 'ftp':
    case 'ftps': {
      const user = side.user === undefined ? '' : `${encodeURIComponent(side.user)}@`
      const port = side.port === undefined ? '' : `:${side.port}`
      return `${side.scheme}://${user}${side.host}${port}${side.path}`
    }
  }
}
