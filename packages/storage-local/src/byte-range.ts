import type { ByteRange } from '@cfb/storage-core'

// Mirrors `Uint8Array.prototype.slice` (ToIntegerOrInfinity, negatives count from the end), so
// a range means the same here as on the in-memory reference store.
function bound(value: number | undefined, fallback: number, size: number): number {
  if (value === undefined) return fallback
  const integer = Number.isNaN(value) ? 0 : Math.trunc(value)
  return integer < 0 ? Math.max(size + integer, 0) : Math.min(integer, size)
}

/** The `[start, end)` offsets `range` selects in an object of `size` bytes. */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  const start = bound(range?.start, 0, size)
  const end = bound(range?.end, size, size)
  return { start, end: Math.max(start, end) }
}
