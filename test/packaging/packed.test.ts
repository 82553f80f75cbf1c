import { spawnSync } from 'node:child_process'
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The package as a user gets it: `npm pack` (which builds it), the tarball installed into a new project, and
 * that project using it the ways the README promises: ESM import, CommonJS require, a strict TypeScript
 * build against the declarations, `npx syncengine`, and the testing kit under vitest.
 */

const REPO = join(import.meta.dirname, '..', '..')
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  readonly version: string
  readonly files: ReadonlyArray<string>
  readonly devDependencies: Readonly<Record<string, string>>
}

/**
 * The production install must stay small. It is 7.04 MiB, and most of it is fp-ts (4.5 MiB: CommonJS, ES
 * modules and declarations of each), which the API's Either and TaskEither types need; the rest is this
 * package and its few dependencies. The table of settings (command line, config, README) took it over 7 MiB.
 */
const MAX_INSTALL_BYTES = 7.25 * 1024 * 1024

/**
 * What the build and `npm pack` read. The package is packed from a copy, so the checkout's dist/ is never
 * rewritten under the feet of other tests.
 */
const PACKED_FROM = [
  ...new Set([
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src',
    'README.md',
    'LICENSE',
    ...manifest.files.filter((f) => !f.startsWith('dist') && !f.startsWith('!')),
  ]),
]

/**
 * The environment of npm and node here: this one without what `npm test` and vitest add (npm_config_local_prefix
 * would point npm at the checkout) and without the checkout's node_modules/.bin, so every command is the
 * temporary project's own.
 */
const env = (): NodeJS.ProcessEnv => {
  const clean: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!/^(npm_|vitest|node_options$|node_env$|test$|init_cwd$)/i.test(key)) clean[key] = value
  clean.PATH = (process.env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(REPO))
    .join(delimiter)
  return clean
}

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Run => {
  const child = spawnSync(command, args, { cwd, env: env(), encoding: 'utf8', timeout: 600_000 })
  if (child.error !== undefined) throw child.error
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

/** Runs and fails with its output when it exits other than 0. */
const ok = (command: string, args: ReadonlyArray<string>, cwd: string): string => {
  const result = run(command, args, cwd)
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    )
  return result.stdout
}

const install = (cwd: string, args: ReadonlyArray<string>): string =>
  ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], cwd)

interface Installed {
  readonly bytes: number
  readonly nativeModules: ReadonlyArray<string>
  /** Packages with a script npm runs when installing from the registry, or a node-gyp build. */
  readonly installScripts: ReadonlyArray<string>
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall']

const survey = async (dir: string, into: { bytes: number; native: string[]; scripts: string[] }) => {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await survey(path, into)
    else {
      into.bytes += (await lstat(path)).size
      if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') into.native.push(path)
      if (entry.name === 'package.json') {
        const pkg = JSON.parse(await readFile(path, 'utf8')) as {
          scripts?: Record<string, string>
          gypfile?: boolean
        }
        const scripts = INSTALL_SCRIPTS.filter((name) => pkg.scripts?.[name] !== undefined)
        if (scripts.length > 0 || pkg.gypfile === true) into.scripts.push(`${path}: ${scripts.join(', ')}`)
      }
    }
  }
}

const installed = async (nodeModules: string): Promise<Installed> => {
  const into = { bytes: 0, native: [] as string[], scripts: [] as string[] }
  await survey(nodeModules, into)
  return { bytes: into.bytes, nativeModules: into.native, installScripts: into.scripts }
}

/** A tree of files to sync, with bytes that are not text. */
const TREE: Readonly<Record<string, Uint8Array>> = {
  'notes.txt': new TextEncoder().encode('plan, review, apply\n'),
  'deep/down/binary.bin': Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
  'empty.txt': new Uint8Array(0),
}

const plantTree = async (root: string): Promise<void> => {
  for (const [path, bytes] of Object.entries(TREE)) {
    await mkdir(join(root, path, '..'), { recursive: true })
    await writeFile(join(root, path), bytes)
  }
}

const expectTree = async (root: string): Promise<void> => {
  for (const [path, bytes] of Object.entries(TREE))
    expect(new Uint8Array(await readFile(join(root, path))), path).toEqual(bytes)
}

/** The README's library example, reduced: sync two folders, print the counts, exit 1 on an error. */
const ESM_SCRIPT = `import { createSyncEngine } from 'syncengine'

const [source, destination, stateFile] = process.argv.slice(2)
const result = await createSyncEngine().syncPair({ source, destination, stateFile })()
if (result._tag === 'Left') {
  console.error(JSON.stringify(result.left))
  process.exit(1)
}
console.log(JSON.stringify(result.right.counts))
`

const CJS_SCRIPT = `const { createSyncEngine } = require('syncengine')

const [source, destination, stateFile] = process.argv.slice(2)
createSyncEngine()
  .syncPair({ source, destination, stateFile })()
  .then((result) => {
    if (result._tag === 'Left') {
      console.error(JSON.stringify(result.left))
      process.exit(1)
    }
    console.log(JSON.stringify(result.right.counts))
  })
`

const TS_CONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: ['node'],
    noEmit: true,
  },
  include: ['src'],
}

/** Uses the types the way a program does; `@ts-expect-error` proves they are real types, not `any`. */
const TS_PROGRAM = `import {
  createSyncEngine,
  localStorage,
  memoryStorage,
  type Plan,
  type ProgressEvent,
  render,
  type Storage,
  type SyncResult,
} from 'syncengine'

const seen: string[] = []
const engine = createSyncEngine({ transfers: 2, onProgress: (event: ProgressEvent) => seen.push(event.type) })
const destination: Storage = localStorage('/tmp/nowhere')

export const sync = async (source: string): Promise<SyncResult | undefined> => {
  const result = await engine.syncPair({ source, destination, policy: { mode: 'source-backup' } })()
  return result._tag === 'Right' ? result.right : undefined
}

export const show = (plan: Plan): string => render(plan)
export const memory = memoryStorage()

// @ts-expect-error: a mode that does not exist
export const wrong = engine.syncPair({ source: 'a', destination: 'b', policy: { mode: 'sideways' } })
`

const TS_KIT = `import fc from 'fast-check'
import { memoryStorage } from 'syncengine'
import { describeStorageConformance, treeArbitrary } from 'syncengine/testing'

describeStorageConformance('memory', async ({ rootExists }) => ({
  storage: memoryStorage({ exists: rootExists }),
  cleanup: async () => undefined,
}))

export const paths: fc.Arbitrary<ReadonlyArray<string>> = treeArbitrary.map((tree) => tree.map((node) => node.path))
`

const KIT_TEST = `import fc from 'fast-check'
import { memoryStorage } from 'syncengine'
import { describeStorageConformance, treeArbitrary } from 'syncengine/testing'
import { expect, it } from 'vitest'

describeStorageConformance('memory, from the packed syncengine/testing', async ({ rootExists }) => ({
  storage: memoryStorage({ exists: rootExists }),
  cleanup: async () => undefined,
}))

it('treeArbitrary generates trees of folders, files and symlinks', () => {
  const kinds = new Set<string>()
  fc.assert(
    fc.property(treeArbitrary, (tree) => {
      for (const node of tree) kinds.add(node.kind)
    }),
    { numRuns: 50 },
  )
  expect([...kinds].sort()).toEqual(['dir', 'file', 'symlink'])
})
`

let base: string
let project: string
let packed: { readonly filename: string; readonly files: ReadonlyArray<{ readonly path: string }> }
let production: Installed

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'syncengine-packed-'))
  const stage = join(base, 'package')
  await mkdir(stage)
  for (const name of PACKED_FROM) await cp(join(REPO, name), join(stage, name), { recursive: true })
  await symlink(join(REPO, 'node_modules'), join(stage, 'node_modules'))
  const [report] = JSON.parse(ok('npm', ['pack', '--json', '--pack-destination', base], stage)) as [
    typeof packed,
  ]
  packed = report
  project = join(base, 'project')
  await mkdir(project)
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'uses-syncengine', private: true, type: 'module' }, null, 2)}\n`,
  )
  install(project, [join(base, packed.filename)])
  production = await installed(join(project, 'node_modules'))
}, 600_000)

afterAll(async () => {
  if (base !== undefined) await rm(base, { recursive: true, force: true })
})

describe('the packed syncengine', () => {
  it('holds the build, its declarations and the docs; no sources, tests or build info', () => {
    const paths = packed.files.map((f) => f.path)

    for (const path of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/cli/bin.js',
    ])
      expect(paths).toContain(path)
    expect(paths.filter((p) => !p.startsWith('dist/')).sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ])
    expect(paths.filter((p) => /\.test\.|tsbuildinfo/.test(p))).toEqual([])
  })

  it(`installs with no native code and no install scripts, in at most ${MAX_INSTALL_BYTES / 1024 / 1024} MiB`, () => {
    expect(production.nativeModules).toEqual([])
    expect(production.installScripts).toEqual([])
    expect(production.bytes).toBeGreaterThan(0)
    expect(production.bytes).toBeLessThanOrEqual(MAX_INSTALL_BYTES)
  })

  it.each([
    ['an ES module imports', 'esm.mjs', ESM_SCRIPT],
    ['a CommonJS script requires', 'cjs.cjs', CJS_SCRIPT],
  ])('%s createSyncEngine and syncs two folders, byte for byte', async (_, file, script) => {
    const work = await mkdtemp(join(base, 'sync-'))
    const [source, destination] = [join(work, 'source'), join(work, 'destination')]
    await plantTree(source)
    await mkdir(destination)
    await writeFile(join(project, file), script)

    const out = ok(process.execPath, [file, source, destination, join(work, 'state.json')], project)

    expect(JSON.parse(out)).toMatchObject({ uploads: 3, downloads: 0, errors: 0 })
    await expectTree(destination)
  })

  it('npx syncengine --version prints the version of the package', () => {
    const out = run('npx', ['--offline', '--no-install', 'syncengine', '--version'], project)

    expect(out).toMatchObject({ status: 0, stdout: `${manifest.version}\n` })
  })

  describe('with the tools of a TypeScript project (@types/node, vitest, fast-check)', () => {
    beforeAll(() => {
      const dev = ['@types/node', 'vitest', 'fast-check'].map(
        (name) => `${name}@${manifest.devDependencies[name]}`,
      )
      install(project, ['--save-dev', ...dev])
    }, 600_000)

    it('a strict TypeScript build (nodenext, skipLibCheck false) compiles against the declarations', async () => {
      await mkdir(join(project, 'src'), { recursive: true })
      await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TS_CONFIG, null, 2))
      await writeFile(join(project, 'src', 'program.ts'), TS_PROGRAM)
      await writeFile(join(project, 'src', 'kit.ts'), TS_KIT)

      const built = run(process.execPath, [TSC, '-p', '.'], project)

      expect(built.stdout + built.stderr).toBe('')
      expect(built.status).toBe(0)
    })

    it('syncengine/testing runs its conformance suite under vitest', async () => {
      await mkdir(join(project, 'test'), { recursive: true })
      await writeFile(join(project, 'test', 'kit.test.ts'), KIT_TEST)
      const report = join(project, 'vitest.json')

      const tested = run(
        process.execPath,
        [
          join(project, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--reporter=json',
          `--outputFile=${report}`,
        ],
        project,
      )

      const result = JSON.parse(await readFile(report, 'utf8')) as {
        numPassedTests: number
        numFailedTests: number
      }
      expect(result.numFailedTests, tested.stderr).toBe(0)
      expect(result.numPassedTests).toBeGreaterThan(10)
      expect(tested.status).toBe(0)
    })
  })
})
