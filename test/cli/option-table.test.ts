import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ParseError, parse } from 'jsonc-parser'
import { afterEach, describe, expect, it } from 'vitest'
import type { Io } from '../../src/cli/io.ts'
import { cliProgram } from '../../src/cli/main.ts'
import { pairSpecOf } from '../../src/cli/pair-options.ts'
import { pairOf } from '../../src/cli/pair-target.ts'
import { ConfigFile } from '../../src/config/config-codec.ts'
import { loadConfig } from '../../src/config/config-file.ts'
import { starterConfig } from '../../src/config/starter.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import {
  type AnySetting,
  configPath,
  optionsMarkdown,
  readSettings,
  SETTINGS,
  settingList,
} from '../../src/pair/settings.ts'
import { oneLineError, REPO, runCli } from './run-cli.ts'

/**
 * The table of settings is the one place a pair setting is described: the command line's options, the
 * config file's fields and the README's table are made from it, and must agree with it.
 */

const silent = (cwd = REPO): Io => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: { HOME: cwd },
  cwd,
})
const program = cliProgram(silent(), () => undefined)
const command = (name: string) => {
  const found = program.commands.find((c) => c.name() === name)
  if (found === undefined) throw new Error(`no command ${name}`)
  return found
}

/** The commands that take the settings of each group. */
const COMMANDS_OF: Record<AnySetting['group'], ReadonlyArray<string>> = {
  pair: ['plan', 'sync'],
  run: ['apply', 'sync'],
  s3: ['plan', 'apply', 'sync'],
  sftp: ['plan', 'apply', 'sync'],
  ftp: ['plan', 'apply', 'sync'],
}

/** A pair of the config file holding one setting, at its place (`maxDelete`, or `s3.endpoint`). */
const pairWith = (setting: AnySetting, value: unknown): Record<string, unknown> => {
  const pair: Record<string, unknown> = { source: './a', destination: './b' }
  if (setting.group === 'pair' || setting.group === 'run') pair[setting.configKey] = value
  else pair[setting.group] = { [setting.configKey]: value }
  return pair
}

const readme = await readFile(join(REPO, 'README.md'), 'utf8')

let scratch: string | undefined
afterEach(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

describe('the README', () => {
  it('holds the table optionsMarkdown() makes, as it makes it', () => {
    const start = readme.indexOf('<!-- settings: made by optionsMarkdown()')
    const end = readme.indexOf('<!-- end of settings -->')
    expect(start).toBeGreaterThan(0)
    expect(end).toBeGreaterThan(start)
    const table = readme.slice(readme.indexOf('\n', start) + 1, end).trim()
    expect(table).toBe(optionsMarkdown())
  })

  it('has one row per setting', () => {
    expect(optionsMarkdown().split('\n')).toHaveLength(settingList().length + 2)
  })
})

describe.each(settingList().map(([key, setting]) => [setting.flag, key, setting] as const))(
  'the setting %s',
  (flag, key, setting) => {
    it.each(COMMANDS_OF[setting.group])('is an option of %s, under its key', (name) => {
      const option = command(name).options.find((o) => o.long === flag)
      expect(option, `${name} ${flag}`).toBeDefined()
      expect(option?.attributeName()).toBe(key)
      expect(option?.short).toBe(setting.short)
      expect(option?.required === true).toBe(setting.takes !== 'switch')
      expect(option?.argChoices).toEqual(setting.choices)
    })

    it(`is a field of a pair in the config file: ${configPath(setting)}`, () => {
      const decoded = ConfigFile.decode({ pairs: { a: pairWith(setting, setting.sample) } })
      expect(E.isRight(decoded), JSON.stringify(decoded)).toBe(true)
    })

    it('refuses a value of the wrong type in the config file', () => {
      const wrong = typeof setting.sample === 'boolean' ? 'yes' : { a: 1 }
      expect(E.isLeft(ConfigFile.decode({ pairs: { a: pairWith(setting, wrong) } }))).toBe(true)
    })

    it('reads its default when the flag is absent, and its sample when given', () => {
      const absent = readSettings({}, [setting.group], REPO)
      expect(absent.ok).toBe(true)
      const given =
        setting.takes === 'switch'
          ? true
          : setting.takes === 'list'
            ? (setting.sample as ReadonlyArray<string>)
            : String(setting.sample)
      const read = readSettings({ [key]: given }, [setting.group], REPO)
      expect(read.ok, JSON.stringify(read)).toBe(true)
    })
  },
)

describe('the defaults', () => {
  it('a pair with no flags gets the default policy, and no storage options', () => {
    const spec = pairSpecOf('./a', './b', {}, silent())
    expect(E.isRight(spec) && spec.right.policy).toEqual(defaultPolicy)
    expect(E.isRight(spec) && spec.right.storage).toBeUndefined()
  })

  it('help shows the defaults the library uses', async () => {
    const help = await runCli(['sync', '--help'], { cwd: REPO })
    expect(help.stdout).toMatch(/--transfers <n> +copies to run at once \(default: 4\)/)
    expect(help.stdout).toMatch(/--max-delete <limit>[\s\S]*\(default: 50%\)/)
  })
})

describe('storage options from the command line', () => {
  it('reach the spec the pair is opened with', () => {
    const spec = pairSpecOf(
      's3://bucket/prefix',
      './b',
      {
        s3Endpoint: 'http://127.0.0.1:9000',
        s3Region: 'auto',
        s3PathStyle: true,
        s3ChunkSize: '8388608',
        acceptNewHostKey: true,
        ftpTls: 'explicit',
        ftpCa: 'certs/ca.pem',
        ftpInsecure: true,
      },
      silent('/work/here'),
    )

    expect(E.isRight(spec) && spec.right.storage).toEqual({
      s3: { endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true, partSize: 8388608 },
      sftp: { acceptNewHostKey: true },
      ftp: { tls: 'explicit', caFile: '/work/here/certs/ca.pem', insecureAcceptAnyCertificate: true },
    })
  })

  it('only the backends named are given options', () => {
    const spec = pairSpecOf('./a', 'sftp://host/srv', { acceptNewHostKey: true }, silent())
    expect(E.isRight(spec) && spec.right.storage).toEqual({ sftp: { acceptNewHostKey: true } })
  })

  it.each([
    [
      '--s3-chunk-size',
      '1000',
      '--s3-chunk-size takes bytes, a whole number from 5242880 (5 MiB) (got "1000")',
    ],
    [
      '--s3-chunk-size',
      '8MiB',
      '--s3-chunk-size takes bytes, a whole number from 5242880 (5 MiB) (got "8MiB")',
    ],
    [
      '--s3-endpoint',
      'minio:9000',
      '--s3-endpoint takes an http:// or https:// URL, like http://127.0.0.1:9000 (got "minio:9000")',
    ],
    ['--s3-region', 'eu west', '--s3-region takes a region name like eu-west-1 or auto (got "eu west")'],
  ])('%s %s is refused in one line naming the flag', async (flag, value, message) => {
    scratch = await mkdtemp(join(tmpdir(), 'syncengine-options-'))
    const planned = await runCli(['plan', './a', './b', flag, value], { cwd: scratch })
    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toBe(`error: ${message}`)
  })

  it('--ftp-tls takes only its choices', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'syncengine-options-'))
    const planned = await runCli(['plan', './a', './b', '--ftp-tls', 'implicit'], { cwd: scratch })
    expect(planned.code).toBe(1)
    expect(oneLineError(planned.stderr)).toContain("option '--ftp-tls <how>' argument 'implicit' is invalid")
  })
})

describe('storage options from the config file', () => {
  const CONFIG = `{
  "pairs": {
    "cloud": {
      "source": "./docs",
      "destination": "s3://bucket/docs",
      "s3": { "endpoint": "http://127.0.0.1:9000", "forcePathStyle": false, "partSize": 8388608 },
      "ftp": { "caFile": "certs/ca.pem" },
      "sftp": { "acceptNewHostKey": true },
    },
  },
}
`

  const load = async (text: string) => {
    scratch = await mkdtemp(join(tmpdir(), 'syncengine-options-'))
    await writeFile(join(scratch, 'syncengine.json'), text)
    return loadConfig(undefined, scratch)
  }

  it('reach the spec, paths relative to the config file, the command line over them', async () => {
    const config = await load(CONFIG)
    if (E.isLeft(config) || config.right === null) throw new Error(JSON.stringify(config))
    const dir = config.right.dir
    const io = silent(join(dir, 'elsewhere'))

    const target = pairOf(config.right, 'cloud', { s3Region: 'auto' }, {}, io)
    if (E.isLeft(target)) throw new Error(JSON.stringify(target.left))
    const spec = pairSpecOf(target.right.source, target.right.destination, target.right.flags, io)

    expect(E.isRight(spec) && spec.right.storage).toEqual({
      s3: { endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: false, partSize: 8388608 },
      sftp: { acceptNewHostKey: true },
      ftp: { caFile: join(dir, 'certs', 'ca.pem') },
    })
  })

  it('a bad value is an error naming its field', async () => {
    const config = await load(
      '{ "pairs": { "cloud": { "source": "a", "destination": "s3://b/p", "s3": { "partSize": 1000, "endpiont": "x" } } } }',
    )
    expect(E.isLeft(config) && config.left._tag === 'ConfigInvalid' && config.left.problems).toEqual([
      'pairs.cloud.s3.endpiont: unknown field; did you mean endpoint?',
      'pairs.cloud.s3.partSize: expected bytes, a whole number from 5242880 (5 MiB), found 1000',
    ])
  })

  it('secrets have no field', () => {
    for (const secret of ['password', 'passphrase', 'secretAccessKey', 'accessKeyId'])
      for (const group of ['s3', 'sftp', 'ftp'])
        expect(
          E.isLeft(
            ConfigFile.decode({
              pairs: { a: { source: 'a', destination: 'b', [group]: { [secret]: 'x' } } },
            }),
          ),
        ).toBe(true)
    expect(settingList().map(([key]) => key.toLowerCase())).not.toContainEqual(
      expect.stringMatching(/password|passphrase|secret/),
    )
  })
})

describe('the starter file of syncengine init', () => {
  it('shows every pair setting, and decodes with all of them written in', () => {
    const starter = starterConfig({ name: 'docs', source: './a', destination: './b', mode: 'two-way' })
    for (const [, setting] of settingList())
      if (setting.group === 'pair' || setting.group === 'run')
        expect(starter).toContain(`"${setting.configKey}":`)
    // Every commented setting, written in: still a valid config.
    const uncommented = starter.replace(/^([ \t]*)\/\/ ("[A-Za-z0-9]+": .*)$/gm, '$1$2')
    const errors: ParseError[] = []
    const decoded = ConfigFile.decode(parse(uncommented, errors, { allowTrailingComma: true }))
    expect(errors).toEqual([])
    expect(uncommented).toContain('"s3": {')
    expect(E.isRight(decoded), JSON.stringify(decoded)).toBe(true)
  })
})

it('the table has the settings the issue names', () => {
  expect(Object.keys(SETTINGS)).toEqual([
    'mode',
    'conflict',
    'compare',
    'mtimeTolerance',
    'state',
    'ignore',
    'include',
    'forceUpload',
    'forceDownload',
    'maxDelete',
    'allowMassDelete',
    'backupDir',
    'transfers',
    'retries',
    'retryDelay',
    's3Endpoint',
    's3Region',
    's3PathStyle',
    's3ChunkSize',
    'acceptNewHostKey',
    'ftpTls',
    'ftpCa',
    'ftpInsecure',
  ])
})
