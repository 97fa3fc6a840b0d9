import type { Column } from './columns.js'
import { type Dictionary, buildDictionary } from './dictionary.js'
import { DATA_PAGE_V2, DICTIONARY_PAGE, PLAIN, RLE, RLE_DICTIONARY } from './format.js'
import { writePlain } from './plain.js'
import { writeHybrid, writeLevels } from './rle.js'
import type { Sink } from './sink.js'
import { type Bounds, mergeBounds, numberBounds, valueBounds } from './statistics.js'
import { Thrift } from './thrift-compact.js'
import type { WriterState } from './writer-state.js'

/** Pages are cut near this many value bytes, as hyparquet-writer and most writers do. */
const PAGE_BYTES = 1 << 20
/**
 * ... and at this many rows (parquet-mr and parquet-rs cut at 20,000): a reader holds a page per
 * column at a time, so small pages keep a scan's memory flat however large its row groups are.
 */
export const PAGE_ROWS = 4096

/** A data page, as the page index describes it. */
export interface PageEntry {
  offset: number
  /** Header and body. */
  size: number
  firstRow: number
  nulls: number
  rows: number
  bounds: Bounds | undefined
}

/** A written column chunk, as the footer and the page index describe it. */
export interface ChunkMeta {
  column: Column
  offset: number
  dictionaryOffset?: number
  dataOffset: number
  uncompressed: number
  compressed: number
  encodings: number[]
  nulls: number
  values: number
  bounds: Bounds | undefined
  pages: PageEntry[]
}

/** Writes a column chunk: an optional dictionary page, then data pages. */
export function writeChunk(file: Sink, state: WriterState, column: Column, codec: number): ChunkMeta {
  const { defined } = column
  const rows = defined.length
  let nulls = 0
  for (let i = 0; i < rows; i++) nulls += defined[i]! ^ 1
  const chunk: ChunkMeta = {
    column,
    offset: file.length,
    dataOffset: file.length,
    uncompressed: 0,
    compressed: 0,
    encodings: [PLAIN, RLE],
    nulls,
    values: rows,
    bounds: undefined,
    pages: [],
  }
  // Number pages are PAGE_ROWS long whatever their encoding, so their bounds are found up front:
  // the chunk's range decides on a dictionary.
  const numberPages: ({ low: number; high: number } | undefined)[] = []
  let range: { low: number; high: number } | undefined
  if (column.numbers && nulls < rows) {
    for (let from = 0; from < rows; from += PAGE_ROWS) {
      const page = numberBounds(column, from, Math.min(rows, from + PAGE_ROWS))
      numberPages.push(page)
      range = mergeBounds(range, page) as typeof range
    }
  }
  const dictionary = buildDictionary(state, column, nulls, range)
  if (dictionary) {
    chunk.dictionaryOffset = file.length
    state.values.length = 0
    dictionary.writeValues(state.values)
    writePage(file, state, chunk, codec, DICTIONARY_PAGE, dictionary.size, 0, PLAIN)
    chunk.dataOffset = file.length
    chunk.encodings = [PLAIN, RLE, RLE_DICTIONARY]
  }
  let index = 0 // of the page's first defined value in the dictionary's indexes
  for (let from = 0; from < rows; ) {
    const to = pageEnd(column, dictionary, from, rows)
    let pageNulls = 0
    // Most columns have no nulls at all: then no page has any either.
    if (nulls > 0) for (let i = from; i < to; i++) pageNulls += defined[i]! ^ 1
    const present = to - from - pageNulls
    const indexes = dictionary ? dictionary.indexes.subarray(index, index + present) : NO_INDEXES
    const bounds = column.numbers ? numberPages[from / PAGE_ROWS] : valueBounds(column, from, to, dictionary, indexes)
    state.levels.length = 0
    writeLevels(state.levels, defined, from, to, pageNulls)
    state.values.length = 0
    if (dictionary) {
      state.values.byte(dictionary.bitWidth)
      writeHybrid(state.values, indexes, dictionary.bitWidth)
      index += present
    } else {
      writePlain(state.values, column, from, to)
    }
    const offset = file.length
    writePage(file, state, chunk, codec, DATA_PAGE_V2, to - from, pageNulls, dictionary ? RLE_DICTIONARY : PLAIN)
    chunk.pages.push({ offset, size: file.length - offset, firstRow: from, nulls: pageNulls, rows: to - from, bounds })
    chunk.bounds = mergeBounds(chunk.bounds, bounds)
    from = to
  }
  return chunk
}

const NO_INDEXES = new Int32Array(0)

/**
 * The end of the page starting at `from`: PAGE_ROWS rows, or for PLAIN byte arrays fewer, about
 * PAGE_BYTES of values.
 */
function pageEnd(column: Column, dictionary: Dictionary | undefined, from: number, end: number): number {
  const { items, defined } = column
  const last = Math.min(end, from + PAGE_ROWS)
  if (items === undefined || dictionary) return last
  let bytes = 0
  for (let i = from; i < last; i++) {
    if (defined[i] === 1) bytes += 4 + (items[i] as string | Uint8Array).length
    if (bytes >= PAGE_BYTES) return i + 1
  }
  return last
}

/** Writes a page header, the levels from `state.levels` and the (compressed) values from `state.values`. */
function writePage(
  file: Sink,
  state: WriterState,
  chunk: ChunkMeta,
  codec: number,
  type: number,
  values: number,
  nulls: number,
  encoding: number,
): void {
  const raw = state.values.written()
  const levelBytes = type === DICTIONARY_PAGE ? 0 : state.levels.length
  const body = state.compress(codec, raw)
  const start = file.length
  const t = new Thrift(file)
  t.body(() => {
    t.int(1, type)
    t.int(2, levelBytes + raw.length)
    t.int(3, levelBytes + body.length)
    if (type === DICTIONARY_PAGE) {
      t.struct(7, () => {
        t.int(1, values)
        t.int(2, PLAIN)
      })
    } else {
      t.struct(8, () => {
        t.int(1, values)
        t.int(2, nulls)
        t.int(3, values)
        t.int(4, encoding)
        t.int(5, levelBytes)
        t.int(6, 0)
      })
    }
  })
  const header = file.length - start
  if (levelBytes > 0) file.append(state.levels.written())
  file.append(body)
  chunk.uncompressed += header + levelBytes + raw.length
  chunk.compressed += file.length - start
}
