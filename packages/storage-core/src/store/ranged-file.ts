import type { AsyncBuffer } from 'hyparquet'
import { StorageError } from '../errors.js'
import type { ObjectStore } from './object-store.js'

/**
 * A hyparquet `AsyncBuffer` over one stored object of known size (from the listing, so no HEAD).
 * Every slice is a ranged GET, except slices inside the first one: that is the footer read, which
 * often covers a small file whole. Later reads are not kept, so a file is never held whole.
 */
export interface RangedFile extends AsyncBuffer {
  /**
   * Gives back the memory of a buffer `slice` returned, now: the caller is done with it and
   * nothing it made shares its bytes. A buffer that lives across a read's slices is promoted to
   * V8's old generation and otherwise waits for a full collection; a scan of large files held
   * tens of megabytes that way. The buffer is detached (it reads as empty) unless the file keeps
   * it for later slices, as it does the first.
   */
  release(buffer: ArrayBuffer): void
}

export function rangedFile(store: ObjectStore, key: string, size: number): RangedFile {
  let first: { start: number; bytes: Uint8Array } | undefined
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const hit = first && first.start <= start && end <= first.start + first.bytes.length ? first : undefined
      const bytes = hit
        ? hit.bytes.subarray(start - hit.start, end - hit.start)
        : await store.get(key, { start, end })
      // The size came from a listing or a log: an object shorter than that is not the file it named.
      if (bytes.length !== end - start) {
        throw new StorageError('CORRUPT_DATA', `${key} is shorter than the ${size} bytes recorded for it`, { key })
      }
      first ??= { start, bytes }
      // A view of a whole buffer is handed over as it is: copying a row group's bytes doubles a scan's garbage.
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    },
    release(buffer: ArrayBuffer): void {
      if (buffer === first?.bytes.buffer || buffer.byteLength === 0) return
      try {
        // Transferring moves the memory to a clone that is garbage at once, and young.
        structuredClone(buffer, { transfer: [buffer] })
      } catch {
        // Node 22 and later refuse to transfer a buffer marked untransferable (as Node's shared
        // pool is), where Node 20 copies it: either way it waits for the collector.
      }
    },
  }
}
