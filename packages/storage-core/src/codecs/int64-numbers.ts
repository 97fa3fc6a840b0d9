const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
/** Where the low and the high 32 bits of an INT64 sit, as two Int32Array words. */
const LOW_WORD = LITTLE_ENDIAN ? 0 : 1
const HIGH_WORD = 1 - LOW_WORD

/**
 * INT64 values as doubles, each the one `Number(bigint)` gives (high × 2³² is exact, and the sum
 * rounds once, to nearest), without making a BigInt per value.
 */
export function int64Numbers(values: BigInt64Array): Float64Array {
  const out = new Float64Array(values.length)
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2)
  for (let i = 0; i < values.length; i++) out[i] = words[2 * i + HIGH_WORD]! * 4_294_967_296 + (words[2 * i + LOW_WORD]! >>> 0)
  return out
}

const scratch = new BigInt64Array(1)
const scratchWords = new Int32Array(scratch.buffer)

/**
 * `Number(value)`, the same double, for a bigint that fits INT64 (nearly all) by its two 32-bit
 * words: V8 converts a bigint through a runtime call, several times slower than this. A bigint
 * that does not fit comes back changed from the store, and takes `Number` itself.
 */
export function bigintNumber(value: bigint): number {
  scratch[0] = value
  if (scratch[0] !== value) return Number(value)
  return scratchWords[HIGH_WORD]! * 4_294_967_296 + (scratchWords[LOW_WORD]! >>> 0)
}
