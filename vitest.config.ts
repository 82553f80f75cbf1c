import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  // Tests import the package by name, as a user would; they get the sources, never a stale dist/.
  resolve: {
    alias: [
      { find: /^syncengine$/, replacement: source('./src/index.ts') },
      { find: /^syncengine\/testing$/, replacement: source('./src/testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Most suites wait on child processes and servers, not on a core: two files at a time even on two
    // cores (vitest's default there is one), which is also the busy machine every test must pass on.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
