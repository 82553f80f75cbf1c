import type { ConfigError } from '../config/config-file.ts'
import { showPath, showText } from '../core/show-path.ts'
import { describeError, type LibraryError } from '../pair/describe-error.ts'

export { becauseOf, wordsFor } from '../pair/describe-error.ts'

/** What the command line reports: the library's errors, and its own (usage, the config, plan names). */
export type CliError =
  | LibraryError
  | ConfigError
  | {
      readonly _tag: 'DigestMismatch'
      readonly file: string
      readonly expected: string
      readonly actual: string
    }
  | { readonly _tag: 'Usage'; readonly message: string }
  | { readonly _tag: 'ConfigExists'; readonly shown: string }
  | { readonly _tag: 'ConfigUnwritable'; readonly shown: string; readonly message: string }
  | { readonly _tag: 'PairUnknown'; readonly name: string; readonly shown: string; readonly known: string }
  | { readonly _tag: 'PlanMissing'; readonly name: string; readonly file: string }

const p = showPath

/** One line per error: what went wrong, where, and what to do about it. */
export const messageOf = (error: CliError): string => {
  switch (error._tag) {
    case 'Usage':
      return showText(error.message)
    case 'ConfigExists':
      return `${p(error.shown)} already exists; edit it, or pass --config with a new file name`
    case 'ConfigUnwritable':
      return `cannot write ${p(error.shown)}: ${showText(error.message)}; run init in a folder you can write to, or pass --config with another path`
    case 'PairUnknown':
      return `${p(error.shown)} has no pair named "${showText(error.name)}" (${showText(error.known)}); check the name, or add the pair`
    case 'PlanMissing':
      return `no plan for the pair ${showText(error.name)} at ${p(error.file)}; make one with: syncengine plan ${showText(error.name)}`
    case 'DigestMismatch':
      return `${p(error.file)} is not the reviewed plan: its digest is ${error.actual}, expected ${showText(error.expected)}; nothing was applied (review this plan with syncengine show, or apply the one you reviewed)`
    default:
      return describeError(error)
  }
}
