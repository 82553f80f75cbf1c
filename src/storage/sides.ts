import type { Side } from '../core/side.ts'
import type { Storage } from './storage.ts'

export interface Sides {
  readonly source: Storage
  readonly destination: Storage
}

export const storageOn = (sides: Sides, side: Side): Storage =>
  side === 'source' ? sides.source : sides.destination
