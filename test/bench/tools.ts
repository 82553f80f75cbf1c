/**
 * The programs the benchmark runs, and how: syncengine's command line, rsync, Unison, rclone, cp. Each
 * tool keeps its state (Unison's archive, rclone's config) in the scenario's folder, never in the home
 * folder of the person running the benchmark.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Column } from './harness.ts'
import type { Command } from './measure.ts'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * How the benchmark starts syncengine's command line, in one place: the built JavaScript that
 * `npx syncengine` runs (`buildForBench` makes it fresh first).
 */
export const syncengine = (args: ReadonlyArray<string>, env?: ToolEnv): Command => ({
  file: process.execPath,
  args: [join(REPO, 'dist', 'cli', 'bin.js'), ...args],
  ...(env === undefined ? {} : { env: env.vars }),
})

/** Options of every syncengine run: no colors, no progress display. */
export const quietly = ['--no-color', '--progress', 'none'] as const

/** A private home for the peers: Unison's archive and rclone's config live here. */
export interface ToolEnv {
  readonly home: string
  readonly vars: Readonly<Record<string, string>>
}

export const toolEnv = (dir: string): ToolEnv => {
  const home = join(dir, 'home')
  mkdirSync(home, { recursive: true })
  const rcloneConfig = join(home, 'rclone.conf')
  writeFileSync(rcloneConfig, '')
  return {
    home,
    vars: {
      HOME: home,
      XDG_STATE_HOME: join(home, 'state'),
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_CACHE_HOME: join(home, 'cache'),
      UNISON: join(home, 'unison'),
      RCLONE_CONFIG: rcloneConfig,
      NO_COLOR: '1',
    },
  }
}

export type Peer = Extract<Column, 'rsync' | 'unison' | 'rclone' | 'cp'>

const versionArgs: Readonly<Record<Peer, ReadonlyArray<string>>> = {
  rsync: ['--version'],
  unison: ['-version'],
  rclone: ['--version'],
  cp: ['--version'],
}

/** The first line of each installed peer's version, or null where it is not installed. */
export const findPeers = (): Readonly<Record<Peer, string | null>> => {
  const version = (peer: Peer): string | null => {
    const found = spawnSync(peer, versionArgs[peer], { encoding: 'utf8' })
    if (found.error !== undefined || found.status !== 0) return null
    return found.stdout.split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? peer
  }
  return { rsync: version('rsync'), unison: version('unison'), rclone: version('rclone'), cp: version('cp') }
}

const run = (file: string, args: ReadonlyArray<string>, env: ToolEnv): Command => ({
  file,
  args,
  env: env.vars,
})

/** rsync takes a folder's contents with a trailing slash. */
const contents = (dir: string): string => `${dir}/`

export const rsync = (options: ReadonlyArray<string>, from: string, to: string, env: ToolEnv): Command =>
  run('rsync', [...options, contents(from), contents(to)], env)

/** Unison as a script runs it: no questions, mtimes kept (as syncengine, rsync -a and rclone keep them). */
export const unison = (a: string, b: string, env: ToolEnv): Command =>
  run('unison', [a, b, '-batch', '-times', '-silent'], env)

export const rclone = (verb: string, from: string, to: string, env: ToolEnv, more: string[] = []): Command =>
  run('rclone', [verb, from, to, '-q', ...more], env)

export const cp = (from: string, to: string, env: ToolEnv): Command => run('cp', ['-a', `${from}/.`, to], env)

/** The least a program that looks at two trees must do: list every folder, lstat every entry. */
const WALK = `const fs=require('fs'),p=require('path');let n=0;const v=d=>{for(const e of fs.readdirSync(d)){const c=p.join(d,e);n++;if(fs.lstatSync(c).isDirectory())v(c)}};for(const r of process.argv.slice(1))v(r)`

export const walk = (roots: ReadonlyArray<string>): Command => ({
  file: process.execPath,
  args: ['-e', WALK, ...roots],
})

export const nodeNothing: Command = { file: process.execPath, args: ['-e', '0'] }
