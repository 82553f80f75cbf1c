import { type Comparison, sameContent } from '../compare.ts'
import type { ModeShape, Policy } from '../policy.ts'
import type { Side } from '../side.ts'
import { type Forced, forced } from './decision.ts'
import type { Row } from './row.ts'

/**
 * `--force-upload` / `--force-download`: a file already the same on both sides is sent again, in a
 * direction the mode allows (uploads for two-way and the source modes, downloads for two-way and the
 * destination modes). Upload goes first when both are asked in two-way.
 */
export const forcedTake = (
  row: Row,
  how: Comparison,
  force: Policy['force'],
  mode: ModeShape,
): Forced | undefined => {
  if (row.source?.kind !== 'file' || row.destination?.kind !== 'file') return undefined
  if (!sameContent(row.source, row.destination, how)) return undefined
  const allows = (target: Side): boolean => mode.kind === 'two-way' || mode.target === target
  if (force.upload && allows('destination'))
    return forced('destination', 'forced re-transfer (--force-upload)')
  if (force.download && allows('source')) return forced('source', 'forced re-transfer (--force-download)')
  return undefined
}
