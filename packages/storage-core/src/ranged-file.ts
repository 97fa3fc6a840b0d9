import type { AsyncBuffer } from 'hyparquet'
import type { ObjectStore } from './object-store.js'

/** An `AsyncBuffer` whose next reads can be started ahead of time. */
export interface RangedFile extends AsyncBuffer {
  /** Starts reading `[start, end)` now; the next slice inside that range is served from this read. */
  prefetch(start: number, end: number): void
}

/**
 * A hyparquet `AsyncBuffer` over one stored object of known size (from the listing, so no HEAD).
 * Every slice is a ranged GET, except slices inside the first one (the footer read, which often
 * covers a small file whole) or inside a prefetched range. Other reads are not kept, so a file is
 * never held whole.
 */
export function rangedFile(store: ObjectStore, key: string, size: number): RangedFile {
  let first: { start: number; bytes: Uint8Array } | undefined
  const ahead: { start: number; end: number; bytes: Promise<Uint8Array> }[] = []
  return {
    byteLength: size,
    prefetch(start: number, end: number): void {
      const bytes = store.get(key, { start, end })
      bytes.catch(() => {}) // seen by the slice that awaits it
      ahead.push({ start, end, bytes })
    },
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      let bytes: Uint8Array
      const prefetched = ahead.findIndex((range) => range.start <= start && end <= range.end)
      if (first && first.start <= start && end <= first.start + first.bytes.length) {
        bytes = first.bytes.subarray(start - first.start, end - first.start)
      } else if (prefetched >= 0) {
        const range = ahead.splice(prefetched, 1)[0]!
        bytes = (await range.bytes).subarray(start - range.start, end - range.start)
      } else {
        bytes = await store.get(key, { start, end })
        first ??= { start, bytes }
      }
      // A view of a whole buffer is handed over as it is: copying a row group's bytes doubles a scan's garbage.
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    },
  }
}
