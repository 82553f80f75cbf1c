import { renameSync, symlinkSync } from 'node:fs'
import { mkdir, readFile, rename, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { derivedOf } from '../../src/core/plan/derived.ts'
import { Blocked, Plan, Summary } from '../../src/core/plan-file.ts'
import { applyPair } from '../../src/pair/apply-pair.ts'
import { readPlanFile } from '../../src/pair/plan-file-io.ts'
import { localStorage } from '../../src/storage/local.ts'
import { type CliPair, cliPair, putTree, runCli } from '../cli/run-cli.ts'
import { readTree } from '../support/sides.ts'

/**
 * Plans edited by hand, or written by someone else (issue 4): paths that leave a root, a folder swapped for
 * a symlink to elsewhere after the plan was made, a plan that is not the reviewed one, a plan for other
 * roots, and a plan that reaches for syncengine's own files. Each is refused, or its action fails or is
 * skipped; the exit code is not 0; and nothing is written outside the roots: a sentinel folder beside them
 * stays as it was.
 */

let pair: CliPair | undefined
afterEach(async () => {
  await pair?.cleanup()
  pair = undefined
})

type Json = Record<string, unknown>
type PlanJson = Json & { actions: Json[]; source: Json; destination: Json; policy: Json }

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/** Everything beside the roots, in the folder that holds them: the sentinel, and anything that lands there. */
const around = async (p: CliPair): Promise<Record<string, string>> =>
  Object.fromEntries(
    Object.entries(await readTree(p.base)).filter(([path]) => !/^(source|destination|scratch)\//.test(path)),
  )

const bothTrees = async (p: CliPair) => ({
  source: await readTree(p.src),
  destination: await readTree(p.dst),
})

const cli = (p: CliPair, argv: ReadonlyArray<string>) => runCli(argv, { cwd: p.scratch })

/**
 * How `apply` is told the roots it must find in the plan: `--expect-source` and `--expect-destination`
 * where the command line has them, else `SOURCE DESTINATION` after the plan file.
 */
const expectRoots = async (p: CliPair, source: string, destination: string): Promise<string[]> =>
  (await cli(p, ['apply', '--help'])).stdout.includes('--expect-source')
    ? ['--expect-source', source, '--expect-destination', destination]
    : [source, destination]

/**
 * A pair synced once, then edited so the next plan deletes `old.txt` and `sub/gone.txt` on the
 * destination, makes `newdir`, moves `sub/m.txt` to `sub/n.txt`, and uploads `a.txt` and `sub/new.txt`;
 * a sentinel folder `outside` beside the roots. Returns the plan file and its JSON.
 */
const planned = async () => {
  const p = await cliPair()
  pair = p
  await putTree(p.source, {
    'keep.txt': 'keep',
    'old.txt': 'old',
    'sub/m.txt': 'moved',
    'sub/gone.txt': 'gone',
  })
  expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])).code).toBe(0)
  await p.source.remove('old.txt')
  await p.source.remove('sub/gone.txt')
  await p.source.rename('sub/m.txt', 'sub/n.txt')
  await p.source.put('a.txt', 'alpha')
  await p.source.put('sub/new.txt', 'new in sub')
  await p.source.mkdir('newdir')
  await mkdir(join(p.base, 'outside', 'etc'), { recursive: true })
  await writeFile(join(p.base, 'outside', 'x'), 'sentinel')
  await writeFile(join(p.base, 'outside', 'etc', 'x'), 'sentinel too')
  const planFile = join(p.scratch, 'plan.json')
  const made = await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])
  expect(made.code, made.stderr).toBe(0)
  const json = JSON.parse(await readFile(planFile, 'utf8')) as PlanJson
  const digest = /Plan digest: (sha256:[0-9a-f]{64})/.exec(made.stdout)?.[1] ?? ''
  return { p, planFile, json, digest, before: { trees: await bothTrees(p), around: await around(p) } }
}

/**
 * A hand-edited plan whose summary and delete-guard verdict say what its actions do, as a careful forger
 * would write them: what is refused then is refused for its actions, not for a stale summary.
 */
const consistent = (json: PlanJson): PlanJson => {
  const decoded = Plan.decode(json)
  if (E.isLeft(decoded)) return json
  const { summary, blocked } = derivedOf(decoded.right)
  return {
    ...json,
    summary: Summary.encode(summary),
    blocked: blocked === null ? null : Blocked.encode(blocked),
  }
}

const find = (json: PlanJson, kind: string, path: string): Json => {
  const found = json.actions.find((a) => a.kind === kind && (a.path === path || a.from === path))
  if (found === undefined) throw new Error(`the plan has no ${kind} of ${path}`)
  return found
}

/** The plan with the action `pick` finds changed. */
const edited = (json: PlanJson, pick: (json: PlanJson) => Json, change: Json): PlanJson => {
  const target = pick(json)
  return { ...json, actions: json.actions.map((a) => (a === target ? { ...a, ...change } : a)) }
}

const escapes: ReadonlyArray<{
  readonly name: string
  readonly edit: (json: PlanJson, base: string) => PlanJson
}> = [
  { name: 'an upload to ../x', edit: (j) => edited(j, (x) => find(x, 'copy', 'a.txt'), { path: '../x' }) },
  {
    name: 'an upload to /etc/x',
    edit: (j) => edited(j, (x) => find(x, 'copy', 'a.txt'), { path: '/etc/x' }),
  },
  {
    name: 'an upload to a/../../x',
    edit: (j) => edited(j, (x) => find(x, 'copy', 'a.txt'), { path: 'a/../../x' }),
  },
  {
    name: 'an upload to the absolute path of the sentinel',
    edit: (j, base) => edited(j, (x) => find(x, 'copy', 'a.txt'), { path: join(base, 'outside', 'x') }),
  },
  {
    name: 'a copy read from ../outside/x',
    edit: (j) => edited(j, (x) => find(x, 'copy', 'a.txt'), { from: '../outside/x' }),
  },
  {
    name: 'a delete of ../outside/x',
    edit: (j) => edited(j, (x) => find(x, 'delete', 'old.txt'), { path: '../outside/x' }),
  },
  {
    name: 'a move to ../outside/etc/moved',
    edit: (j) => edited(j, (x) => find(x, 'move', 'sub/m.txt'), { to: '../outside/etc/moved' }),
  },
  {
    name: 'a move from ../outside/x',
    edit: (j) => edited(j, (x) => find(x, 'move', 'sub/m.txt'), { from: '../outside/x' }),
  },
  {
    name: 'a mkdir of ../made',
    edit: (j) => edited(j, (x) => find(x, 'mkdir', 'newdir'), { path: '../made' }),
  },
]

describe('hostile plans', () => {
  it.each(escapes)(
    'a plan with $name is refused, exit 1, and nothing is written anywhere',
    async ({ edit }) => {
      const { p, planFile, json, before } = await planned()
      const etcBefore = await exists('/etc/x')
      await writeFile(planFile, JSON.stringify(consistent(edit(json, p.base))))

      const applied = await cli(p, ['apply', planFile])

      expect(applied.code).toBe(1)
      expect(applied.stderr).toContain('is not a valid plan')
      expect(await around(p)).toEqual(before.around)
      expect(await bothTrees(p)).toEqual(before.trees)
      expect(await exists('/etc/x')).toBe(etcBefore)
    },
  )

  it('an upload into a destination folder swapped for a symlink to outside after the plan fails, and writes nothing outside', async () => {
    const { p, planFile, before } = await planned()
    await rename(join(p.dst, 'sub'), join(p.base, 'outside', 'sub-real'))
    await symlink(join(p.base, 'outside', 'sub-real'), join(p.dst, 'sub'))
    const outside = await around(p)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(3)
    expect(applied.stderr).toContain('sub/new.txt')
    expect(await around(p)).toEqual(outside)
    expect(outside['outside/sub-real/gone.txt']).toBe('gone')
    expect(Object.keys(before.around)).not.toContain('outside/sub-real/')
  })

  it('a delete in a destination folder swapped for a symlink to the same files outside is not carried out there', async () => {
    const { p, planFile } = await planned()
    // The very file the plan deletes, moved outside with its folder: it still matches the plan's entry.
    await rename(join(p.dst, 'sub'), join(p.base, 'outside', 'sub-real'))
    await symlink(join(p.base, 'outside', 'sub-real'), join(p.dst, 'sub'))
    const outside = await around(p)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(3)
    expect(await around(p)).toEqual(outside)
    expect(outside['outside/sub-real/gone.txt']).toBe('gone')
    expect(outside['outside/sub-real/m.txt']).toBe('moved')
  })

  it('an upload read through a source folder swapped for a symlink to outside does not copy what is outside', async () => {
    const { p, planFile, json } = await planned()
    const entry = find(json, 'copy', 'sub/new.txt').entry as { mtimeMs: number }
    // A secret of the same size and mtime as the planned file, reached through the swapped folder.
    const secrets = join(p.base, 'outside', 'secrets')
    await mkdir(secrets)
    await writeFile(join(secrets, 'new.txt'), 'SECRET!!!!')
    expect('SECRET!!!!'.length).toBe('new in sub'.length)
    await utimes(join(secrets, 'new.txt'), entry.mtimeMs / 1000, entry.mtimeMs / 1000)
    await rename(join(p.src, 'sub'), join(p.base, 'outside', 'sub-of-source'))
    await symlink(secrets, join(p.src, 'sub'))
    const outside = await around(p)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).not.toBe(0)
    const destination = await readTree(p.dst)
    expect(Object.values(destination)).not.toContain('SECRET!!!!')
    expect(await around(p)).toEqual(outside)
  })

  it('a mkdir and a move under a destination folder swapped for a symlink to outside do not happen there', async () => {
    const { p, planFile, json } = await planned()
    // Make the plan's mkdir land under sub as well: a new folder sub/newdir.
    const moved = edited(json, (x) => find(x, 'mkdir', 'newdir'), { path: 'sub/newdir' })
    await writeFile(planFile, JSON.stringify(consistent(moved)))
    await rename(join(p.dst, 'sub'), join(p.base, 'outside', 'sub-real'))
    await symlink(join(p.base, 'outside', 'sub-real'), join(p.dst, 'sub'))
    const outside = await around(p)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(3)
    expect(await around(p)).toEqual(outside)
    expect(outside['outside/sub-real/m.txt']).toBe('moved')
    expect(outside).not.toHaveProperty('outside/sub-real/newdir/')
  })

  it('hand-written actions through symlinks that sit in the roots (to write, and to read from) fail, and nothing crosses them', async () => {
    const { p, planFile, json } = await planned()
    const secret = join(p.base, 'outside', 'x')
    const info = await stat(secret)
    await symlink(join(p.base, 'outside'), join(p.dst, 'out-link'))
    await symlink(join(p.base, 'outside'), join(p.src, 'in-link'))
    const upload = find(json, 'copy', 'a.txt')
    const secretEntry = { kind: 'file', size: info.size, mtimeMs: Math.round(info.mtimeMs), exec: false }
    const extra: Json[] = [
      // Write through the destination's link, over the sentinel.
      { ...upload, path: 'out-link/x', replaces: secretEntry },
      // Read through the source's link: the sentinel, copied into the destination.
      { ...upload, path: 'stolen.txt', from: 'in-link/x', entry: secretEntry },
      { kind: 'delete', side: 'destination', path: 'out-link/etc/x', entry: secretEntry, reason: 'tidy' },
      { kind: 'mkdir', side: 'destination', path: 'out-link/made', reason: 'tidy' },
    ]
    await writeFile(planFile, JSON.stringify(consistent({ ...json, actions: [...json.actions, ...extra] })))
    const outside = await around(p)

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(3)
    expect(await around(p)).toEqual(outside)
    expect(outside['outside/x']).toBe('sentinel')
    expect(await exists(join(p.dst, 'stolen.txt'))).toBe(false)
  })

  it('a destination folder swapped for a symlink to outside while the apply runs gets nothing written through it', async () => {
    const p = await cliPair()
    pair = p
    await putTree(p.source, { 'sub/first.txt': 'first' })
    expect((await cli(p, ['sync', p.src, p.dst, '--state', p.stateFile])).code).toBe(0)
    for (let i = 0; i < 8; i++) await p.source.put(`sub/f${i}.txt`, `file ${i}`)
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', p.stateFile, '--out', planFile])).code).toBe(0)
    const plan = await readPlanFile(planFile)()
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left))
    const moved = join(p.base, 'outside', 'sub-moved')
    await mkdir(join(p.base, 'outside'))
    let swapped = false

    // Right after the first upload into sub, someone swaps sub for a link to a folder outside the root.
    const applied = await applyPair({
      plan: plan.right,
      sides: { source: localStorage(p.src), destination: localStorage(p.dst) },
      stateFile: p.stateFile,
      onEvent: (event) => {
        if (event.type !== 'action' || swapped) return
        renameSync(join(p.dst, 'sub'), moved)
        symlinkSync(moved, join(p.dst, 'sub'))
        swapped = true
      },
    })()

    expect(E.isRight(applied)).toBe(true)
    const landed = Object.keys(await readTree(moved)).sort()
    // What was in sub when it was swapped: the synced file and the one upload finished before the swap.
    expect(landed, 'files written through the symlink, outside the root').toHaveLength(2)
  })

  it('a plan that is not the reviewed one (--expect-digest differs) is refused and changes nothing', async () => {
    const { p, planFile, json, digest, before } = await planned()
    // A small edit: the upload goes to another name inside the root.
    await writeFile(
      planFile,
      JSON.stringify(edited(json, (x) => find(x, 'copy', 'a.txt'), { reason: 'created on source, honest' })),
    )

    const tampered = await cli(p, ['apply', planFile, '--expect-digest', digest])

    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toContain('not the reviewed plan')
    expect(await bothTrees(p)).toEqual(before.trees)
    expect(await around(p)).toEqual(before.around)

    // The reviewed plan itself, with its digest, goes through.
    await writeFile(planFile, JSON.stringify(json))
    const reviewed = await cli(p, ['apply', planFile, '--expect-digest', digest])
    expect(reviewed.code, reviewed.stderr).toBe(0)
  })

  it('a plan applied to roots other than its own, or whose roots were edited, is refused and changes nothing', async () => {
    const { p, planFile, json, digest, before } = await planned()
    const elsewhere = join(p.base, 'outside')

    const otherRoots = await cli(p, [
      'apply',
      planFile,
      ...(await expectRoots(p, elsewhere, join(p.base, 'outside', 'etc'))),
    ])
    expect(otherRoots.code).toBe(1)
    expect(otherRoots.stderr).toContain("the plan's source is")

    // The plan now names the sentinel as its destination: refused against the real roots, and by its digest.
    const retargeted = { ...json, destination: { ...json.destination, root: elsewhere } }
    await writeFile(planFile, JSON.stringify(retargeted))
    const againstRoots = await cli(p, ['apply', planFile, ...(await expectRoots(p, p.src, p.dst))])
    expect(againstRoots.code).toBe(1)
    expect(againstRoots.stderr).toContain("the plan's destination is")
    const againstDigest = await cli(p, ['apply', planFile, '--expect-digest', digest])
    expect(againstDigest.code).toBe(1)

    expect(await bothTrees(p)).toEqual(before.trees)
    expect(await around(p)).toEqual(before.around)
    // Given the right roots, the real plan goes through.
    await writeFile(planFile, JSON.stringify(json))
    expect((await cli(p, ['apply', planFile, ...(await expectRoots(p, p.src, p.dst))])).code).toBe(0)
  })

  it('a plan whose backup folder was edited to lie inside a root is refused and changes nothing', async () => {
    const { p, planFile, json, before } = await planned()
    const inside = { ...json, policy: { ...json.policy, backupDir: join(p.dst, 'backups') } }
    await writeFile(planFile, JSON.stringify(inside))

    const applied = await cli(p, ['apply', planFile])

    expect(applied.code).toBe(1)
    expect(await bothTrees(p)).toEqual(before.trees)
  })
})

describe("hostile plans and syncengine's own files", () => {
  /** A pair whose state file lives inside the destination root, synced once, and a plan for new files. */
  const withStateInside = async () => {
    const p = await cliPair()
    pair = p
    const stateFile = join(p.dst, '.meta', 'state.json')
    await putTree(p.source, { 'a.txt': 'alpha', 'b.txt': 'beta' })
    expect((await cli(p, ['sync', p.src, p.dst, '--state', stateFile])).code).toBe(0)
    await p.source.put('c.txt', 'gamma')
    const planFile = join(p.scratch, 'plan.json')
    expect((await cli(p, ['plan', p.src, p.dst, '--state', stateFile, '--out', planFile])).code).toBe(0)
    const json = JSON.parse(await readFile(planFile, 'utf8')) as PlanJson
    const info = await stat(stateFile)
    const stateEntry = { kind: 'file', size: info.size, mtimeMs: Math.round(info.mtimeMs), exec: false }
    const upload = find(json, 'copy', 'c.txt')
    return { p, stateFile, planFile, json, stateEntry, upload, state: await readFile(stateFile, 'utf8') }
  }

  const touching: ReadonlyArray<{
    readonly name: string
    readonly actions: (s: Awaited<ReturnType<typeof withStateInside>>) => Json[]
  }> = [
    {
      name: 'deletes the state file',
      actions: (s) => [
        {
          kind: 'delete',
          side: 'destination',
          path: '.meta/state.json',
          entry: s.stateEntry,
          reason: 'tidy',
        },
      ],
    },
    {
      name: 'overwrites the state file with an upload',
      actions: (s) => [{ ...s.upload, path: '.meta/state.json', replaces: s.stateEntry }],
    },
    {
      name: 'deletes the folder that holds the state file',
      actions: () => [
        { kind: 'delete', side: 'destination', path: '.meta', entry: { kind: 'dir' }, reason: 'tidy' },
      ],
    },
    {
      name: 'moves the state file away',
      actions: (s) => [
        {
          kind: 'move',
          side: 'destination',
          from: '.meta/state.json',
          to: 'stolen.json',
          entry: s.stateEntry,
          reason: 'tidy',
        },
      ],
    },
    {
      name: 'writes the journal',
      actions: (s) => [{ ...s.upload, path: '.meta/state.json.journal' }],
    },
    {
      name: 'writes the lock file',
      actions: (s) => [{ ...s.upload, path: '.meta/state.json.lock' }],
    },
  ]

  it.each(touching)(
    'a plan that $name is refused, exit 1, and the state file is untouched',
    async ({ actions }) => {
      const s = await withStateInside()
      await writeFile(
        s.planFile,
        JSON.stringify(consistent({ ...s.json, actions: [...actions(s), ...s.json.actions] })),
      )
      const before = await bothTrees(s.p)

      // The state is named on the command line: a state file only the plan names may not be in a root.
      const applied = await cli(s.p, ['apply', s.planFile, '--state', s.stateFile])

      expect(applied.code).toBe(1)
      expect(applied.stderr).toContain("syncengine's own")
      expect(await readFile(s.stateFile, 'utf8')).toBe(s.state)
      expect(await bothTrees(s.p)).toEqual(before)
    },
  )
})
