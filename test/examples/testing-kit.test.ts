import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { localStorage, memoryStorage } from 'syncengine'
import {
  counterClock,
  describeStorageConformance,
  plantTree,
  scenarioArbitrary,
  treeArbitrary,
} from 'syncengine/testing'
import { describe, expect, it } from 'vitest'

/**
 * The testing kit as a backend's author uses it: imported by package name, `syncengine/testing`, and run
 * against both backends that ship with syncengine.
 */

describeStorageConformance('memory, through syncengine/testing', async ({ rootExists }) => ({
  storage: memoryStorage({ exists: rootExists }),
  cleanup: async () => undefined,
}))

describeStorageConformance('local, through syncengine/testing', async ({ rootExists }) => {
  const base = await mkdtemp(join(tmpdir(), 'syncengine-kit-'))
  const root = rootExists ? base : join(base, 'missing', 'root')
  return { storage: localStorage(root), cleanup: () => rm(base, { recursive: true, force: true }) }
})

describe('syncengine/testing', () => {
  it('generates trees that plant on a side as folders, files and symlinks', async () => {
    await fc.assert(
      fc.asyncProperty(treeArbitrary, async (tree) => {
        const side = memoryStorage()
        await plantTree(
          {
            put: async (path, content, { mtimeMs }) => side.put(path, content, { mtimeMs }),
            mkdir: async (path) => side.putDir(path),
            symlink: async (path, target) => side.putSymlink(path, target),
            remove: async (path) => side.delete(path),
            rename: async () => undefined,
            tree: async () => side.files(),
          },
          tree,
          counterClock(),
        )
        const planted = side.files()
        const expected = Object.fromEntries(
          tree.map((node) =>
            node.kind === 'dir'
              ? [`${node.path}/`, '']
              : node.kind === 'file'
                ? [node.path, node.content]
                : [node.path, `-> ${node.target}`],
          ),
        )
        expect(planted).toMatchObject(expected)
      }),
      { numRuns: 50 },
    )
  })

  it('generates scenarios in every mode', () => {
    const modes = new Set(fc.sample(scenarioArbitrary(), { numRuns: 200, seed: 1 }).map((s) => s.mode))
    expect(modes.size).toBe(5)
  })
})
