import { snappyCompressor } from 'hysnappy'

/**
 * Snappy in WebAssembly: several times faster than JavaScript ports on compressible pages. One
 * instance serves every writer: a fresh instance runs V8's baseline code until it is tiered up,
 * which made each file's pages compress several times slower. Its match table is not cleared
 * between calls, so a page's compressed bytes can depend on what was compressed before it (every
 * output decodes to its input; a stale entry is only used where the bytes match).
 */
let compressor: ((input: Uint8Array) => Uint8Array) | undefined

export function snappyCompress(input: Uint8Array): Uint8Array {
  compressor ??= snappyCompressor()
  return compressor(input)
}
