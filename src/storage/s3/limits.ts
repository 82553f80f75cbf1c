/** S3's sizes, without the codecs of options.ts: the command line's help shows them. */

const MiB = 1024 * 1024

/** S3's smallest part (but the last) and largest single PUT or copy. */
export const MIN_PART_SIZE = 5 * MiB
export const MAX_SINGLE_COPY = 5 * 1024 * MiB
/** S3 allows 10 000 parts: a larger file gets larger parts. */
export const MAX_PARTS = 10_000
/** The part size of multipart uploads unless `partSize` says otherwise. */
export const DEFAULT_PART_SIZE = 16 * MiB
