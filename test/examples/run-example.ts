import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

export interface ExampleRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `examples/<name>/main.ts` as a person would, with tsx from this checkout. */
export const runExample = (name: string): ExampleRun => {
  const run = spawnSync('npx', ['tsx', join('examples', name, 'main.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** The run's output as a failure message. */
export const outputOf = (run: ExampleRun): string => `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`
