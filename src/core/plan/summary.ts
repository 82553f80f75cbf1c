import type { Action } from '../action.ts'
import { sizeOf } from '../entry.ts'
import type { Conflict, StateRecord, Summary } from '../plan-file.ts'

export const summarize = (
  actions: ReadonlyArray<Action>,
  conflicts: ReadonlyArray<Conflict>,
  records: ReadonlyArray<StateRecord>,
): Summary => {
  let upload = 0
  let download = 0
  let move = 0
  let metadata = 0
  const deleted = { source: 0, destination: 0 }
  const bytes = { upload: 0, download: 0 }
  const local = { source: 0, destination: 0 }
  for (const action of actions) {
    switch (action.kind) {
      case 'copy':
        if (action.direction === 'upload') upload++
        else download++
        bytes[action.direction] += sizeOf(action.entry)
        break
      case 'mkdir':
        if (action.side === 'destination') upload++
        else download++
        break
      case 'delete':
        deleted[action.side]++
        break
      case 'move':
        move++
        break
      case 'clone':
        local[action.side]++
        break
      case 'meta':
        metadata++
        break
    }
  }
  return {
    upload,
    download,
    move,
    delete: deleted,
    conflict: conflicts.length,
    record: records.length,
    local,
    metadata,
    bytes,
  }
}
