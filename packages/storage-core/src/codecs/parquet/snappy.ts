import { snappyCompressor } from 'hysnappy'

/**
 * Snappy in WebAssembly: several times faster than JavaScript ports on compressible pages. One
 * instance serves every writer: a fresh instance runs V8's baseline code until it is tiered up,
 * which made each file's pages compress several times slower. It keeps nothing between calls.
 */
let compressor: ((input: Uint8Array) => Uint8Array) | undefined

export function snappyCompress(input: Uint8Array): Uint8Array {
  compressor ??= snappyCompressor()
  return compressor(input)
}
