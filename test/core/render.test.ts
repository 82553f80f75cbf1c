import { stripVTControlCharacters } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { createColors } from 'picocolors'
import { describe, expect, it } from 'vitest'
import { type Io, styleFor } from '../../src/cli/io.ts'
import { describeErrors } from '../../src/core/codec.ts'
import { derivedOf } from '../../src/core/plan/derived.ts'
import { summarize } from '../../src/core/plan/summary.ts'
import { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import { formatBytes, render, type Style, summaryLine } from '../../src/core/render.ts'

const t0 = Date.UTC(2026, 0, 1)
const file = (size: number, mtimeMs = t0) => ({ kind: 'file', size, mtimeMs, exec: false })
const folder = { kind: 'dir' }

/**
 * A plan from its parts, decoded as apply would; the summary and the delete guard's verdict are what
 * the planner derives from those actions (as render derives them again).
 */
const planOf = (fields: Record<string, unknown>): Plan => {
  const parts = {
    format: 'syncengine-plan',
    version: 1,
    source: { root: '/src', existed: true, files: 6, listed: 6, recorded: 6, fingerprint: 'sha256:a' },
    destination: { root: '/dst', existed: true, files: 6, listed: 6, recorded: 6, fingerprint: 'sha256:b' },
    state: { lineage: 'l', serial: 3 },
    policy: defaultPolicy,
    actions: [],
    conflicts: [],
    records: [],
    forget: [],
    warnings: [],
    blocked: null,
    ...fields,
  }
  const draft = Plan.decode({ ...parts, summary: summarize([], [], []) })
  if (E.isLeft(draft)) throw new Error(describeErrors(draft.left).join('\n'))
  return { ...draft.right, ...derivedOf(draft.right) }
}

const everyKind = (): Plan =>
  planOf({
    actions: [
      {
        kind: 'move',
        side: 'source',
        from: 'both.txt',
        to: 'both.conflict-source-20260101-000000.txt',
        entry: file(7),
        reason: 'conflict: keep the source version beside it',
      },
      {
        kind: 'delete',
        side: 'destination',
        path: 'old/gone.txt',
        entry: file(3),
        reason: 'deleted on source since last sync',
      },
      {
        kind: 'delete',
        side: 'destination',
        path: 'old',
        entry: folder,
        reason: 'deleted on source since last sync',
      },
      { kind: 'mkdir', side: 'destination', path: 'newdir', reason: 'created on source' },
      {
        kind: 'clone',
        side: 'destination',
        from: 'photos/a.jpg',
        to: 'photos/renamed.jpg',
        entry: file(2048),
        peer: file(2048),
        reason: 'renamed on source: copied, the old name kept in the backup',
      },
      {
        kind: 'copy',
        direction: 'upload',
        path: 'new.txt',
        entry: file(10),
        replaces: null,
        reason: 'created on source',
      },
      {
        kind: 'copy',
        direction: 'upload',
        path: 'changed.txt',
        entry: file(6),
        replaces: file(5),
        reason: 'changed on source since last sync',
      },
      {
        kind: 'copy',
        direction: 'download',
        path: 'down.txt',
        entry: file(2048),
        replaces: null,
        reason: 'created on destination',
      },
    ],
    conflicts: [
      {
        path: 'both.txt',
        source: file(7),
        destination: file(8),
        outcome: 'kept-both',
        reason: 'changed on both sides since last sync: the newer (destination) keeps the name',
      },
    ],
    // The destination holds one file, and the plan deletes it: blocked.
    destination: { root: '/dst', existed: true, files: 1, listed: 4, recorded: 1, fingerprint: 'sha256:b' },
  })

const tag =
  (name: string) =>
  (s: string): string =>
    `<${name}>${s}</${name}>`
const tagged: Style = {
  add: tag('add'),
  change: tag('change'),
  remove: tag('remove'),
  move: tag('move'),
  conflict: tag('conflict'),
  dim: tag('dim'),
  bold: tag('bold'),
}

describe('rendering a plan', () => {
  it('shows a legend, a line per action of every kind with its side, path, size and reason, the summary, and the block', () => {
    expect(render(everyKind())).toBe(
      `/src → /dst
mode: two-way, conflicts: keep-both

Symbols: + create  ~ update  - delete  → move  ! conflict

  ! conflict               both.txt                                                      changed on both sides since last sync: the newer (destination) keeps the name
  → move on source         both.txt → both.conflict-source-20260101-000000.txt           conflict: keep the source version beside it
  - delete on destination  old/gone.txt                                                  deleted on source since last sync
  - delete on destination  old/                                                          deleted on source since last sync
  + upload                 newdir/                                                       created on source
  + copy on destination    photos/a.jpg → photos/renamed.jpg                             renamed on source: copied, the old name kept in the backup
  + upload                 new.txt                                                 10 B  created on source
  ~ upload                 changed.txt                                              6 B  changed on source since last sync
  + download               down.txt                                             2.0 KiB  created on destination

Plan: 3 to upload, 1 to download, 1 to move, 2 to delete, 1 conflict.
Local copies: 1 on the destination (no transfer).
Transfers: 16 B up, 2.0 KiB down.
Blocked: it deletes every file the destination holds (1 of 1), so apply refuses it. If that is intended, plan again with --allow-mass-delete.
`,
    )
  })

  it('colors each kind through the style, and the legend and summary with it', () => {
    const text = render(everyKind(), tagged)
    expect(text.split('\n').slice(0, 7).join('\n')).toBe(
      `<bold>/src → /dst</bold>
<dim>mode: two-way, conflicts: keep-both</dim>

<dim>Symbols: <add>+</add> create  <change>~</change> update  <remove>-</remove> delete  <move>→</move> move  <conflict>!</conflict> conflict</dim>

  <conflict>! conflict             </conflict>  both.txt                                                      <dim>changed on both sides since last sync: the newer (destination) keeps the name</dim>
  <move>→ move on source       </move>  both.txt → both.conflict-source-20260101-000000.txt           <dim>conflict: keep the source version beside it</dim>`,
    )
    expect(text).toMatch(/^ {2}<remove>- delete on destination<\/remove> {2}old\/gone\.txt /m)
    expect(text).toMatch(
      /^ {2}<add>\+ copy on destination {2}<\/add> {2}photos\/a\.jpg → photos\/renamed\.jpg /m,
    )
    expect(text).toMatch(
      /^ {2}<add>\+ upload {15}<\/add> {2}new\.txt +10 B {2}<dim>created on source<\/dim>$/m,
    )
    expect(text).toMatch(/^ {2}<change>~ upload {15}<\/change> {2}changed\.txt /m)
    expect(text).toContain(
      '<bold>Plan: 3 to upload, 1 to download, 1 to move, 2 to delete, 1 conflict.</bold>',
    )
    expect(text).toContain('<remove>Blocked: it deletes every file the destination holds')
  })

  it("with the command line's terminal colors, the same text wrapped in ANSI escapes; piped or NO_COLOR, none at all", () => {
    const c = createColors(true)
    const io = (isTTY: boolean, env: Record<string, string> = {}): Io => ({
      stdout: { write: () => true, isTTY },
      stderr: { write: () => true },
      env,
      cwd: '/',
    })
    const colored = render(everyKind(), styleFor(io(true), true))
    expect(colored).toContain(`${c.green('+ upload               ')}  new.txt`)
    expect(colored).toContain(c.red('- delete on destination'))
    expect(stripVTControlCharacters(colored)).toBe(render(everyKind()))
    expect(render(everyKind())).not.toContain('\u001b')
    for (const style of [
      styleFor(io(false), true),
      styleFor(io(true, { NO_COLOR: '1' }), true),
      styleFor(io(true), false),
    ])
      expect(render(everyKind(), style)).toBe(render(everyKind()))
  })

  it('counts a local copy as neither an upload nor a download', () => {
    expect(everyKind().summary).toMatchObject({
      upload: 3,
      download: 1,
      move: 1,
      delete: { source: 0, destination: 2 },
      conflict: 1,
      local: { source: 0, destination: 1 },
    })
    expect(summaryLine(everyKind())).toBe(
      'Plan: 3 to upload, 1 to download, 1 to move, 2 to delete, 1 conflict.',
    )
  })

  it('a copy from another name shows both names, and a symlink its target', () => {
    const text = render(
      planOf({
        actions: [
          {
            kind: 'copy',
            direction: 'upload',
            from: 'todo.md',
            path: 'todo.conflict-source-20260101-000000.md',
            entry: file(12),
            replaces: null,
            reason: 'conflict: the source version of todo.md',
          },
          {
            kind: 'copy',
            direction: 'download',
            path: 'latest',
            entry: { kind: 'symlink', target: 'photos/2026' },
            replaces: null,
            reason: 'created on destination',
          },
        ],
      }),
    )
    expect(text).toContain(
      '  + upload    todo.md → todo.conflict-source-20260101-000000.md  12 B  conflict: the source version of todo.md\n',
    )
    expect(text).toContain('  + download  latest -> photos/2026')
  })

  it('says when there is nothing to do, without a legend', () => {
    expect(render(planOf({}))).toBe(
      '/src → /dst\nmode: two-way, conflicts: keep-both\n\nNo changes. Source and destination are in sync.\n',
    )
  })

  it('--limit shows the first lines and says how many more there are', () => {
    const text = render(everyKind(), undefined, { limit: 3 })
    const lines = text.split('\n').filter((l) => l.startsWith('  '))
    expect(lines).toHaveLength(4)
    expect(lines[2]).toMatch(/^ {2}- delete on destination {2}old\/gone\.txt/)
    expect(lines[3]).toBe('  … and 6 more (--limit 0 shows all)')
    expect(text).toContain('Plan: 3 to upload, 1 to download, 1 to move, 2 to delete, 1 conflict.')
  })

  it('a large plan is grouped under a header per folder, each path still whole', () => {
    const copies = Array.from({ length: 45 }, (_, i) => ({
      kind: 'copy',
      direction: 'upload',
      path: `${['a', 'b/c', ''][i % 3]}${i % 3 === 2 ? '' : '/'}f${String(i).padStart(2, '0')}.txt`,
      entry: file(1),
      replaces: null,
      reason: 'created on source',
    }))
    const text = render(planOf({ actions: copies }))
    const headers = text.split('\n').filter((l) => /^ {2}\S/.test(l))
    expect(headers).toEqual(['  (top level) (15)', '  a/ (15)', '  b/c/ (15)'])
    expect(text).toMatch(/^ {2}b\/c\/ \(15\)\n {4}\+ upload {2}b\/c\/f01\.txt +1 B {2}created on source$/m)
    expect(text).toContain('Plan: 45 to upload, 0 to download, 0 to move, 0 to delete, 0 conflicts.')
  })

  it('grouped and limited: headers only for the folders shown', () => {
    const copies = Array.from({ length: 50 }, (_, i) => ({
      kind: 'copy',
      direction: 'download',
      path: `${i < 25 ? 'x' : 'y'}/f${String(i).padStart(2, '0')}.txt`,
      entry: file(1),
      replaces: null,
      reason: 'created on destination',
    }))
    const text = render(planOf({ actions: copies }), undefined, { limit: 10 })
    expect(text).toContain('  x/ (25)')
    expect(text).not.toContain('  y/ (25)')
    expect(text).toContain('  … and 40 more (--limit 0 shows all)')
  })

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [3.5 * 1024 ** 3, '3.5 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})
