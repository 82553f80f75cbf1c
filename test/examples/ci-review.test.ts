import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTree, tempDir } from '../support/sides.ts'

/**
 * examples/ci-review/sync-review.yml cannot run here, but its shell steps can: this reads them out of the
 * workflow (a minimal reading of YAML block scalars, no YAML library) and runs them against two temporary
 * folders, with `npx syncengine` pointing at this checkout.
 */

const root = join(import.meta.dirname, '..', '..')
const workflowFile = join(root, 'examples', 'ci-review', 'sync-review.yml')

/** The `run: |` script of the step named `name`. */
const stepScript = (workflow: string, name: string): string => {
  const lines = workflow.split('\n')
  const start = lines.findIndex((line) => line.trim() === `- name: ${name}`)
  if (start < 0) throw new Error(`no step named ${name}`)
  const stepIndent = (lines[start] as string).indexOf('-')
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string
    const indent = line.search(/\S/)
    if (indent >= 0 && indent <= stepIndent) break
    if (line.trim() !== 'run: |') continue
    const body: string[] = []
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j] as string
      const nextIndent = next.search(/\S/)
      if (nextIndent >= 0 && nextIndent <= indent) break
      body.push(next)
    }
    const margin = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.search(/\S/)))
    return body.map((l) => l.slice(margin)).join('\n')
  }
  throw new Error(`step ${name} has no run: | block`)
}

/** `KEY: value # comment` lines of the top-level `env:` block. */
const topLevelEnv = (workflow: string): Record<string, string> => {
  const block = /^env:\n((?: {2}.*\n)+)/m.exec(workflow)?.[1] ?? ''
  return Object.fromEntries(
    [...block.matchAll(/^ {2}(\w+): ([^#\n]*?)\s*(?:#.*)?$/gm)].map((m) => [m[1] as string, m[2] as string]),
  )
}

/** The artifact lookup runs its filter through jq, as `gh api --jq` does. */
const hasJq = spawnSync('jq', ['--version']).status === 0

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`

describe('examples/ci-review', () => {
  let workflow: string
  let base: string
  let env: NodeJS.ProcessEnv
  const workspace = () => join(base, 'workspace')
  const destination = () => join(base, 'server', 'www')

  beforeAll(async () => {
    workflow = await readFile(workflowFile, 'utf8')
    base = await tempDir('syncengine-ci-review-')
    const bin = join(base, 'bin')
    await mkdir(bin)
    // Only `npx syncengine` is expected; it runs this checkout's command line.
    await writeFile(
      join(bin, 'npx'),
      `#!/bin/sh\n[ "$1" = syncengine ] || { echo "unexpected: npx $*" >&2; exit 127; }\nshift\nexec node ${JSON.stringify(join(root, 'bin', 'syncengine.js'))} "$@"\n`,
    )
    await chmod(join(bin, 'npx'), 0o755)
    // `gh` answers the artifact lookup from a canned API response (through jq, as `gh api --jq` would) and
    // "downloads" an artifact from a folder per run id.
    await writeFile(
      join(bin, 'gh'),
      [
        '#!/bin/sh',
        'echo "gh $*" >> "$GH_LOG"',
        'if [ "$1" = api ] && [ "$3" = --jq ]; then exec jq -r "$4" "$GH_ARTIFACTS"; fi',
        'if [ "$1 $2 $4 $6" = "run download --name --dir" ]; then mkdir -p "$7" && exec cp "$GH_RUNS/$3/$5/"* "$7/"; fi',
        'echo "unexpected: gh $*" >&2; exit 2',
        '',
      ].join('\n'),
    )
    await chmod(join(bin, 'gh'), 0o755)
    env = {
      ...process.env,
      ...topLevelEnv(workflow),
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      DESTINATION: destination(),
      STATE: join(base, 'state', 'site.json'),
      GITHUB_OUTPUT: join(base, 'github-output'),
      GITHUB_STEP_SUMMARY: join(base, 'step-summary.md'),
      NO_COLOR: '1',
      GITHUB_REPOSITORY: 'me/site',
      PR: '7',
      HEAD_SHA: 'abc123',
      GH_LOG: join(base, 'gh.log'),
      GH_ARTIFACTS: join(base, 'artifacts.json'),
      GH_RUNS: join(base, 'runs'),
    }
    // Two plans for the pull request's last commit (run 12 is the newer), one for an older commit, one expired.
    const artifact = (run: number, sha: string, day: number, expired = false) => ({
      name: 'sync-plan-pr-7',
      expired,
      created_at: `2026-01-0${day}T00:00:00Z`,
      workflow_run: { id: run, head_sha: sha },
    })
    await writeFile(
      env.GH_ARTIFACTS as string,
      JSON.stringify({
        artifacts: [
          artifact(11, 'abc123', 1),
          artifact(13, 'old999', 3),
          artifact(12, 'abc123', 2),
          artifact(14, 'abc123', 4, true),
        ],
      }),
    )
    await mkdir(join(workspace(), 'site'), { recursive: true })
    await writeFile(join(workspace(), 'site', 'index.html'), '<h1>Home</h1>\n')
    await writeFile(join(workspace(), 'site', 'about.html'), '<h1>About</h1>\n')
    await mkdir(destination(), { recursive: true })
    await writeFile(join(destination(), 'old.html'), 'left over from an earlier site\n')
    await writeFile(join(destination(), 'index.html'), '<h1>Home, the earlier one</h1>\n')
  })

  afterAll(() => rm(base, { recursive: true, force: true }))

  const runStep = (name: string) =>
    spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', stepScript(workflow, name)], {
      cwd: workspace(),
      env,
      encoding: 'utf8',
    })

  it('is a pull request workflow that plans, shows, uploads, and applies by digest', () => {
    expect(workflow).toMatch(/^on:\n {2}pull_request:\n {4}types: \[opened, synchronize, reopened, closed\]/m)
    for (const text of [
      'npx syncengine plan "$SOURCE" "$DESTINATION"',
      '--detailed-exitcode',
      '--out plan.json',
      'sha256sum plan.json',
      'npx syncengine show plan.json',
      'GITHUB_STEP_SUMMARY',
      'actions/upload-artifact@v4',
      'github.event.pull_request.merged == true',
      'npx syncengine apply reviewed/plan.json',
      '--expect-digest "$(cat reviewed/plan.sha256)"',
    ])
      expect(workflow).toContain(text)
    expect(topLevelEnv(workflow)).toMatchObject({ SOURCE: 'site', MODE: 'source-to-destination' })
  })

  it('uses only options the command line has', () => {
    const scripts = ['Plan', 'Show the plan in the job summary', 'Apply the reviewed plan'].map((name) =>
      stepScript(workflow, name).replace(/\\\n\s*/g, ' '),
    )
    const used = [...scripts.join('\n').matchAll(/npx syncengine (\w+)([^\n]*)/g)]
    expect(used.map((m) => m[1])).toEqual(['plan', 'show', 'apply'])
    for (const [, command, rest] of used) {
      const help = spawnSync('node', [join(root, 'bin', 'syncengine.js'), command as string, '--help'], {
        encoding: 'utf8',
      }).stdout
      for (const flag of (rest as string).match(/--[a-z-]+/g) ?? [])
        expect(help, `${command} ${flag}`).toContain(flag)
    }
  })

  it('plans on review: exit 2 for changes, the digest of plan.json, the rendered plan in the summary', async () => {
    const plan = runStep('Plan')
    expect(plan.stderr).not.toMatch(/error:/)
    expect(plan.status).toBe(0)
    const text = await readFile(join(workspace(), 'plan.json'), 'utf8')
    const digest = (await readFile(join(workspace(), 'plan.sha256'), 'utf8')).trim()
    expect(digest).toBe(sha256(text))
    const outputs = await readFile(env.GITHUB_OUTPUT as string, 'utf8')
    expect(outputs).toContain('changes=true\n')
    expect(outputs).toContain(`digest=${digest}\n`)

    const show = runStep('Show the plan in the job summary')
    expect(show.status).toBe(0)
    const summary = await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8')
    expect(summary).toContain('## syncengine plan')
    expect(summary).toMatch(/- delete on destination\s+old\.html/)
    expect(summary).toMatch(/~ upload\s+index\.html/)
    // syncengine's own digest of the plan is the sha256sum the workflow took.
    expect(summary).toContain(`Plan digest: ${digest}`)
    expect(summary).toContain(`Reviewed digest: \`${digest}\``)
  })

  it.skipIf(!hasJq)('downloads the newest plan made for the merged commit', async () => {
    // What upload-artifact kept of the plan job's run 12.
    const uploaded = join(env.GH_RUNS as string, '12', 'sync-plan-pr-7')
    await mkdir(uploaded, { recursive: true })
    await cp(join(workspace(), 'plan.json'), join(uploaded, 'plan.json'))
    await cp(join(workspace(), 'plan.sha256'), join(uploaded, 'plan.sha256'))
    const download = runStep('Download the reviewed plan')
    expect(download.stderr).toBe('')
    expect(download.status).toBe(0)
    const calls = await readFile(env.GH_LOG as string, 'utf8')
    expect(calls).toContain('gh api repos/me/site/actions/artifacts?name=sync-plan-pr-7&per_page=100 --jq')
    expect(calls).toContain('gh run download 12 --name sync-plan-pr-7 --dir reviewed\n')
    expect(await readFile(join(workspace(), 'reviewed', 'plan.json'), 'utf8')).toBe(
      await readFile(join(workspace(), 'plan.json'), 'utf8'),
    )
  })

  it.skipIf(!hasJq)('stops when no plan was made for the merged commit', () => {
    const download = spawnSync(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', stepScript(workflow, 'Download the reviewed plan')],
      { cwd: base, env: { ...env, HEAD_SHA: 'never-planned' }, encoding: 'utf8' },
    )
    expect(download.status).toBe(1)
    expect(download.stdout).toContain('::error::no plan was made for never-planned')
  })

  it('applies the reviewed plan after merge, pinned by its digest', async () => {
    if (!hasJq) {
      await cp(join(workspace(), 'plan.json'), join(workspace(), 'reviewed', 'plan.json'))
      await cp(join(workspace(), 'plan.sha256'), join(workspace(), 'reviewed', 'plan.sha256'))
    }
    const apply = runStep('Apply the reviewed plan')
    expect(apply.stderr).not.toMatch(/error:/)
    expect(apply.status).toBe(0)
    expect(await readTree(destination())).toEqual(await readTree(join(workspace(), 'site')))
  })

  it('refuses to apply a plan other than the reviewed one, and touches nothing', async () => {
    await writeFile(join(workspace(), 'site', 'contact.html'), '<h1>Contact</h1>\n')
    expect(runStep('Plan').status).toBe(0)
    // A newer plan under the reviewed name, with the digest taken at review time.
    await cp(join(workspace(), 'plan.json'), join(workspace(), 'reviewed', 'plan.json'))
    const before = await readTree(destination())
    const apply = runStep('Apply the reviewed plan')
    expect(apply.status).toBe(1)
    expect(apply.stderr).toContain('is not the reviewed plan')
    expect(await readTree(destination())).toEqual(before)
  })
})
