/**
 * Min/max statistics, for column chunks and for the column index's pages: found as JS values,
 * compared as readers order the physical type (byte arrays as unsigned bytes, so strings by code
 * point), and encoded as the physical type stores them; byte arrays over 64 bytes are truncated as
 * parquet-mr and Arrow do.
 */
import { compareText } from '../../keys/key-order.js'
import type { Column } from './columns.js'
import type { Dictionary } from './dictionary.js'
import { BOOLEAN, BYTE_ARRAY, DOUBLE, INT32 } from './format.js'
import { setInt64 } from './plain.js'

/** Byte-array min/max are truncated to this many bytes, as parquet-mr does for its column index. */
export const MAX_STATISTIC_BYTES = 64

export type Bound = number | bigint | string | Uint8Array

/** The least and greatest defined value of a page or chunk (NaN is left out, as the spec asks). */
export interface Bounds {
  low: Bound
  high: Bound
}

/** A bound as the file stores it; `exact` is false when it was truncated. */
export interface EncodedBound {
  bytes: Uint8Array
  exact: boolean
}

/** Bounds of the defined numbers of rows [from, to); undefined when there are none but NaN. */
export function numberBounds(column: Column, from: number, to: number): { low: number; high: number } | undefined {
  const { defined } = column
  const numbers = column.numbers!
  let low = Number.POSITIVE_INFINITY
  let high = Number.NEGATIVE_INFINITY
  for (let i = from; i < to; i++) {
    if (defined[i] === 0) continue
    // NaN compares false both ways, so it never becomes a bound.
    const value = numbers[i]!
    if (value < low) low = value
    if (value > high) high = value
  }
  return low <= high ? { low, high } : undefined
}

/**
 * Bounds of rows [from, to) of a column that is not numbers; `indexes` are the page's dictionary
 * indexes when a dictionary holds the values.
 */
export function valueBounds(column: Column, from: number, to: number, dictionary: Dictionary | undefined, indexes: Int32Array): Bounds | undefined {
  const { defined, bigints, booleans, items } = column
  if (dictionary?.texts) return textBounds(dictionary, indexes)
  let first = from
  while (first < to && defined[first] === 0) first++
  if (first === to) return undefined
  if (bigints) {
    let low = bigints[first]!
    let high = low
    for (let i = first + 1; i < to; i++) {
      if (defined[i] === 0) continue
      const value = bigints[i]!
      if (value < low) low = value
      if (value > high) high = value
    }
    return { low, high }
  }
  if (booleans) {
    let any = 0
    let all = 1
    for (let i = first; i < to; i++) {
      if (defined[i] === 0) continue
      any |= booleans[i]!
      all &= booleans[i]!
    }
    return { low: all, high: any }
  }
  const values = items!
  let low = values[first] as string | Uint8Array
  let high = low
  for (let i = first + 1; i < to; i++) {
    if (defined[i] === 0) continue
    const value = values[i] as string | Uint8Array
    if (compareBounds(value, low) < 0) low = value
    else if (compareBounds(value, high) > 0) high = value
  }
  return { low, high }
}

/**
 * Bounds of a page of dictionary-encoded text: its distinct indexes are found first, so each text
 * is compared once per page, not once per row.
 */
function textBounds(dictionary: Dictionary, indexes: Int32Array): Bounds | undefined {
  if (indexes.length === 0) return undefined
  const texts = dictionary.texts!
  const { seen, distinct } = dictionary
  let count = 0
  for (let k = 0; k < indexes.length; k++) {
    const id = indexes[k]!
    if (seen[id] === 1) continue
    seen[id] = 1
    distinct[count++] = id
  }
  let low = texts[distinct[0]!]!
  let high = low
  seen[distinct[0]!] = 0
  for (let k = 1; k < count; k++) {
    const id = distinct[k]!
    seen[id] = 0
    const text = texts[id]!
    if (compareText(text, low) < 0) low = text
    else if (compareText(text, high) > 0) high = text
  }
  return { low, high }
}

/** `a` widened to take in `b`. */
export function mergeBounds(a: Bounds | undefined, b: Bounds | undefined): Bounds | undefined {
  if (a === undefined || b === undefined) return a ?? b
  return {
    low: compareBounds(b.low, a.low) < 0 ? b.low : a.low,
    high: compareBounds(b.high, a.high) > 0 ? b.high : a.high,
  }
}

/** Orders two bounds of one column as readers order its physical type. */
export function compareBounds(a: Bound, b: Bound): number {
  if (typeof a === 'string') return compareText(a, b as string)
  if (a instanceof Uint8Array) return Buffer.compare(a, b as Uint8Array)
  const x = a as number
  const y = b as number
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * A min (`isMax` false) or max as the physical type stores it. A byte array over
 * MAX_STATISTIC_BYTES is truncated: a min to a prefix, a max to a prefix whose last character (for
 * text, code point) is incremented; undefined when no such max exists.
 */
export function encodeBound(column: Column, value: Bound, isMax: boolean): EncodedBound | undefined {
  const { physical } = column
  if (physical === BYTE_ARRAY) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : (value as Uint8Array)
    if (bytes.length <= MAX_STATISTIC_BYTES) return { bytes, exact: true }
    const text = column.type !== 'binary'
    const truncated = isMax ? truncatedMax(bytes, text) : bytes.subarray(0, text ? codePointEnd(bytes, MAX_STATISTIC_BYTES) : MAX_STATISTIC_BYTES)
    return truncated && { bytes: truncated, exact: false }
  }
  if (physical === BOOLEAN) return { bytes: new Uint8Array([value as number]), exact: true }
  // Written through one scratch view and copied out: a view of each new array would give it an
  // ArrayBuffer of its own, which Node 24 makes and collects at a high price (bounds are taken
  // for every page and chunk).
  const width = physical === INT32 ? 4 : 8
  if (typeof value === 'bigint') scratch.setBigInt64(0, value, true)
  else if (physical === DOUBLE) {
    // The spec asks for -0 as a min of zero and +0 as a max of zero.
    scratch.setFloat64(0, value === 0 ? (isMax ? 0 : -0) : (value as number), true)
  } else if (physical === INT32) scratch.setInt32(0, value as number, true)
  else setInt64(scratch, 0, value as number)
  return { bytes: scratchBytes.slice(0, width), exact: true }
}

const scratchBytes = new Uint8Array(8)
const scratch = new DataView(scratchBytes.buffer)

/** The end of the last whole UTF-8 character within the first `limit` bytes. */
function codePointEnd(bytes: Uint8Array, limit: number): number {
  let end = limit
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return end
}

/**
 * The shortest upper bound of `bytes` within MAX_STATISTIC_BYTES: for text, the last code point
 * that has a successor of the same UTF-8 length is incremented (skipping the surrogates) and the
 * rest dropped; for other bytes, the last byte below 0xFF.
 */
function truncatedMax(bytes: Uint8Array, text: boolean): Uint8Array | undefined {
  if (!text) {
    let i = MAX_STATISTIC_BYTES - 1
    while (i >= 0 && bytes[i] === 0xff) i--
    if (i < 0) return undefined
    const max = bytes.slice(0, i + 1)
    max[i]!++
    return max
  }
  let end = codePointEnd(bytes, MAX_STATISTIC_BYTES)
  while (end > 0) {
    let start = end - 1
    while (start > 0 && (bytes[start]! & 0xc0) === 0x80) start--
    const code = Buffer.from(bytes.subarray(start, end)).toString('utf8').codePointAt(0)!
    const next = code === 0xd7ff ? 0xe000 : code + 1
    const width = next <= 0x7f ? 1 : next <= 0x7ff ? 2 : next <= 0xffff ? 3 : 4
    if (next <= 0x10ffff && width === end - start) {
      const max = new Uint8Array(end)
      max.set(bytes.subarray(0, start))
      max.set(Buffer.from(String.fromCodePoint(next), 'utf8'), start)
      return max
    }
    end = start
  }
  return undefined
}
