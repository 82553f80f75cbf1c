#!/usr/bin/env node
// The command line run from the TypeScript sources, through tsx: what the tests and examples of this checkout
// start, so they never need a build and never run a stale one. The published command is dist/cli/bin.js,
// built from the same src/cli/bin.ts by `npm run build` (and by `npm ci`, through the prepare script).
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/bin.ts')
