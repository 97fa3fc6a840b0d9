import type { Column } from './columns.js'
import { DOUBLE, INT32 } from './format.js'
import { setInt64, writeByteArray } from './plain.js'
import type { Sink } from './sink.js'
import type { WriterState } from './writer-state.js'

/** Dictionaries are capped so that their indexes stay 16 bits wide. */
const MAX_DICTIONARY = 1 << 16

export interface Dictionary {
  size: number
  bitWidth: number
  /** Dictionary index of each defined value, in row order (the writer's scratch: valid while the chunk is written). */
  indexes: Int32Array
  /** The distinct values of a string column, by index (statistics are taken from them). */
  texts: readonly string[] | undefined
  /** Scratch for finding a page's distinct indexes: all 0 between uses. */
  seen: Uint8Array
  distinct: Int32Array
  writeValues(out: Sink): void
}

/**
 * A dictionary for the column chunk when it at least halves the PLAIN size, as hyparquet-writer
 * decides: strings, and integers within a small range (looked up in an array, not a Map). `range`
 * is the lowest and highest defined number of a number column.
 */
export function buildDictionary(
  state: WriterState,
  column: Column,
  nulls: number,
  range: { low: number; high: number } | undefined,
): Dictionary | undefined {
  const { defined, numbers, items, physical, type } = column
  const count = defined.length
  const present = count - nulls
  if (present === 0) return undefined
  const indexes = state.indexes(present)
  const limit = Math.min(MAX_DICTIONARY, Math.ceil(present / 2))
  let plainBytes: number
  let dictionaryBytes: number
  let size: number
  let texts: string[] | undefined
  let writeValues: (out: Sink) => void
  if (items && type === 'string') {
    const index = new Map<string, number>()
    const distinct: string[] = []
    plainBytes = 0
    dictionaryBytes = 0
    let j = 0
    for (let i = 0; i < count; i++) {
      if (defined[i] === 0) continue
      const text = items[i] as string
      plainBytes += 4 + text.length
      let id = index.get(text)
      if (id === undefined) {
        if (distinct.length === limit) return undefined
        id = distinct.length
        index.set(text, id)
        distinct.push(text)
        dictionaryBytes += 4 + text.length
      }
      indexes[j++] = id
    }
    size = distinct.length
    texts = distinct
    writeValues = (out) => {
      for (const text of distinct) writeByteArray(out, text, column.name)
    }
  } else if (numbers && physical !== DOUBLE && range) {
    const { low, high } = range
    if (high - low >= MAX_DICTIONARY) return undefined
    const slot = new Int32Array(high - low + 1)
    const distinct: number[] = []
    let j = 0
    for (let i = 0; i < count; i++) {
      if (defined[i] === 0) continue
      const value = numbers[i]!
      let id = slot[value - low]! - 1
      if (id < 0) {
        if (distinct.length === limit) return undefined
        id = distinct.length
        slot[value - low] = id + 1
        distinct.push(value)
      }
      indexes[j++] = id
    }
    const width = physical === INT32 ? 4 : 8
    plainBytes = present * width
    dictionaryBytes = distinct.length * width
    size = distinct.length
    writeValues = (out) => {
      out.reserve(distinct.length * width)
      for (const value of distinct) {
        if (width === 4) out.view.setInt32(out.length, value, true)
        else setInt64(out.view, out.length, value)
        out.length += width
      }
    }
  } else {
    return undefined
  }
  const bitWidth = Math.max(1, Math.ceil(Math.log2(size)))
  if (2 * (dictionaryBytes + Math.ceil((present * bitWidth) / 8)) > plainBytes) return undefined
  return { size, bitWidth, indexes, texts, writeValues, seen: new Uint8Array(texts ? size : 0), distinct: new Int32Array(texts ? size : 0) }
}
