import type { AsyncBuffer } from 'hyparquet'
import type { ObjectStore } from './object-store.js'

/**
 * A hyparquet `AsyncBuffer` over one stored object of known size (from the listing, so no HEAD).
 * Every slice is a ranged GET, except slices inside bytes already fetched: the footer read often
 * covers a small file whole, and then nothing is fetched twice.
 */
export function rangedFile(store: ObjectStore, key: string, size: number): AsyncBuffer {
  const fetched: { start: number; bytes: Uint8Array }[] = []
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const hit = fetched.find((f) => f.start <= start && end <= f.start + f.bytes.length)
      const bytes = hit
        ? hit.bytes.subarray(start - hit.start, end - hit.start)
        : await store.get(key, { start, end })
      if (!hit) fetched.push({ start, bytes })
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    },
  }
}
