import * as t from 'io-ts'

export const Side = t.keyof({ source: null, destination: null })
export type Side = t.TypeOf<typeof Side>

export const otherSide = (side: Side): Side => (side === 'source' ? 'destination' : 'source')

/** Upload moves source → destination; download moves destination → source. */
export const Direction = t.keyof({ upload: null, download: null })
export type Direction = t.TypeOf<typeof Direction>

export const directionTo = (target: Side): Direction => (target === 'destination' ? 'upload' : 'download')
export const targetOf = (direction: Direction): Side => (direction === 'upload' ? 'destination' : 'source')
export const fromOf = (direction: Direction): Side => otherSide(targetOf(direction))
