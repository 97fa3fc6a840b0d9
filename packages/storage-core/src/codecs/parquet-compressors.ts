import type { Compressors } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { ParquetFailure } from './parquet-check.js'

/** The longest string V8 makes (2^29 - 24 UTF-16 units). */
const MAX_STRING_LENGTH = 0x1fffffe8

/**
 * hyparquet-compressors' codecs, with two answers given before any work: a page of no bytes
 * decompresses to no bytes (a v2 data page whose values are all null has an empty body, which the
 * codecs reject; parquet-cpp reads it), and a page larger than the longest string V8 makes is
 * refused at once, rather than after decompressing gigabytes into text that cannot be made.
 */
export const PARQUET_COMPRESSORS: Compressors = Object.fromEntries(
  Object.entries(compressors).map(([codec, decompress]) => [
    codec,
    (input: Uint8Array, outputLength: number) => {
      if (outputLength === 0) return new Uint8Array(0)
      if (outputLength > MAX_STRING_LENGTH) {
        throw new ParquetFailure(
          'NOT_SUPPORTED',
          `a page of ${outputLength} bytes is larger than the longest string JavaScript can hold (2^29 - 24 characters); pages this large cannot be read`,
        )
      }
      return decompress(input, outputLength)
    },
  ]),
)
