import { checkText } from '../schema.js'
import type { Column } from './columns.js'
import { DOUBLE, INT32 } from './format.js'
import type { Sink } from './sink.js'

const TWO_32 = 2 ** 32

/** The defined values of rows [from, to), PLAIN encoded. */
export function writePlain(out: Sink, column: Column, from: number, to: number): void {
  const { defined, numbers, bigints, booleans, items, physical } = column
  if (numbers) {
    out.reserve((to - from) * 8)
    const view = out.view
    let at = out.length
    for (let i = from; i < to; i++) {
      if (defined[i] === 0) continue
      const value = numbers[i]!
      if (physical === INT32) {
        view.setInt32(at, value, true)
        at += 4
      } else if (physical === DOUBLE) {
        view.setFloat64(at, value, true)
        at += 8
      } else {
        setInt64(view, at, value)
        at += 8
      }
    }
    out.length = at
  } else if (bigints) {
    out.reserve((to - from) * 8)
    const view = out.view
    let at = out.length
    for (let i = from; i < to; i++) {
      if (defined[i] === 0) continue
      view.setBigInt64(at, bigints[i]!, true)
      at += 8
    }
    out.length = at
  } else if (booleans) {
    out.reserve(Math.ceil((to - from) / 8))
    let byte = 0
    let bit = 0
    for (let i = from; i < to; i++) {
      if (defined[i] === 0) continue
      byte |= booleans[i]! << bit
      if (++bit === 8) {
        out.bytes[out.length++] = byte
        byte = 0
        bit = 0
      }
    }
    if (bit > 0) out.bytes[out.length++] = byte
  } else if (items) {
    for (let i = from; i < to; i++) {
      if (defined[i] === 0) continue
      writeByteArray(out, items[i] as string | Uint8Array, column.name)
    }
  }
}

/** A BYTE_ARRAY value: its length, then its bytes. */
export function writeByteArray(out: Sink, item: string | Uint8Array, column: string): void {
  out.reserve(4)
  const at = out.length
  out.length += 4
  // Measured first: writing may grow the buffer, and with it replace `out.view`.
  const length = typeof item === 'string' ? out.utf8(item) : item.length
  if (length < 0) checkText(item as string, column)
  if (typeof item !== 'string') out.append(item)
  out.view.setUint32(at, length, true)
}

/** A safe integer as INT64, little-endian, without a bigint. */
export function setInt64(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / TWO_32)
  view.setUint32(at, value - high * TWO_32, true)
  view.setInt32(at + 4, high, true)
}
