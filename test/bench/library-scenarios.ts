/** Scenarios through the library: hashing against sha256sum, and a million entries in memory. */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { RelPath } from '../../src/core/rel-path.ts'
import { hashFile } from '../../src/snapshot/hash.ts'
import { localStorage } from '../../src/storage/local.ts'
import { type Bench, count } from './bench.ts'
import type { Scenario } from './harness.ts'
import { measureHere } from './measure.ts'
import { REPO } from './tools.ts'
import { writeLargeFiles } from './tree.ts'

const MiB = 1024 * 1024

export const hashing = (bench: Bench): Scenario => {
  const size = (bench.quick ? 64 : 512) * MiB
  const dir = join(bench.base, 'hash')
  const file = join(dir, 'big-00.bin')
  let expected = ''
  return {
    key: 'hash',
    title: `hash a ${size / MiB} MiB file, SHA-256 (floor: \`sha256sum\`)`,
    ...bench.rounds(3),
    facts: () => ({ bytes: size }),
    prepare: async () => {
      writeLargeFiles(dir, 1, size)
      expected = `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]}`
      const storage = localStorage(dir)
      let got = ''
      return [
        {
          column: 'syncengine',
          label: 'hashFile (node:crypto)',
          here: () =>
            measureHere(async () => {
              const hashed = await hashFile(storage, 'big-00.bin' as RelPath)
              got = E.isRight(hashed) ? hashed.right : `failed: ${JSON.stringify(hashed.left)}`
            }),
          check: () => (got === expected ? [] : [`hashFile says ${got}, sha256sum says ${expected}`]),
        },
        { column: 'floor', label: 'sha256sum', command: () => ({ file: 'sha256sum', args: [file] }) },
      ]
    },
  }
}

export interface ScaleFigures {
  readonly files: number
  readonly entries: number
  readonly buildMs: number
  readonly planMs: number
  readonly applyMs: number
  readonly replanMs: number
}

export const parseScale = (stdout: string): ScaleFigures | null => {
  try {
    const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ScaleFigures
    return typeof parsed.planMs === 'number' ? parsed : null
  } catch {
    return null
  }
}

/** One run: building the tree alone takes as long as a round of the other scenarios. */
export const scale = (bench: Bench): Scenario => {
  const files = bench.quick ? 10_000 : 1_000_000
  return {
    key: 'scale',
    title: `${count(files)} files on the in-memory storage, through the library`,
    rounds: 1,
    warmup: false,
    prepare: async () => {
      mkdirSync(bench.base, { recursive: true })
      return [
        {
          column: 'syncengine',
          label: `scale.ts ${files}`,
          captureStdout: true,
          command: () => ({
            file: process.execPath,
            args: [
              '--max-old-space-size=16384',
              '--import',
              'tsx',
              join(REPO, 'test', 'bench', 'scale.ts'),
              String(files),
            ],
            cwd: REPO,
          }),
          check: (run) =>
            parseScale(run.stdout) === null ? [`no figures in its output: ${run.stdout}`] : [],
        },
      ]
    },
  }
}
