/**
 * How many copies run at once unless told otherwise: the library's default, the command line's and the
 * config file's. Alone in its module so that the command line's help can show it without the engine.
 */
export const DEFAULT_TRANSFERS = 4
