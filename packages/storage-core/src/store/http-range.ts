import { StorageError } from '../errors.js'
import type { ByteRange } from './object-store.js'

/** What to send for a `ByteRange`: no request at all, the whole object, or an HTTP `Range`. */
export type HttpRange = { kind: 'empty' } | { kind: 'whole' } | { kind: 'range'; header: string; start: number; end?: number }

/**
 * Turns the store's half-open `[start, end)` into HTTP's inclusive `Range: bytes=start-last`. A range
 * with `end <= start` holds no bytes, so it needs no request; none of `start`/`end` is the whole object.
 */
export function httpRange(range: ByteRange = {}): HttpRange {
  const start = range.start ?? 0
  if (range.end !== undefined && range.end <= start) return { kind: 'empty' }
  if (range.start === undefined && range.end === undefined) return { kind: 'whole' }
  return { kind: 'range', header: `bytes=${start}-${range.end === undefined ? '' : range.end - 1}`, start, end: range.end }
}

/**
 * A ranged read answered 416 (Range Not Satisfiable) starts at or past the end of the object: like
 * `Uint8Array.prototype.slice` past the end, it reads as no bytes. Only for a ranged read of an object
 * that exists; a missing object is 404, which stays `NOT_FOUND`.
 */
export function isEmptyRangeAnswer(status: number | undefined, ranged: boolean): boolean {
  return ranged && status === 416
}

/**
 * The bytes of `[start, end)` out of what a server sent for a ranged request. HTTP lets a server
 * ignore `Range` (200 and the whole object) or answer a wider range than asked; `contentRange` is
 * the `Content-Range` header it sent (`bytes 0-99/100`), absent when it sent the whole object.
 */
export function cutToRange(bytes: Uint8Array, contentRange: string | undefined, start: number, end: number | undefined): Uint8Array {
  const offset = Number(/^bytes (\d+)-/.exec(contentRange ?? '')?.[1] ?? 0)
  if (offset > start) {
    // Bytes from later than asked cannot be cut to what was asked; passing them on would shift every byte.
    throw new StorageError('CORRUPT_DATA', `asked for bytes from ${start}, the server answered from ${offset}`)
  }
  const want = end === undefined ? bytes.length : end - start
  if (offset === start && bytes.length <= want) return bytes
  return bytes.slice(start - offset, start - offset + want)
}
