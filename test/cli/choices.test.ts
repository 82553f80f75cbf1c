import { describe, expect, it } from 'vitest'
import { CONFLICT_CHOICES, MODE_CHOICES } from '../../src/cli/choices.ts'
import { CONFLICT_STRATEGIES, MODES } from '../../src/core/policy.ts'

/** The command line lists modes and strategies without loading the codecs; the lists must be the codecs'. */

describe('the choices of the command line', () => {
  it('--mode offers every mode of the policy codec, in its order', () => {
    expect(MODE_CHOICES).toEqual(MODES)
  })

  it('--conflict offers every conflict strategy of the policy codec, in its order', () => {
    expect(CONFLICT_CHOICES).toEqual(CONFLICT_STRATEGIES)
  })
})
