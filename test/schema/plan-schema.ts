import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import * as E from 'fp-ts/lib/Either.js'
import { decodePlan } from '../../src/core/decode-plan.ts'
import { RelPath } from '../../src/core/rel-path.ts'

/** plans/plan.schema.json, compiled, and the two judges of a plan document side by side. */

export const schemaFile = join(import.meta.dirname, '..', '..', 'plans', 'plan.schema.json')

export const schema: Record<string, unknown> = JSON.parse(readFileSync(schemaFile, 'utf8'))

// strict: a keyword the 2020-12 vocabulary does not know, or a type left ambiguous, is a mistake in the schema.
const ajv = new Ajv2020({ allErrors: true, strict: true })
const validate = ajv.compile(schema)
const validateRelPath = ajv.compile((schema.$defs as Record<string, object>).RelPath ?? false)

/** Whether a string passes the schema's RelPath and the codec's RelPath. */
export const judgePath = (path: string): { readonly schema: boolean; readonly codec: boolean } => ({
  schema: validateRelPath(path),
  codec: RelPath.is(path),
})

export interface Verdicts {
  readonly schema: boolean
  readonly codec: boolean
  /** What the schema said, as `instancePath message` lines. */
  readonly schemaErrors: ReadonlyArray<string>
  /** What the codec said (the lines `apply` prints). */
  readonly codecErrors: ReadonlyArray<string>
}

export const judge = (document: unknown): Verdicts => {
  const bySchema = validate(document)
  const byCodec = decodePlan(document)
  return {
    schema: bySchema,
    codec: E.isRight(byCodec),
    schemaErrors: (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`),
    codecErrors: E.isLeft(byCodec) ? byCodec.left.problems : [],
  }
}

/** The verdicts as text for a failure message. */
export const explain = (verdicts: Verdicts): string =>
  [
    `schema: ${verdicts.schema ? 'accepts' : 'refuses'}`,
    ...verdicts.schemaErrors.slice(0, 8).map((line) => `  ${line}`),
    `codec: ${verdicts.codec ? 'accepts' : 'refuses'}`,
    ...verdicts.codecErrors.map((line) => `  ${line}`),
  ].join('\n')
