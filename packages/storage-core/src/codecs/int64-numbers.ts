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
