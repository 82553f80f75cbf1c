import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { plan } from '../../src/core/plan/plan.ts'
import type { Plan } from '../../src/core/plan-file.ts'
import { defaultPolicy } from '../../src/core/policy.ts'
import { formatBytes, render, type Style } from '../../src/core/render.ts'
import { snapshot, stateOf } from '../support/snapshots.ts'

const t0 = Date.UTC(2026, 0, 1)
const t1 = t0 + 3_600_000
const t2 = t0 + 7_200_000

const everyKind = (): Plan => {
  const made = plan(
    snapshot('/src', { 'new.txt': [10, t1], 'changed.txt': [6, t1], 'both.txt': [7, t1], 'newdir/': null }),
    snapshot('/dst', {
      'changed.txt': [5, t0],
      'both.txt': [8, t2],
      'gone.txt': [3, t0],
      'down.txt': [2048, t1],
    }),
    stateOf({ 'changed.txt': [5, t0], 'both.txt': [5, t0], 'gone.txt': [3, t0] }),
    defaultPolicy,
  )
  if (E.isLeft(made)) throw new Error('plan failed')
  return made.right
}

describe('rendering a plan', () => {
  it('shows every kind of action, the conflict, and a summary', () => {
    expect(render(everyKind())).toBe(
      `/src → /dst
mode: two-way, conflicts: keep-both

  ! conflict               both.txt                                                      changed on both sides since last sync: the newer (destination) keeps the name, the other is kept beside it
  → move on source         both.txt → both.conflict-source-20260101-010000.txt           conflict: keep the source version beside it
  - delete on destination  gone.txt                                                      deleted on source since last sync
  + upload                 newdir/                                                       created on source
  + upload                 both.conflict-source-20260101-010000.txt                 7 B  conflict: the source version of both.txt
  + download               both.txt                                                 8 B  changed on both sides since last sync: the newer (destination) keeps the name, the other is kept beside it
  ~ upload                 changed.txt                                              6 B  changed on source since last sync
  + download               down.txt                                             2.0 KiB  created on destination
  + upload                 new.txt                                                 10 B  created on source

Plan: 4 to upload, 2 to download, 1 to move, 1 to delete, 1 conflict.
Transfers: 23 B up, 2.0 KiB down.
`,
    )
  })

  it('colors by kind when given a style', () => {
    const tag =
      (name: string) =>
      (s: string): string =>
        `<${name}>${s}</${name}>`
    const style: Style = {
      add: tag('add'),
      change: tag('change'),
      remove: tag('remove'),
      move: tag('move'),
      conflict: tag('conflict'),
      dim: (s) => s,
      bold: (s) => s,
    }
    const text = render(everyKind(), style)
    expect(text).toMatch(/<add>\+ upload {15}<\/add> {2}new\.txt/)
    expect(text).toMatch(/<change>~ upload {15}<\/change> {2}changed\.txt/)
    expect(text).toMatch(/<remove>- delete on destination<\/remove> {2}gone\.txt/)
    expect(text).toMatch(/<move>→ move on source {7}<\/move> {2}both\.txt → /)
    expect(text).toMatch(/<conflict>! conflict {13}<\/conflict> {2}both\.txt/)
  })

  it('says when there is nothing to do', () => {
    const made = plan(
      snapshot('/src', { 'a.txt': [1, t0] }),
      snapshot('/dst', { 'a.txt': [1, t0] }),
      stateOf({ 'a.txt': [1, t0] }),
      defaultPolicy,
    )
    if (E.isLeft(made)) throw new Error('plan failed')
    expect(render(made.right)).toBe(
      '/src → /dst\nmode: two-way, conflicts: keep-both\n\nNo changes. Source and destination are in sync.\n',
    )
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
