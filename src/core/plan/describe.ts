import type { Status } from '../compare.ts'
import type { Side } from '../side.ts'

/** "changed on source since last sync": one side's status, for reasons in the plan. */
export const describeStatus = (status: Status, side: Side): string | undefined => {
  switch (status) {
    case 'created':
      return `created on ${side}`
    case 'changed':
      return `changed on ${side} since last sync`
    case 'touched':
      return `mtime or exec bit changed on ${side} since last sync (same content)`
    case 'deleted':
      return `deleted on ${side} since last sync`
    case 'unchanged':
    case 'absent':
      return undefined
  }
}

export const describeBoth = (source: Status, destination: Status): string => {
  if (source === destination && source !== 'unchanged' && source !== 'absent')
    return (describeStatus(source, 'source') ?? '').replace('on source', 'on both sides')
  return [describeStatus(source, 'source'), describeStatus(destination, 'destination')]
    .filter((s) => s !== undefined)
    .join(', ')
}
