import type { Compressors } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

/**
 * hyparquet-compressors' codecs, except that a page of no bytes decompresses to no bytes: a v2
 * data page whose values are all null has an empty body, which the codecs reject as malformed
 * (parquet-cpp reads it).
 */
export const PARQUET_COMPRESSORS: Compressors = Object.fromEntries(
  Object.entries(compressors).map(([codec, decompress]) => [
    codec,
    (input: Uint8Array, outputLength: number) => (outputLength === 0 ? new Uint8Array(0) : decompress(input, outputLength)),
  ]),
)
