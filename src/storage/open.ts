import { resolve } from 'node:path'
import { localStorage } from './local.ts'
import type { Storage } from './storage.ts'

/**
 * The storage a root names. A plain path is a local folder, made absolute so that plans and state name
 * the same place from any working directory.
 */
export const openStorage = (root: string, cwd: string): Storage => localStorage(resolve(cwd, root))
