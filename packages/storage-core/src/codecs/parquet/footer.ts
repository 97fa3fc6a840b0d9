/** The file's metadata (FileMetaData in parquet.thrift), written after the page index. */
import { type ColumnSpec, LOGICAL_INTEGER, LOGICAL_TIMESTAMP } from './columns.js'
import { INT32, OPTIONAL } from './format.js'
import type { IndexLocation } from './page-index.js'
import type { ChunkMeta } from './pages.js'
import type { Sink } from './sink.js'
import { encodeBound } from './statistics.js'
import { Thrift } from './thrift-compact.js'

export interface RowGroupMeta {
  chunks: ChunkMeta[]
  indexes: IndexLocation[]
  rows: number
}

export interface FooterOptions {
  codec: number
  kvMetadata: readonly { key: string; value: string }[]
  createdBy: string
}

export function writeFooter(file: Sink, columns: readonly ColumnSpec[], rows: number, groups: readonly RowGroupMeta[], options: FooterOptions): void {
  const t = new Thrift(file)
  t.body(() => {
    t.int(1, 2)
    // The schema is a flat list: the root, then one element per column.
    t.structs(2, [undefined, ...columns], (c) => {
      if (c === undefined) {
        t.binary(4, 'root')
        t.int(5, columns.length)
        return
      }
      t.int(1, c.physical)
      t.int(3, OPTIONAL)
      t.binary(4, c.name)
      t.int(6, c.converted)
      if (c.logical !== undefined) t.struct(10, () => writeLogicalType(t, c))
    })
    t.long(3, rows)
    t.structs(4, groups, (g) => {
      t.structs(1, g.chunks.map((chunk, j) => ({ chunk, index: g.indexes[j]! })), ({ chunk, index }) => {
        t.long(2, chunk.offset)
        t.struct(3, () => writeColumnMetaData(t, chunk, options.codec))
        t.long(4, index.offsetIndexOffset)
        t.int(5, index.offsetIndexLength)
        t.long(6, index.columnIndexOffset)
        t.int(7, index.columnIndexLength)
      })
      t.long(2, g.chunks.reduce((sum, c) => sum + c.uncompressed, 0))
      t.long(3, g.rows)
      t.long(6, g.chunks.reduce((sum, c) => sum + c.compressed, 0))
    })
    if (options.kvMetadata.length > 0) {
      t.structs(5, options.kvMetadata, (kv) => {
        t.binary(1, kv.key)
        t.binary(2, kv.value)
      })
    }
    t.binary(6, options.createdBy)
    // TypeDefinedOrder for every column: without it, readers such as parquet-cpp ignore min/max.
    t.structs(7, columns, () => t.empty(1))
  })
}

/** The LogicalType union: its member for the column, with that member's fields. */
function writeLogicalType(t: Thrift, c: ColumnSpec): void {
  if (c.logical === LOGICAL_TIMESTAMP) {
    t.struct(LOGICAL_TIMESTAMP, () => {
      t.bool(1, true) // isAdjustedToUTC: instants, as JS Dates are
      t.struct(2, () => t.empty(1)) // unit: MILLIS
    })
  } else if (c.logical === LOGICAL_INTEGER) {
    t.struct(LOGICAL_INTEGER, () => {
      t.i8(1, c.physical === INT32 ? 32 : 64)
      t.bool(2, true)
    })
  } else {
    t.empty(c.logical!)
  }
}

function writeColumnMetaData(t: Thrift, chunk: ChunkMeta, codec: number): void {
  const { column } = chunk
  t.int(1, column.physical)
  t.ints(2, chunk.encodings)
  t.binaries(3, [column.name])
  t.int(4, codec)
  t.long(5, chunk.values)
  t.long(6, chunk.uncompressed)
  t.long(7, chunk.compressed)
  t.long(9, chunk.dataOffset)
  t.long(11, chunk.dictionaryOffset)
  const min = chunk.bounds && encodeBound(column, chunk.bounds.low, false)
  const max = chunk.bounds && encodeBound(column, chunk.bounds.high, true)
  t.struct(12, () => {
    t.long(3, chunk.nulls)
    t.binary(5, max?.bytes)
    t.binary(6, min?.bytes)
    t.bool(7, max?.exact)
    t.bool(8, min?.exact)
  })
}
