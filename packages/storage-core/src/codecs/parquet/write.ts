/**
 * A Parquet writer for our flat, typed tables. The logical schema is known before the first byte
 * and values arrive by column, numbers already in typed arrays (`ColumnValues`), so each column is
 * encoded by a loop for its one physical type: no per-value type detection, no bigint
 * conversions, no growing a writer byte by byte.
 *
 * Every column is OPTIONAL, with a LogicalType and the converted type beside it; pages are
 * DATA_PAGE_V2, PLAIN or RLE_DICTIONARY where a dictionary at least halves the column; every
 * column chunk has null counts and min/max statistics, a column index and an offset index; the
 * footer declares the type-defined order for every column, so readers trust the min/max.
 */
import type { ColumnValues, TableSchema } from '../schema.js'
import { columnChunk, columnSpec } from './columns.js'
import { writeFooter, type RowGroupMeta } from './footer.js'
import { CODECS, MAGIC } from './format.js'
import { writePageIndex } from './page-index.js'
import { writeChunk } from './pages.js'
import { Sink } from './sink.js'
import { WriterState } from './writer-state.js'

export interface ParquetWriteOptions {
  codec: keyof typeof CODECS
  rowGroupSize: number
  kvMetadata: { key: string; value: string }[]
  createdBy: string
}

/** Encodes `rowCount` rows, given by column in the order of `schema`, as one Parquet file. */
export function writeParquet(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetWriteOptions,
): Uint8Array {
  const state = new WriterState()
  const columns = schema.columns.map(({ name, type }) => columnSpec(name, type))
  // Like hyparquet-writer: no columns, no rows.
  const rows = columns.length > 0 ? rowCount : 0
  const codec = CODECS[options.codec]
  // Sized for about 4 bytes a value, which most files stay under, to spare regrowing copies.
  const file = new Sink(Math.max(1 << 16, rows * columns.length * 4))
  file.append(MAGIC)
  const groups: RowGroupMeta[] = []
  const groupSize = Math.max(1, Math.floor(options.rowGroupSize))
  for (let start = 0; start < rows; start += groupSize) {
    const end = Math.min(rows, start + groupSize)
    const chunks = columns.map((spec, j) => writeChunk(file, state, columnChunk(state, spec, values[j]!, start, end), codec))
    groups.push({ chunks, indexes: [], rows: end - start })
  }
  for (const group of groups) group.indexes = writePageIndex(file, group.chunks)
  const footerStart = file.length
  writeFooter(file, columns, rows, groups, { codec, kvMetadata: options.kvMetadata, createdBy: options.createdBy })
  const footerLength = file.length - footerStart
  file.reserve(8)
  file.view.setUint32(file.length, footerLength, true)
  file.length += 4
  file.append(MAGIC)
  return new Uint8Array(file.bytes.buffer, file.bytes.byteOffset, file.length)
}
