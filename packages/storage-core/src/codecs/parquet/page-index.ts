/**
 * The page index (ColumnIndex and OffsetIndex of every column chunk), written after the row groups:
 * readers use it to skip pages whose min/max rule out a filter, and to find a row's page.
 */
import { ASCENDING, BYTE_ARRAY, DESCENDING, UNORDERED } from './format.js'
import type { ChunkMeta } from './pages.js'
import type { Sink } from './sink.js'
import { type Bound, compareBounds, encodeBound } from './statistics.js'
import { Thrift } from './thrift-compact.js'

/** Where a chunk's indexes are in the file, for its ColumnChunk in the footer. */
export interface IndexLocation {
  columnIndexOffset?: number
  columnIndexLength?: number
  offsetIndexOffset: number
  offsetIndexLength: number
}

/** Writes the column indexes, then the offset indexes, of `chunks`; returns where each chunk's are. */
export function writePageIndex(file: Sink, chunks: readonly ChunkMeta[]): IndexLocation[] {
  const columnIndexes = chunks.map((chunk) => {
    const offset = file.length
    return writeColumnIndex(file, chunk) ? { offset, length: file.length - offset } : undefined
  })
  return chunks.map((chunk, i) => {
    const offset = file.length
    const t = new Thrift(file)
    t.body(() => {
      t.structs(1, chunk.pages, (page) => {
        t.long(1, page.offset)
        t.int(2, page.size)
        t.long(3, page.firstRow)
      })
    })
    const columnIndex = columnIndexes[i]
    return {
      columnIndexOffset: columnIndex?.offset,
      columnIndexLength: columnIndex?.length,
      offsetIndexOffset: offset,
      offsetIndexLength: file.length - offset,
    }
  })
}

/**
 * A chunk's ColumnIndex, unless a page with values has no min or max the index can hold (only
 * NaN, or no upper bound within the truncation length): the index needs both for every page.
 */
function writeColumnIndex(file: Sink, chunk: ChunkMeta): boolean {
  const { column, pages } = chunk
  const nullPages: boolean[] = []
  const mins: Uint8Array[] = []
  const maxes: Uint8Array[] = []
  let ascending = true
  let descending = true
  let previous: { min: Bound; max: Bound } | undefined
  for (const page of pages) {
    const nullPage = page.nulls === page.rows
    nullPages.push(nullPage)
    if (nullPage) {
      mins.push(EMPTY)
      maxes.push(EMPTY)
      continue
    }
    if (page.bounds === undefined) return false
    const min = encodeBound(column, page.bounds.low, false)
    const max = encodeBound(column, page.bounds.high, true)
    if (min === undefined || max === undefined) return false
    mins.push(min.bytes)
    maxes.push(max.bytes)
    // Ordered as readers see the bounds: byte arrays as written (perhaps truncated).
    const text = column.physical === BYTE_ARRAY
    const current = { min: text ? min.bytes : page.bounds.low, max: text ? max.bytes : page.bounds.high }
    if (previous) {
      const byMin = compareBounds(previous.min, current.min)
      const byMax = compareBounds(previous.max, current.max)
      if (byMin > 0 || byMax > 0) ascending = false
      if (byMin < 0 || byMax < 0) descending = false
    }
    previous = current
  }
  const t = new Thrift(file)
  t.body(() => {
    t.bools(1, nullPages)
    t.binaries(2, mins)
    t.binaries(3, maxes)
    t.int(4, ascending ? ASCENDING : descending ? DESCENDING : UNORDERED)
    t.longs(5, pages.map((page) => page.nulls))
  })
  return true
}

const EMPTY = new Uint8Array(0)
