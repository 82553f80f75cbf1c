/** The default branch of an exhaustive switch: adding a kind is a type error until every switch handles it. */
export const absurd = (x: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`)
}
