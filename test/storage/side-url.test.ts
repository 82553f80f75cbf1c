import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { openSide } from '../../src/storage/open.ts'
import { parseSideUrl, showSideUrl } from '../../src/storage/side-url.ts'

const parsed = (text: string) => {
  const result = parseSideUrl(text, '/home/me')
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
  return result.right
}

describe('sides given as paths and URLs', () => {
  it('reads plain paths, relative ones from the working folder, and names with colons as paths', () => {
    expect(parsed('docs')).toEqual({ scheme: 'file', path: '/home/me/docs' })
    expect(parsed('/mnt/nas')).toEqual({ scheme: 'file', path: '/mnt/nas' })
    expect(parsed('Q:A notes')).toEqual({ scheme: 'file', path: '/home/me/Q:A notes' })
    expect(parsed('file:///mnt/a%20b')).toEqual({ scheme: 'file', path: '/mnt/a b' })
  })

  it('reads remote URLs and names them back without credentials', () => {
    expect(parsed('s3://bucket/some/prefix/')).toEqual({
      scheme: 's3',
      bucket: 'bucket',
      prefix: 'some/prefix',
    })
    expect(parsed('sftp://root@host:2222/tmp/x')).toEqual({
      scheme: 'sftp',
      user: 'root',
      host: 'host',
      port: 2222,
      path: '/tmp/x',
    })
    expect(showSideUrl(parsed('sftp://root@host:2222/tmp/x/'))).toBe('sftp://root@host:2222/tmp/x')
    expect(showSideUrl(parsed('ftps://example.org'))).toBe('ftps://example.org/')
    expect(showSideUrl(parsed('memory:scratch'))).toBe('memory:scratch')
  })

  it('refuses a password in a URL, and never repeats it', () => {
    const result = parseSideUrl('sftp://me:hunter2@host/x', '/')
    expect(E.isLeft(result)).toBe(true)
    expect(JSON.stringify(result)).not.toContain('hunter2')
  })

  it('refuses a scheme it does not know, naming the ones it does, instead of making a local folder', async () => {
    const result = await openSide('gopher://host/x', { cwd: '/tmp', env: {} })()
    expect(result).toMatchObject({ _tag: 'Left', left: { _tag: 'SchemeUnsupported', scheme: 'gopher' } })
    if (E.isLeft(result) && result.left._tag === 'SchemeUnsupported')
      expect(result.left.supported).toEqual(expect.arrayContaining(['file', 'memory']))
  })
})
