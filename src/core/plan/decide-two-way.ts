import {
  type Comparison,
  contentDiffers,
  isChanged,
  isContentChange,
  sameAcross,
  sameContent,
  stampMovedOnly,
  statusOf,
} from '../compare.ts'
import type { Entry } from '../entry.ts'
import type { ConflictStrategy } from '../policy.ts'
import type { Side } from '../side.ts'
import { alike, type Decision, frozen, take } from './decision.ts'
import { describeBoth, describeStatus } from './describe.ts'
import type { Row } from './row.ts'

/** The side whose file is newer by more than the tolerance; undefined when neither is. */
export const newerSide = (source: Entry, destination: Entry, how: Comparison): Side | undefined => {
  if (source.kind !== 'file' || destination.kind !== 'file') return undefined
  const delta = source.mtimeMs - destination.mtimeMs
  if (Math.abs(delta) <= how.mtimeToleranceMs) return undefined
  return delta > 0 ? 'source' : 'destination'
}

/**
 * Two-way: each side's changes since the last sync go to the other side; with no state, nothing counts
 * as deleted, so a first sync merges.
 */
export const decideTwoWay = (row: Row, how: Comparison, strategy: ConflictStrategy): Decision => {
  const { source, destination } = row
  if (sameAcross(source, destination, how)) return alike
  const sourceStatus = statusOf(row.synced?.[0], source)
  const destinationStatus = statusOf(row.synced?.[1], destination)
  const sourceChanged = isChanged(sourceStatus)
  const destinationChanged = isChanged(destinationStatus)

  if (!sourceChanged && !destinationChanged) {
    // Neither side moved away from what was recorded, yet they differ. Bytes that provably differ mean
    // the record was wrong (two edits that kept size and mtime, say): never call that in sync.
    if (source !== null && destination !== null && contentDiffers(source, destination)) {
      // One side was written to under its recorded size and mtime (its change stamp moved): its bytes.
      const sourceWritten = stampMovedOnly(row.synced?.[0], source)
      const destinationWritten = stampMovedOnly(row.synced?.[1], destination)
      if (sourceWritten && !destinationWritten)
        return take('destination', 'changed on source (new bytes under the same size and mtime)')
      if (destinationWritten && !sourceWritten)
        return take('source', 'changed on destination (new bytes under the same size and mtime)')
      return resolveConflict(
        source,
        destination,
        'the two sides differ though neither changed since last sync',
        how,
        strategy,
      )
    }
    // The same bytes with another mtime or exec bit, as they were when recorded: they differ only as the
    // backends keep them (a side that cannot keep mtimes), and setting them again would not hold.
    return alike
  }
  if (sourceChanged && !destinationChanged)
    return take('destination', describeStatus(sourceStatus, 'source') ?? 'changed on source')
  if (!sourceChanged && destinationChanged)
    return take('source', describeStatus(destinationStatus, 'destination') ?? 'changed on destination')

  // Both changed and they differ.
  const both = describeBoth(sourceStatus, destinationStatus)
  // The same bytes on both sides (a touch on each, or the same new file): no conflict, only metadata.
  if (source !== null && destination !== null && sameContent(source, destination, how))
    return metadataOfNewer(source, destination, how, both)
  // A change of content wins over a change of metadata alone: it holds the newer bytes.
  if (sourceStatus === 'touched' && isContentChange(destinationStatus) && destination !== null)
    return take('source', `${both}: the new content wins over a change of mtime or exec bit`)
  if (destinationStatus === 'touched' && isContentChange(sourceStatus) && source !== null)
    return take('destination', `${both}: the new content wins over a change of mtime or exec bit`)
  // A deletion against a change: copying the change back loses nothing, and the deletion can be done
  // again; the other way round cannot be undone.
  if (source === null) return take('source', `${both}: the change wins over the deletion`)
  if (destination === null) return take('destination', `${both}: the change wins over the deletion`)
  return resolveConflict(source, destination, both, how, strategy)
}

/** Both sides hold the same bytes: the side with the older mtime takes the newer one's metadata. */
const metadataOfNewer = (source: Entry, destination: Entry, how: Comparison, why: string): Decision => {
  const newer = newerSide(source, destination, how) ?? 'source'
  return take(newer === 'source' ? 'destination' : 'source', `${why}: the metadata of the ${newer} is kept`)
}

const resolveConflict = (
  source: Entry,
  destination: Entry,
  both: string,
  how: Comparison,
  strategy: ConflictStrategy,
): Decision => {
  if (strategy === 'manual')
    return frozen({ outcome: 'left-alone', reason: `${both}: left for you to resolve` })

  // A folder and a file cannot be merged, and giving the name to the file would delete what the folder
  // holds: whatever the strategy, the folder keeps the name and the file is kept beside it.
  if ((source.kind === 'dir') !== (destination.kind === 'dir')) {
    const fileSide: Side = source.kind === 'dir' ? 'destination' : 'source'
    return keepBoth(
      fileSide,
      `${both}: a folder and a file; the folder keeps the name, the file is kept beside it`,
    )
  }

  switch (strategy) {
    case 'source':
      return winner('source', `${both}: source wins (--conflict source)`)
    case 'destination':
      return winner('destination', `${both}: destination wins (--conflict destination)`)
    case 'newest': {
      const newer = newerSide(source, destination, how)
      return newer === undefined
        ? keepBoth('destination', `${both}: neither is newer, so both are kept`)
        : winner(newer, `${both}: ${newer} is newer (--conflict newest)`)
    }
    case 'keep-both': {
      const newer = newerSide(source, destination, how) ?? 'source'
      const loser: Side = newer === 'source' ? 'destination' : 'source'
      return keepBoth(loser, `${both}: the newer (${newer}) keeps the name, the other is kept beside it`)
    }
  }
}

const winner = (side: Side, reason: string): Decision =>
  take(side === 'source' ? 'destination' : 'source', reason, {
    conflict: { outcome: side === 'source' ? 'source-wins' : 'destination-wins', reason },
  })

/** `loser`'s entry moves to a conflict name (copied to the other side there), then it takes the winner's. */
const keepBoth = (loser: Side, reason: string): Decision =>
  take(loser, reason, {
    kept: { how: 'aside', side: loser, shared: true },
    conflict: { outcome: 'kept-both', reason },
  })
