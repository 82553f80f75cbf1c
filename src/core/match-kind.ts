/** One case per kind of a union tagged by `kind`, each given the member of that kind. */
export type KindCases<U extends { readonly kind: string }, R> = {
  readonly [K in U['kind']]: (value: Extract<U, { readonly kind: K }>) => R
}

/**
 * Calls the case for `value`'s kind. Every kind must have its case, so adding a kind to the union is a
 * type error wherever the union is matched.
 */
export const matchKind = <U extends { readonly kind: string }, R>(value: U, cases: KindCases<U, R>): R =>
  (cases[value.kind as U['kind']] as (value: U) => R)(value)
