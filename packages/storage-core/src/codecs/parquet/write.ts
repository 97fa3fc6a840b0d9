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
import { type ColumnValues, recycleBytes } from '../column-values.js'
import type { TableSchema } from '../schema.js'
import { type ChunkPlacement, chunkJob, encodeJobColumn, isShared } from './chunk-job.js'
import { encodeElsewhere } from './chunk-pool.js'
import { type Column, type ColumnSpec, columnChunk, columnSpec } from './columns.js'
import { writeFooter, type RowGroupMeta } from './footer.js'
import { CODECS, MAGIC } from './format.js'
import { writePageIndex } from './page-index.js'
import { type ChunkMeta, writeChunk } from './pages.js'
import { Sink } from './sink.js'
import { type Bound, type Bounds, mergeBounds } from './statistics.js'
import { ONE_SHOT_STATE, WriterState } from './writer-state.js'

/** A column over every row group written: its nulls, and its least and greatest value (NaN left out). */
export interface ColumnSummary {
  nulls: number
  bounds: Bounds | undefined
}

export interface ParquetWriteOptions {
  codec: keyof typeof CODECS
  rowGroupSize: number
  kvMetadata: { key: string; value: string }[]
  createdBy: string
}

/** What a file's writer needs besides the rows: `rowGroupSize` is the one-shot writer's to cut by. */
export type ParquetWriterOptions = Omit<ParquetWriteOptions, 'rowGroupSize'>

/**
 * A Parquet file written a row group at a time. Each group's column chunks go to `output` as soon
 * as they are encoded; the writer keeps only what the page index and footer need (offsets, counts,
 * page bounds), which `finish` writes. Memory is one row group's, however many groups the file has.
 *
 * `output` gets a view of the writer's buffer, valid until it returns: it copies or consumes it.
 * Without `output` the whole file stays in the buffer, which `written` gives once finished.
 */
export class ParquetWriter {
  private readonly columns: ColumnSpec[]
  private readonly codec: number
  private readonly groups: RowGroupMeta[] = []
  /** Per column in schema order; read by `summaries`. */
  private readonly summary: ColumnSummary[]
  private rows = 0
  /** Encoded bytes not yet given to `output`; offsets in it are relative to `flushed`. */
  private readonly buffer: Sink
  private flushed = 0
  private finished = false

  constructor(
    schema: TableSchema,
    private readonly options: ParquetWriterOptions,
    private readonly output: ((bytes: Uint8Array) => void) | undefined,
    capacity = 1 << 16,
    /** Scratch of its own unless given one no other writer uses meanwhile. */
    private readonly state = new WriterState(),
  ) {
    this.columns = schema.columns.map(({ name, type }) => columnSpec(name, type))
    this.codec = CODECS[options.codec]
    this.summary = this.columns.map(() => ({ nulls: 0, bounds: undefined }))
    this.buffer = new Sink(capacity)
    this.buffer.append(MAGIC)
  }

  /** Each column's nulls and bounds over the rows written so far, in schema order. */
  get summaries(): readonly ColumnSummary[] {
    return this.summary
  }

  /** Bytes given to `output` so far. */
  get bytesWritten(): number {
    return this.flushed
  }

  /**
   * Encodes rows [start, start + rowCount) of `values` (by column, in the order of the schema) as
   * one row group. A group of no rows is no group; with no columns, there are no rows.
   */
  writeRowGroup(values: readonly ColumnValues[], rowCount: number, start = 0): void {
    if (this.finished) throw new Error('parquet writer is finished')
    if (rowCount <= 0 || this.columns.length === 0) return
    const end = start + rowCount
    const file = this.buffer
    const chunks = this.columns.map((spec, j) => writeChunk(file, this.state, columnChunk(this.state, spec, values[j]!, start, end), this.codec))
    this.addGroup(chunks, rowCount)
  }

  /**
   * `writeRowGroup`, with the number columns encoded on the worker thread meanwhile, when one runs
   * (the rest here, into a buffer of their own). The chunks land in the file in schema order.
   * `values` must stay unchanged until this has returned: the worker reads them in place.
   */
  async writeRowGroupElsewhere(values: readonly ColumnValues[], rowCount: number, start = 0): Promise<void> {
    if (this.finished) throw new Error('parquet writer is finished')
    if (rowCount <= 0 || this.columns.length === 0) return
    const end = start + rowCount
    const remote = this.columns.flatMap((spec, j) => (encodesElsewhere(spec, values[j]!) ? [j] : []))
    if (remote.length === 0) return this.writeRowGroup(values, rowCount, start)
    const job = chunkJob(this.codec, this.columns, values, remote, start, end)
    const elsewhere = encodeElsewhere(job)
    // This thread's share goes into a buffer of its own while the worker encodes.
    const here = new Sink(1 << 14)
    const local = this.columns.map((spec, j) =>
      remote.includes(j) ? undefined : writeChunk(here, this.state, columnChunk(this.state, spec, values[j]!, start, end), this.codec),
    )
    // Without the worker's chunks (no worker runs here, or it could not encode them), the job is encoded here.
    const theirs = await elsewhere
    const placements = theirs?.chunks ?? remote.map((_, k) => encodeJobColumn(this.state, job, k, here))
    if (this.finished) throw new Error('parquet writer is finished')
    const file = this.buffer
    const chunks = this.columns.map((spec, j) => {
      const k = remote.indexOf(j)
      const source = k >= 0 && theirs ? job.output : here.bytes
      const placement: ChunkPlacement = k >= 0 ? placements[k]! : local[j]!
      return place(file, source, { ...placement, column: withoutValues(spec) })
    })
    // Placed in the file: the worker is done with the job.
    recycleBytes(job.output)
    this.addGroup(chunks, rowCount)
  }

  private addGroup(chunks: ChunkMeta[], rowCount: number): void {
    for (const [j, chunk] of chunks.entries()) {
      keepMeta(chunk, this.flushed)
      const summary = this.summary[j]!
      summary.nulls += chunk.nulls
      summary.bounds = mergeBounds(summary.bounds, chunk.bounds)
    }
    this.groups.push({ chunks, indexes: [], rows: rowCount })
    this.rows += rowCount
    this.flush()
  }

  /** Writes the page indexes and the footer: the file is complete. */
  finish(): void {
    if (this.finished) return
    this.finished = true
    const file = this.buffer
    // Everything before is flushed: offsets in the buffer are relative to `flushed`.
    const base = this.flushed
    for (const group of this.groups) {
      group.indexes = writePageIndex(file, group.chunks).map((index) => ({
        columnIndexOffset: index.columnIndexOffset === undefined ? undefined : index.columnIndexOffset + base,
        columnIndexLength: index.columnIndexLength,
        offsetIndexOffset: index.offsetIndexOffset + base,
        offsetIndexLength: index.offsetIndexLength,
      }))
    }
    const footerStart = file.length
    writeFooter(file, this.columns, this.rows, this.groups, {
      codec: this.codec,
      kvMetadata: this.options.kvMetadata,
      createdBy: this.options.createdBy,
    })
    const footerLength = file.length - footerStart
    file.reserve(8)
    file.view.setUint32(file.length, footerLength, true)
    file.length += 4
    file.append(MAGIC)
    this.flush()
  }

  /** The whole file, for a writer without `output`, once `finish` has run. */
  written(): Uint8Array {
    if (this.output || !this.finished) throw new Error('only a finished writer without output holds its file')
    // A plain Uint8Array, not the Buffer: a Buffer's `slice` is a view, a Uint8Array's a copy.
    const { bytes, length } = this.buffer
    return new Uint8Array(bytes.buffer, bytes.byteOffset, length)
  }

  private flush(): void {
    if (this.buffer.length === 0 || !this.output) return
    this.output(this.buffer.written())
    this.flushed += this.buffer.length
    this.buffer.length = 0
  }
}

/**
 * Number columns in shared memory (all but the smallest), except bigints beyond ±2^53 (kept as
 * bigints), can be encoded on the worker.
 */
function encodesElsewhere(spec: ColumnSpec, values: ColumnValues): boolean {
  return isShared(values) && !(spec.type === 'bigint' && values.wide)
}

/** Copies a chunk encoded into `source` (at its placement's offsets) to the end of `file`: its metadata, placed there. */
function place(file: Sink, source: Uint8Array, chunk: ChunkMeta): ChunkMeta {
  const shift = file.length - chunk.offset
  file.append(source.subarray(chunk.offset, chunk.offset + chunk.compressed))
  chunk.offset += shift
  chunk.dataOffset += shift
  if (chunk.dictionaryOffset !== undefined) chunk.dictionaryOffset += shift
  for (const page of chunk.pages) page.offset += shift
  return chunk
}

/** A column of no rows: what a chunk keeps of its column once written (see `keepMeta`). */
function withoutValues({ name, type, physical, converted, logical }: ColumnSpec): Column {
  return { name, type, physical, converted, logical, defined: NO_ROWS, numbers: undefined, bigints: undefined, booleans: undefined, items: undefined }
}

/**
 * Makes a written chunk's metadata what the footer and page index need once its rows are gone:
 * offsets made absolute (the chunk was written at `base` in the file), the column without its
 * values, and bounds that hold no part of the input (a sliced string keeps its whole parent).
 */
function keepMeta(chunk: ChunkMeta, base: number): void {
  chunk.offset += base
  chunk.dataOffset += base
  if (chunk.dictionaryOffset !== undefined) chunk.dictionaryOffset += base
  for (const page of chunk.pages) {
    page.offset += base
    page.bounds = ownBounds(page.bounds)
  }
  chunk.bounds = ownBounds(chunk.bounds)
  chunk.column = withoutValues(chunk.column)
}

function ownBounds(bounds: Bounds | undefined): Bounds | undefined {
  return bounds && { low: ownBound(bounds.low), high: ownBound(bounds.high) }
}

function ownBound(bound: Bound): Bound {
  if (typeof bound === 'string') return Buffer.from(bound, 'utf8').toString('utf8')
  if (bound instanceof Uint8Array) return bound.slice()
  return bound
}

const NO_ROWS = new Uint8Array(0)

/** An encoded file, and its columns' nulls and bounds (what table statistics are made of). */
export interface EncodedParquet {
  bytes: Uint8Array
  columns: readonly ColumnSummary[]
}

/** Encodes `rowCount` rows, given by column in the order of `schema`, as one Parquet file. */
export function writeParquet(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetWriteOptions,
): EncodedParquet {
  const { writer, rows, groupSize } = oneShotWriter(rowCount, schema, options)
  for (let start = 0; start < rows; start += groupSize) writer.writeRowGroup(values, Math.min(rows, start + groupSize) - start, start)
  writer.finish()
  return { bytes: writer.written(), columns: writer.summaries }
}

/**
 * `writeParquet` with the number columns encoded on the worker thread while this one encodes the
 * rest (and, awaiting, reads the next file's records). `values` must stay unchanged until done.
 */
export async function writeParquetElsewhere(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetWriteOptions,
): Promise<EncodedParquet> {
  const { writer, rows, groupSize } = oneShotWriter(rowCount, schema, options)
  for (let start = 0; start < rows; start += groupSize) await writer.writeRowGroupElsewhere(values, Math.min(rows, start + groupSize) - start, start)
  writer.finish()
  return { bytes: writer.written(), columns: writer.summaries }
}

function oneShotWriter(rowCount: number, schema: TableSchema, options: ParquetWriteOptions) {
  const rows = schema.columns.length > 0 ? rowCount : 0
  const groupSize = Math.max(1, Math.floor(options.rowGroupSize))
  // Encoded into the writer's own buffer, sized for about 4 bytes a value (which most files stay
  // under, to spare regrowing copies), with the scratch shared by files encoded at once.
  const writer = new ParquetWriter(schema, options, undefined, Math.max(1 << 16, rows * schema.columns.length * 4), ONE_SHOT_STATE)
  return { writer, rows, groupSize }
}
