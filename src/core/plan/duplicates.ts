import type { Action } from '../action.ts'
import type { Plan } from '../plan-file.ts'
import { showPath } from '../show-path.ts'
import { type Side, targetOf } from '../side.ts'

/**
 * What each action does to a path of a side: `puts` something there (a copy, a folder, the new name of a
 * move or a local copy) or `takes` what is there away (a delete, the old name of a move). A path may be
 * taken and then put (a file replaced by a folder), never put twice or taken twice.
 */
const effectsOf = (
  action: Action,
): ReadonlyArray<{ readonly how: 'puts' | 'takes'; readonly side: Side; readonly path: string }> => {
  switch (action.kind) {
    case 'copy':
      return [{ how: 'puts', side: targetOf(action.direction), path: action.path }]
    case 'mkdir':
      return [{ how: 'puts', side: action.side, path: action.path }]
    case 'delete':
      return [{ how: 'takes', side: action.side, path: action.path }]
    case 'move':
      return [
        { how: 'takes', side: action.side, path: action.from },
        { how: 'puts', side: action.side, path: action.to },
      ]
    case 'clone':
      return [{ how: 'puts', side: action.side, path: action.to }]
    case 'meta':
      return [{ how: 'puts', side: action.side, path: action.path }]
  }
}

/**
 * A plan the codec accepts may still say one thing twice: the same action twice, two actions writing
 * one path of a side, two conflicts or records of one path. Applying it would run the second against
 * what the first left; a hand-edited plan is refused instead, naming the path.
 */
export const duplicateProblems = (plan: Plan): ReadonlyArray<string> => {
  const problems: string[] = []
  const seen = new Map<string, number>()
  for (const [i, action] of plan.actions.entries())
    for (const { how, side, path } of effectsOf(action)) {
      const key = `${how}\0${side}\0${path}`
      const first = seen.get(key)
      if (first === undefined) seen.set(key, i)
      else
        problems.push(
          `actions[${i}] ${how === 'puts' ? 'writes' : 'removes'} ${showPath(path)} on the ${side}, as actions[${first}] does: a plan ${how === 'puts' ? 'writes' : 'removes'} a path once`,
        )
    }
  for (const list of ['conflicts', 'records'] as const) {
    const paths = new Map<string, number>()
    for (const [i, { path }] of plan[list].entries()) {
      const first = paths.get(path)
      if (first === undefined) paths.set(path, i)
      else problems.push(`${list}[${i}] is about ${showPath(path)}, as ${list}[${first}] is`)
    }
  }
  return problems
}
