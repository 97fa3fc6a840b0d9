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
import type { ColumnValues } from '../column-values.js'
import type { TableSchema } from '../schema.js'
import { type ColumnSpec, columnChunk, columnSpec } from './columns.js'
import type { EncoderThread } from './encoder-thread.js'
import { writeFooter, type RowGroupMeta } from './footer.js'
import { CODECS, MAGIC } from './format.js'
import { writePageIndex } from './page-index.js'
import { type ChunkMeta, writeChunk } from './pages.js'
import { Sink } from './sink.js'
import { type Bound, type Bounds, mergeBounds } from './statistics.js'
import { WriterState } from './writer-state.js'

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
 */
export class ParquetWriter {
  private readonly state = new WriterState()
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
  /** A row group is being encoded on two threads. */
  private busy = false
  /** This thread's chunks of a group shared with another thread, before they are laid out. */
  private readonly scratch = new Sink(1 << 10)

  constructor(
    schema: TableSchema,
    private readonly options: ParquetWriterOptions,
    private readonly output: (bytes: Uint8Array) => void,
    capacity = 1 << 16,
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
    if (!this.takesGroup(rowCount)) return
    const chunks = encodeChunks(this.buffer, this.state, this.columns, values, start, start + rowCount, this.codec)
    this.addGroup(chunks, rowCount)
  }

  /**
   * `writeRowGroup`, with the columns `thread` takes encoded there while this thread encodes the
   * rest. The chunks are laid out in schema order, as a writer on one thread lays them out, so
   * the file is byte for byte the same.
   */
  async writeRowGroupOnTwoThreads(values: readonly ColumnValues[], rowCount: number, start: number, thread: EncoderThread): Promise<void> {
    if (!this.takesGroup(rowCount)) return
    const end = start + rowCount
    const away = thread.take(this.columns, values, start, end, this.codec)
    if (away === undefined) return this.writeRowGroup(values, rowCount, start)
    this.busy = true
    try {
      const here = this.columns.flatMap((_, j) => (away.columns.includes(j) ? [] : [j]))
      const scratch = this.scratch
      scratch.length = 0
      const ours = encodeChunks(scratch, this.state, here.map((j) => this.columns[j]!), here.map((j) => values[j]!), start, end, this.codec)
      let theirs: EncodedChunks
      try {
        theirs = await away.encoded
      } catch {
        // The thread failed or stopped: its columns are encoded here (their values are still ours).
        const sink = new Sink()
        const chunks = encodeChunks(sink, this.state, away.columns.map((j) => this.columns[j]!), away.columns.map((j) => values[j]!), start, end, this.codec)
        theirs = { bytes: sink.written(), chunks }
      }
      const chunks: ChunkMeta[] = []
      for (let j = 0; j < this.columns.length; j++) {
        const at = away.columns.indexOf(j)
        const chunk = at === -1 ? ours[here.indexOf(j)]! : theirs.chunks[at]!
        const from = at === -1 ? scratch.bytes : theirs.bytes
        const offset = this.buffer.length
        this.buffer.append(from.subarray(chunk.offset, chunk.offset + chunk.compressed))
        moveChunk(chunk, offset - chunk.offset)
        chunks.push(chunk)
      }
      this.addGroup(chunks, rowCount)
    } finally {
      // Not before the thread is done with this job, even when this side failed.
      await away.encoded.catch(() => undefined)
      away.release()
      this.busy = false
    }
  }

  private takesGroup(rowCount: number): boolean {
    if (this.finished) throw new Error('parquet writer is finished')
    if (this.busy) throw new Error('parquet writer is encoding a row group')
    return rowCount > 0 && this.columns.length > 0
  }

  /** Adds a row group whose chunks are in the buffer (offsets relative to it), then flushes. */
  private addGroup(chunks: ChunkMeta[], rowCount: number): void {
    for (const [j, chunk] of chunks.entries()) {
      moveChunk(chunk, this.flushed)
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
    if (this.busy) throw new Error('parquet writer is encoding a row group')
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

  private flush(): void {
    if (this.buffer.length === 0) return
    this.output(this.buffer.written())
    this.flushed += this.buffer.length
    this.buffer.length = 0
  }
}

/**
 * Encodes rows [start, end) of `values` (one per spec) into `file`, a chunk after another. Each
 * chunk's metadata is kept as the footer and page index need it once the rows are gone (offsets
 * relative to `file`): the column without its values, and bounds that hold no part of the input
 * (a sliced string keeps its whole parent). What a second thread runs too.
 */
export function encodeChunks(
  file: Sink,
  state: WriterState,
  specs: readonly ColumnSpec[],
  values: readonly ColumnValues[],
  start: number,
  end: number,
  codec: number,
): ChunkMeta[] {
  return specs.map((spec, j) => {
    const chunk = writeChunk(file, state, columnChunk(state, spec, values[j]!, start, end), codec)
    for (const page of chunk.pages) page.bounds = ownBounds(page.bounds)
    chunk.bounds = ownBounds(chunk.bounds)
    const { name, type, physical, converted, logical } = chunk.column
    chunk.column = { name, type, physical, converted, logical, defined: NO_ROWS, numbers: undefined, bigints: undefined, booleans: undefined, items: undefined }
    return chunk
  })
}

/** Column chunks encoded into a buffer of their own (offsets relative to its start). */
export interface EncodedChunks {
  bytes: Uint8Array
  chunks: ChunkMeta[]
}

/** Shifts a chunk's offsets by `by` bytes: it was moved there in the file. */
function moveChunk(chunk: ChunkMeta, by: number): void {
  chunk.offset += by
  chunk.dataOffset += by
  if (chunk.dictionaryOffset !== undefined) chunk.dictionaryOffset += by
  for (const page of chunk.pages) page.offset += by
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
  const file = new FileBuffer(rowCount, schema, options)
  for (const [start, rows] of file.groups) file.writer.writeRowGroup(values, rows, start)
  return file.finish()
}

/**
 * `writeParquet`, with number columns encoded on `thread` while this thread encodes the rest:
 * the same bytes, sooner when the file is large enough to share.
 */
export async function writeParquetOnTwoThreads(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetWriteOptions,
  thread: EncoderThread,
): Promise<EncodedParquet> {
  const file = new FileBuffer(rowCount, schema, options)
  for (const [start, rows] of file.groups) await file.writer.writeRowGroupOnTwoThreads(values, rows, start, thread)
  return file.finish()
}

/** A whole file's buffer and its writer, for files encoded at once. */
class FileBuffer {
  readonly writer: ParquetWriter
  /** Each row group's first row and row count. */
  readonly groups: [number, number][] = []
  private readonly file: Sink

  constructor(rowCount: number, schema: TableSchema, options: ParquetWriteOptions) {
    const rows = schema.columns.length > 0 ? rowCount : 0
    const width = schema.columns.length
    // Sized for about 4 bytes a value, which most files stay under, to spare regrowing copies.
    this.file = new Sink(Math.max(1 << 16, rows * width * 4))
    const groupSize = Math.max(1, Math.floor(options.rowGroupSize))
    this.writer = new ParquetWriter(schema, options, (bytes) => this.file.append(bytes), Math.max(1 << 16, Math.min(rows, groupSize) * width * 4))
    for (let start = 0; start < rows; start += groupSize) this.groups.push([start, Math.min(rows, start + groupSize) - start])
  }

  finish(): EncodedParquet {
    this.writer.finish()
    const { file } = this
    return { bytes: new Uint8Array(file.bytes.buffer, file.bytes.byteOffset, file.length), columns: this.writer.summaries }
  }
}
