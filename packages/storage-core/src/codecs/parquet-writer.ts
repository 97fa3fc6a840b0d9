/**
 * A Parquet writer for our flat, typed tables. The logical schema is known before the first byte
 * and values arrive by column, numbers already in typed arrays (`ColumnValues`), so each column is
 * encoded by a loop for its one physical type: no per-value type detection, no bigint
 * conversions, no growing a writer byte by byte.
 *
 * The layout is what hyparquet-writer produced for the same schema, so files written before and
 * after read alike: every column OPTIONAL, DATA_PAGE_V2 pages, PLAIN values or RLE_DICTIONARY
 * where a dictionary at least halves the column, null counts and (but for JSON, binary and long
 * strings) min/max statistics per column chunk.
 */
import { snappyCompressor } from 'hysnappy'
import { isWellFormedText } from '../keys.js'
import { type ColumnType, type ColumnValues, checkText, columnValues, setValue, type TableSchema } from './schema.js'

// Numbers from parquet.thrift.
const BOOLEAN = 0
const INT32 = 1
const INT64 = 2
const DOUBLE = 5
const BYTE_ARRAY = 6
const UTF8 = 0
const TIMESTAMP_MILLIS = 9
const JSON_TEXT = 19
const OPTIONAL = 1
const PLAIN = 0
const RLE = 3
const RLE_DICTIONARY = 8
const DICTIONARY_PAGE = 2
const DATA_PAGE_V2 = 3
const CODECS = { UNCOMPRESSED: 0, SNAPPY: 1 } as const

/** Pages are cut near this many value bytes, as hyparquet-writer and most writers do. */
const PAGE_BYTES = 1 << 20
/**
 * ... and at this many rows (parquet-mr and parquet-rs cut at 20,000): a reader holds a page per
 * column at a time, so small pages keep a scan's memory flat however large its row groups are.
 */
export const PAGE_ROWS = 4096
/** Byte-array min/max longer than this are left out of the statistics rather than bloat the footer. */
const MAX_STATISTIC_BYTES = 64
/** Dictionaries are capped so that their indexes stay 16 bits wide. */
const MAX_DICTIONARY = 1 << 16
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const TWO_32 = 2 ** 32

export interface ParquetWriteOptions {
  codec: keyof typeof CODECS
  rowGroupSize: number
  kvMetadata: { key: string; value: string }[]
  createdBy: string
}

/** An auto-growing byte buffer. */
class Sink {
  bytes: Buffer
  view: DataView
  length = 0

  constructor(capacity = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(capacity)
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length)
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < this.length + extra) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.bytes.copy(next, 0, 0, this.length)
    this.bytes = next
    this.view = new DataView(next.buffer, next.byteOffset, next.length)
  }

  byte(value: number): void {
    this.reserve(1)
    this.bytes[this.length++] = value
  }

  /** Unsigned varint of a safe integer (file offsets may pass 2^32). */
  varint(value: number): void {
    this.reserve(10)
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80
      value = Math.floor(value / 0x80)
    }
    this.bytes[this.length++] = value
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }

  /**
   * A UTF-8 string: ASCII by a plain loop (most text), the rest by Buffer's encoder, which would
   * turn a lone surrogate into U+FFFD: such text is refused (-1) instead.
   */
  utf8(text: string): number {
    this.reserve(text.length * 3)
    const bytes = this.bytes
    const start = this.length
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code >= 0x80) {
        if (!isWellFormedText(text)) return -1
        this.length = start + i + bytes.write(text.slice(i), start + i, 'utf8')
        return this.length - start
      }
      bytes[start + i] = code
    }
    this.length = start + text.length
    return text.length
  }

  written(from = 0): Uint8Array {
    return this.bytes.subarray(from, this.length)
  }
}

// Thrift compact protocol: field types and a writer that tracks field-id deltas per struct.
const T_TRUE = 1
const T_FALSE = 2
const T_I32 = 5
const T_I64 = 6
const T_BINARY = 8
const T_LIST = 9
const T_STRUCT = 12

class Thrift {
  private last = 0
  private readonly outer: number[] = []
  constructor(private readonly out: Sink) {}

  private field(id: number, type: number): void {
    const delta = id - this.last
    if (delta > 0 && delta <= 15) {
      this.out.byte((delta << 4) | type)
    } else {
      this.out.byte(type)
      this.zigzag(id)
    }
    this.last = id
  }

  private zigzag(value: number): void {
    this.out.varint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  int(id: number, value: number | undefined, type = T_I32): void {
    if (value === undefined) return
    this.field(id, type)
    this.zigzag(value)
  }

  long(id: number, value: number | undefined): void {
    this.int(id, value, T_I64)
  }

  bool(id: number, value: boolean): void {
    this.field(id, value ? T_TRUE : T_FALSE)
  }

  binary(id: number, value: Uint8Array | string | undefined): void {
    if (value === undefined) return
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    this.field(id, T_BINARY)
    this.out.varint(bytes.length)
    this.out.append(bytes)
  }

  ints(id: number, values: readonly number[]): void {
    this.listHeader(id, T_I32, values.length)
    for (const value of values) this.zigzag(value)
  }

  strings(id: number, values: readonly string[]): void {
    this.listHeader(id, T_BINARY, values.length)
    for (const value of values) {
      const bytes = Buffer.from(value, 'utf8')
      this.out.varint(bytes.length)
      this.out.append(bytes)
    }
  }

  struct(id: number, body: () => void): void {
    this.field(id, T_STRUCT)
    this.body(body)
  }

  structs<T>(id: number, items: readonly T[], body: (item: T) => void): void {
    this.listHeader(id, T_STRUCT, items.length)
    for (const item of items) this.body(() => body(item))
  }

  /** A struct's fields and its stop byte; also a whole top-level message. */
  body(fields: () => void): void {
    this.outer.push(this.last)
    this.last = 0
    fields()
    this.out.byte(0)
    this.last = this.outer.pop()!
  }

  private listHeader(id: number, type: number, size: number): void {
    this.field(id, T_LIST)
    if (size < 15) {
      this.out.byte((size << 4) | type)
    } else {
      this.out.byte(0xf0 | type)
      this.out.varint(size)
    }
  }
}

/** What a column is in the file, the same in every row group. */
interface ColumnSpec {
  name: string
  type: ColumnType
  physical: number
  converted?: number
  /** Whether min/max statistics are kept (not for JSON or binary, which no filter orders). */
  ordered: boolean
}

/** A row group's rows of a column, in the arrays its physical type encodes from. */
interface Column extends ColumnSpec {
  /** 1 where the row has a value. */
  defined: Uint8Array
  /** int, float and timestamp (as epoch ms) values. */
  numbers?: Float64Array
  bigints?: BigInt64Array
  booleans?: Uint8Array
  /** string and json (as JSON text) values; binary values as bytes. */
  items?: unknown[]
}

/** Records' values by column in the order of `schema`: what `writeParquet` encodes. */
export function transpose(records: readonly Record<string, unknown>[], schema: TableSchema): ColumnValues[] {
  const { columns } = schema
  const values = columns.map((c) => columnValues(c.type, records.length))
  const position = new Map(columns.map((c, j) => [c.name, j]))
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    let j = 0
    // for-in is served from V8's shape cache; columns match by position while records share a shape.
    for (const key in record) {
      const at = columns[j]?.name === key ? j : position.get(key)
      if (at === undefined) continue
      const value = record[key]
      if (value != null) setValue(values[at]!, columns[at]!.type, i, value)
      j = at + 1
    }
  }
  return values
}

function columnSpec(name: string, type: ColumnType, values: ColumnValues, rows: number): ColumnSpec {
  const spec: ColumnSpec = { name, type, physical: BYTE_ARRAY, ordered: true }
  if (type === 'int') {
    // Always INT64: a table column keeps one physical type whatever values a write brings.
    spec.physical = INT64
  } else if (type === 'float') {
    spec.physical = DOUBLE
  } else if (type === 'timestamp') {
    spec.physical = INT64
    spec.converted = TIMESTAMP_MILLIS
  } else if (type === 'bigint') {
    spec.physical = INT64
  } else if (type === 'boolean') {
    spec.physical = BOOLEAN
  } else {
    // string, json, binary, and all-null columns (nullable strings, the type DuckDB and pyarrow read best)
    if (type === 'json') spec.converted = JSON_TEXT
    else if (type !== 'binary') spec.converted = UTF8
    spec.ordered = type !== 'json' && type !== 'binary'
  }
  return spec
}

/**
 * Typed arrays reused by every column chunk (one is encoded at a time, synchronously): allocating
 * them per column and file kept the garbage collector busy on large writes.
 */
const scratch = {
  bigints: new BigInt64Array(0),
  booleans: new Uint8Array(0),
}

/** Rows [start, end) of a column, indexed from 0, in the arrays its physical type encodes from. */
function columnChunk(spec: ColumnSpec, values: ColumnValues, start: number, end: number): Column {
  const count = end - start
  if (scratch.bigints.length < count) {
    scratch.bigints = new BigInt64Array(count)
    scratch.booleans = new Uint8Array(count)
  }
  const defined = values.defined.subarray(start, end)
  const { name, type, physical, converted, ordered } = spec
  // Every field in one literal: one object shape for all columns keeps the encoding loops monomorphic.
  const column: Column = {
    name,
    type,
    physical,
    converted,
    ordered,
    defined,
    numbers: undefined,
    bigints: undefined,
    booleans: undefined,
    items: undefined,
  }
  if (type === 'int' || type === 'float' || type === 'timestamp') {
    column.numbers = values.numbers!.subarray(start, end)
  } else if (type === 'boolean') {
    const booleans = scratch.booleans
    const numbers = values.numbers!
    for (let i = 0; i < count; i++) booleans[i] = numbers[start + i]!
    column.booleans = booleans
  } else if (type === 'bigint') {
    const bigints = scratch.bigints
    const items = values.items!
    for (let i = 0; i < count; i++) {
      if (defined[i] === 0) continue
      const value = items[start + i] as bigint
      if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`parquet INT64 value out of range: ${value}`)
      bigints[i] = value
    }
    column.bigints = bigints
  } else if (values.items) {
    const items = start === 0 && end === values.items.length ? values.items : values.items.slice(start, end)
    if (type === 'json') {
      for (let i = 0; i < count; i++) if (defined[i] === 1) items[i] = JSON.stringify(items[i])
    }
    column.items = items
  }
  return column
}

interface ChunkMeta {
  column: ColumnSpec
  offset: number
  dictionaryOffset?: number
  dataOffset: number
  uncompressed: number
  compressed: number
  encodings: number[]
  nulls: number
  /** Lowest and highest defined number, NaN left out. */
  range?: { lowest: number; highest: number }
  min?: Uint8Array
  max?: Uint8Array
  values: number
}

/** Encodes `rowCount` rows, given by column in the order of `schema`, as one Parquet file. */
export function writeParquet(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetWriteOptions,
): Uint8Array {
  const columns = schema.columns.map(({ name, type }, j) => columnSpec(name, type, values[j]!, rowCount))
  // Like hyparquet-writer: no columns, no rows.
  const rows = columns.length > 0 ? rowCount : 0
  const codec = CODECS[options.codec]
  // Sized for about 4 bytes a value, which most files stay under, to spare regrowing copies.
  const file = new Sink(Math.max(1 << 16, rows * columns.length * 4))
  file.append(MAGIC)
  const groups: { chunks: ChunkMeta[]; rows: number }[] = []
  const groupSize = Math.max(1, Math.floor(options.rowGroupSize))
  for (let start = 0; start < rows; start += groupSize) {
    const end = Math.min(rows, start + groupSize)
    const chunks = columns.map((spec, j) => writeChunk(file, columnChunk(spec, values[j]!, start, end), codec))
    groups.push({ chunks, rows: end - start })
  }
  const footerStart = file.length
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
    })
    t.long(3, rows)
    t.structs(4, groups, (g) => {
      t.structs(1, g.chunks, (chunk) => {
        t.long(2, chunk.offset)
        t.struct(3, () => {
          t.int(1, chunk.column.physical)
          t.ints(2, chunk.encodings)
          t.strings(3, [chunk.column.name])
          t.int(4, codec)
          t.long(5, chunk.values)
          t.long(6, chunk.uncompressed)
          t.long(7, chunk.compressed)
          t.long(9, chunk.dataOffset)
          t.long(11, chunk.dictionaryOffset)
          t.struct(12, () => {
            t.long(3, chunk.nulls)
            t.binary(5, chunk.max)
            t.binary(6, chunk.min)
          })
        })
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
  })
  const footerLength = file.length - footerStart
  file.reserve(8)
  file.view.setUint32(file.length, footerLength, true)
  file.length += 4
  file.append(MAGIC)
  return new Uint8Array(file.bytes.buffer, file.bytes.byteOffset, file.length)
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31])

// Reused between pages: a page is encoded here, then compressed or copied into the file.
const levelSink = new Sink()
const valueSink = new Sink()
/** Snappy in WebAssembly: several times faster than JavaScript ports on compressible pages. */
let snappy: ((input: Uint8Array) => Uint8Array) | undefined

/** Writes a column chunk: an optional dictionary page, then data pages. */
function writeChunk(file: Sink, column: Column, codec: number): ChunkMeta {
  const { defined } = column
  const start = 0
  const end = defined.length
  let nulls = 0
  for (let i = start; i < end; i++) nulls += defined[i]! ^ 1
  const chunk: ChunkMeta = {
    column,
    offset: file.length,
    dataOffset: file.length,
    uncompressed: 0,
    compressed: 0,
    encodings: [PLAIN, RLE],
    nulls,
    values: end - start,
  }
  if (column.numbers && nulls < end - start) chunk.range = numberRange(column, start, end)
  const dictionary = column.ordered && nulls < end - start ? buildDictionary(column, start, end, chunk) : undefined
  if (column.ordered && !chunk.min) setStatistics(column, start, end, chunk)
  if (dictionary) {
    chunk.dictionaryOffset = file.length
    valueSink.length = 0
    dictionary.writeValues(valueSink)
    writePage(file, chunk, codec, DICTIONARY_PAGE, dictionary.size, 0, 0, PLAIN)
    chunk.dataOffset = file.length
    chunk.encodings = [PLAIN, RLE, RLE_DICTIONARY]
  }
  let index = 0 // of the page's first defined value in the dictionary's indexes
  for (let from = start; from < end; ) {
    const to = dictionary ? Math.min(end, from + PAGE_ROWS) : pageEnd(column, from, end)
    let pageNulls = 0
    // Most columns have no nulls at all: then no page has any either.
    if (nulls > 0) for (let i = from; i < to; i++) pageNulls += defined[i]! ^ 1
    levelSink.length = 0
    writeLevels(levelSink, defined, from, to, pageNulls)
    valueSink.length = 0
    if (dictionary) {
      const present = to - from - pageNulls
      valueSink.byte(dictionary.bitWidth)
      writeHybrid(valueSink, dictionary.indexes.subarray(index, index + present), dictionary.bitWidth)
      index += present
    } else {
      writePlain(valueSink, column, from, to)
    }
    writePage(file, chunk, codec, DATA_PAGE_V2, to - from, pageNulls, levelSink.length, dictionary ? RLE_DICTIONARY : PLAIN)
    from = to
  }
  return chunk
}

/** The end of the PLAIN page starting at `from`: at most PAGE_ROWS rows, about PAGE_BYTES of values. */
function pageEnd(column: Column, from: number, end: number): number {
  const { items, defined } = column
  const last = Math.min(end, from + PAGE_ROWS)
  if (items) {
    let bytes = 0
    for (let i = from; i < last; i++) {
      if (defined[i] === 1) bytes += 4 + (items[i] as string | Uint8Array).length
      if (bytes >= PAGE_BYTES) return i + 1
    }
    return last
  }
  const width = column.physical === BOOLEAN ? 1 / 8 : column.physical === INT32 ? 4 : 8
  return Math.min(last, from + Math.ceil(PAGE_BYTES / width))
}

/** Writes a page header, the levels from `levelSink` and the (compressed) values from `valueSink`. */
function writePage(
  file: Sink,
  chunk: ChunkMeta,
  codec: number,
  type: number,
  values: number,
  nulls: number,
  levelBytes: number,
  encoding: number,
): void {
  const raw = valueSink.written()
  if (codec === CODECS.SNAPPY && snappy === undefined) snappy = snappyCompressor()
  const body = codec === CODECS.SNAPPY ? snappy!(raw) : raw
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
  if (levelBytes > 0) file.append(levelSink.written())
  file.append(body)
  chunk.uncompressed += header + levelBytes + raw.length
  chunk.compressed += file.length - start
}

/** Definition levels (bit width 1) as the RLE / bit-packed hybrid: one run, or packed bits. */
function writeLevels(out: Sink, defined: Uint8Array, from: number, to: number, nulls: number): void {
  const count = to - from
  if (nulls === 0 || nulls === count) {
    out.varint(count * 2)
    out.byte(nulls === 0 ? 1 : 0)
    return
  }
  const groups = Math.ceil(count / 8)
  out.varint(groups * 2 + 1)
  out.reserve(groups)
  const bytes = out.bytes
  let at = out.length
  for (let i = from; i < to; i += 8) {
    let byte = 0
    for (let bit = 0; bit < 8 && i + bit < to; bit++) byte |= defined[i + bit]! << bit
    bytes[at++] = byte
  }
  out.length = at
}

/** The defined values of rows [from, to), PLAIN encoded. */
function writePlain(out: Sink, column: Column, from: number, to: number): void {
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
function writeByteArray(out: Sink, item: string | Uint8Array, column: string): void {
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
function setInt64(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / TWO_32)
  view.setUint32(at, value - high * TWO_32, true)
  view.setInt32(at + 4, high, true)
}

interface Dictionary {
  size: number
  bitWidth: number
  /** Dictionary index of each defined value, in row order. */
  indexes: Int32Array
  writeValues(out: Sink): void
}

/**
 * A dictionary for the chunk when it at least halves the PLAIN size, as hyparquet-writer decides:
 * strings, and integers within a small range (looked up in an array, not a Map). Sets a string
 * chunk's statistics from the distinct values, which is cheaper than from every value.
 */
function buildDictionary(column: Column, start: number, end: number, chunk: ChunkMeta): Dictionary | undefined {
  const { defined, numbers, items, physical } = column
  const present = end - start - chunk.nulls
  const indexes = new Int32Array(present)
  const limit = Math.min(MAX_DICTIONARY, Math.ceil(present / 2))
  let plainBytes: number
  let dictionaryBytes: number
  let size: number
  let writeValues: (out: Sink) => void
  if (items) {
    // Only string columns get here: JSON and binary ones keep no statistics and no dictionary.
    const index = new Map<string, number>()
    const distinct: string[] = []
    plainBytes = 0
    dictionaryBytes = 0
    let j = 0
    for (let i = start; i < end; i++) {
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
    writeValues = (out) => {
      for (const text of distinct) writeByteArray(out, text, column.name)
    }
    setStringStatistics(distinct, 0, distinct.length, chunk)
  } else if (numbers && physical !== DOUBLE) {
    const { lowest, highest } = chunk.range!
    if (highest - lowest >= MAX_DICTIONARY) return undefined
    const slot = new Int32Array(highest - lowest + 1)
    const distinct: number[] = []
    let j = 0
    for (let i = start; i < end; i++) {
      if (defined[i] === 0) continue
      const value = numbers[i]!
      let id = slot[value - lowest]! - 1
      if (id < 0) {
        if (distinct.length === limit) return undefined
        id = distinct.length
        slot[value - lowest] = id + 1
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
  return { size, bitWidth, indexes, writeValues }
}

function numberRange(column: Column, start: number, end: number): { lowest: number; highest: number } {
  const defined = column.defined
  const numbers = column.numbers!
  let lowest = Number.POSITIVE_INFINITY
  let highest = Number.NEGATIVE_INFINITY
  for (let i = start; i < end; i++) {
    if (defined[i] === 0) continue
    // NaN compares false both ways, so it never becomes a bound (the spec leaves NaN out).
    const value = numbers[i]!
    if (value < lowest) lowest = value
    if (value > highest) highest = value
  }
  return { lowest, highest }
}

/** Min and max of the defined values, encoded as the physical type stores them. */
function setStatistics(column: Column, start: number, end: number, chunk: ChunkMeta): void {
  const { defined, numbers, bigints, booleans, items, physical } = column
  if (chunk.nulls === end - start) return
  const stat = (size: number, write: (view: DataView) => void) => {
    const bytes = new Uint8Array(size)
    write(new DataView(bytes.buffer))
    return bytes
  }
  if (numbers) {
    const { lowest, highest } = chunk.range!
    if (lowest > highest) return // only NaN
    if (physical === DOUBLE) {
      // The spec asks for -0 as a min of zero and +0 as a max of zero.
      const min = lowest === 0 ? -0 : lowest
      const max = highest === 0 ? 0 : highest
      chunk.min = stat(8, (v) => v.setFloat64(0, min, true))
      chunk.max = stat(8, (v) => v.setFloat64(0, max, true))
    } else if (physical === INT32) {
      chunk.min = stat(4, (v) => v.setInt32(0, lowest, true))
      chunk.max = stat(4, (v) => v.setInt32(0, highest, true))
    } else {
      chunk.min = stat(8, (v) => setInt64(v, 0, lowest))
      chunk.max = stat(8, (v) => setInt64(v, 0, highest))
    }
  } else if (bigints) {
    let lowest = INT64_MAX
    let highest = INT64_MIN
    for (let i = start; i < end; i++) {
      if (defined[i] === 0) continue
      const value = bigints[i]!
      if (value < lowest) lowest = value
      if (value > highest) highest = value
    }
    chunk.min = stat(8, (v) => v.setBigInt64(0, lowest, true))
    chunk.max = stat(8, (v) => v.setBigInt64(0, highest, true))
  } else if (booleans) {
    let any = 0
    let all = 1
    for (let i = start; i < end; i++) {
      if (defined[i] === 0) continue
      any |= booleans[i]!
      all &= booleans[i]!
    }
    chunk.min = new Uint8Array([all])
    chunk.max = new Uint8Array([any])
  } else if (items) {
    const texts: string[] = []
    for (let i = start; i < end; i++) if (defined[i] === 1) texts.push(items[i] as string)
    setStringStatistics(texts, 0, texts.length, chunk)
  }
}

function setStringStatistics(texts: readonly string[], from: number, to: number, chunk: ChunkMeta): void {
  if (from === to) return
  let min = texts[from]!
  let max = min
  for (let i = from + 1; i < to; i++) {
    const text = texts[i]!
    if (compareCodePoints(text, min) < 0) min = text
    else if (compareCodePoints(text, max) > 0) max = text
  }
  const minBytes = Buffer.from(min, 'utf8')
  const maxBytes = Buffer.from(max, 'utf8')
  if (minBytes.length > MAX_STATISTIC_BYTES || maxBytes.length > MAX_STATISTIC_BYTES) return
  chunk.min = minBytes
  chunk.max = maxBytes
}

/**
 * Orders strings as their UTF-8 bytes (code point order), which Parquet statistics use. UTF-16 code
 * units order differently only where a surrogate pair meets U+E000..U+FFFF; shift those apart.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000
      y += y >= 0xe000 ? -0x800 : 0x2000
    }
    return x - y
  }
  return a.length - b.length
}

/** Dictionary indexes as the RLE / bit-packed hybrid: runs of 8 or more as runs, the rest packed. */
function writeHybrid(out: Sink, values: Int32Array, bitWidth: number): void {
  const n = values.length
  const valueBytes = (bitWidth + 7) >> 3
  let pendingStart = 0
  let pendingGroups = 0
  let i = 0
  while (i < n) {
    const value = values[i]!
    let run = 1
    while (i + run < n && values[i + run] === value) run++
    if (run >= 8) {
      if (pendingGroups > 0) writePacked(out, values, pendingStart, pendingGroups, bitWidth)
      pendingGroups = 0
      out.varint(run * 2)
      out.reserve(valueBytes)
      for (let b = 0; b < valueBytes; b++) out.bytes[out.length++] = (value >>> (8 * b)) & 0xff
      i += run
    } else {
      if (pendingGroups === 0) pendingStart = i
      pendingGroups++
      i += 8
    }
  }
  if (pendingGroups > 0) writePacked(out, values, pendingStart, pendingGroups, bitWidth)
}

/** `groups` groups of 8 values from `start`, bit-packed (past the end, zeros). */
function writePacked(out: Sink, values: Int32Array, start: number, groups: number, bitWidth: number): void {
  out.varint(groups * 2 + 1)
  out.reserve(groups * bitWidth)
  const bytes = out.bytes
  let at = out.length
  let buffer = 0
  let bits = 0
  const end = start + groups * 8
  for (let i = start; i < end; i++) {
    buffer |= (i < values.length ? values[i]! : 0) << bits
    bits += bitWidth
    while (bits >= 8) {
      bytes[at++] = buffer & 0xff
      buffer >>>= 8
      bits -= 8
    }
  }
  out.length = at
}
