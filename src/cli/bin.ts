#!/usr/bin/env node
/** The `syncengine` command: the command line, wired to this process. */
import module from 'node:module'
import type { Output } from './io.ts'

// Node 22.1+ can keep the compiled code of every module on disk between runs, for a faster start; the
// command line's modules are imported after this, hence the dynamic import below.
if ('enableCompileCache' in module && typeof module.enableCompileCache === 'function')
  module.enableCompileCache()
const { main } = await import('./main.ts')

/**
 * One of the process's outputs for the command line. Once its reader is gone (`syncengine plan … | head`
 * closes the pipe: EPIPE), the rest of the output is dropped and the command ends as it would have, quietly,
 * with its own exit code, instead of dying on an unhandled stream error.
 */
const processOutput = (stream: NodeJS.WriteStream): Output => {
  let open = true
  stream.on('error', (error: NodeJS.ErrnoException) => {
    open = false
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
  })
  return {
    write: (text: string) => open && stream.write(text),
    get isTTY() {
      return stream.isTTY
    },
    get columns() {
      return stream.columns
    },
  }
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: processOutput(process.stdout),
  stderr: processOutput(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
    return () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    }
  },
})
