/**
 * Rows of a Parquet file decoded a page at a time. hyparquet decodes a whole row group before it
 * returns anything, so a reader's memory grows with the row groups it meets; here each column holds
 * one decoded page, and row objects are made a slice at a time. The page-level pieces come from
 * hyparquet's own modules (its `./src/*.js` exports), so decoding is still hyparquet's: they are
 * not its documented API, so package.json pins hyparquet exactly and test/hyparquet-internals.test.ts
 * fails when an upgrade moves them.
 */
import type { AsyncBuffer, DataReader, DecodedArray, FileMetaData, SchemaElement, SchemaTree } from 'hyparquet'
import { parquetSchema } from 'hyparquet'
import { parquetHeader, readPage } from 'hyparquet/src/column.js'
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js'
import { parquetPlanGroup, parquetPlanGroups } from 'hyparquet/src/plan.js'
import { getMaxDefinitionLevel, getTreePath, isFlatColumn } from 'hyparquet/src/schema.js'
import { ParquetFailure, parquetReadError, readableMetadata, schemaTreeOf } from './parquet-check.js'
import { PARQUET_COMPRESSORS } from './parquet-compressors.js'
import { readDataPageAt } from './parquet-data-page.js'
import { PARQUET_PARSERS, valueFixes, withRawDecimals } from './parquet-values.js'
import { converters, decodeRows, parquetColumnNames, schemaFromMetadata, valueStep } from './parquet.js'
import { int64Numbers } from './int64-numbers.js'
import { setOwn } from './own-property.js'
import { type ColumnPart, type ConstantFields, rowBuilder } from './row-builder.js'

const PARSERS = { ...DEFAULT_PARSERS, ...PARQUET_PARSERS }

type Row = Record<string, unknown>
type ColumnDecoder = Parameters<typeof readPage>[2]

export interface ParquetRowsOptions {
  metadata: FileMetaData
  /** Top-level columns to decode (default all). */
  columns?: readonly string[]
  /** hyparquet filter: only skips row groups by their statistics; the caller matches rows. */
  filter?: Record<string, unknown>
  /** Rows made into objects at a time. */
  sliceRows: number
  /** Fields every row gets after the file's columns, in place of any file column of the same name. */
  constants?: ConstantFields
  /**
   * Yield an empty slice first, once the first row group's bytes are fetched and before anything
   * is decoded: a look-ahead that runs the reader to its first yield then holds bytes, not rows.
   */
  primed?: boolean
}

/**
 * A file to read. `release`, when it has one (`rangedFile`), takes back a row group's bytes once
 * the group is read, when no value decoded from them shares them.
 */
export type ParquetSource = AsyncBuffer & { release?(buffer: ArrayBuffer): void }

/** A column of one row group: its pages, which give values as rows hold them. */
interface GroupColumn {
  name: string
  pages: ColumnPages
}

/**
 * Column chunks closer than this are fetched in one read, the gap with them: over S3 a request
 * costs far more than 64 KiB of transfer, and on disk the gap is read ahead anyway.
 */
const COALESCE_GAP = 64 * 1024

/** Byte ranges (in file order, as hyparquet plans them) with small gaps merged. */
function coalesce(ranges: readonly { startByte: number; endByte: number }[]): { startByte: number; endByte: number }[] {
  const sorted = [...ranges].sort((a, b) => a.startByte - b.startByte)
  const out: { startByte: number; endByte: number }[] = []
  for (const range of sorted) {
    const last = out[out.length - 1]
    if (last && range.startByte - last.endByte <= COALESCE_GAP) last.endByte = Math.max(last.endByte, range.endByte)
    else out.push({ startByte: range.startByte, endByte: range.endByte })
  }
  return out
}

/** A row group to read: flat columns a page at a time, or (nested columns) its rows whole. */
type GroupRead = { groupRows: number; columns: GroupColumn[]; rows?: undefined } | { rows: Row[]; groupRows?: undefined; columns?: undefined }

/** The row groups of a read, in order, each ready to be taken a slice at a time. */
async function* rowGroups(file: ParquetSource, options: ParquetRowsOptions): AsyncGenerator<GroupRead> {
  const metadata = readableMetadata(options.metadata, file.byteLength)
  const raw = withRawDecimals(metadata)
  const tree = parquetSchema(raw)
  const names = options.columns ? [...options.columns] : parquetColumnNames(metadata)
  const schema = schemaFromMetadata(metadata)
  const convertTo = new Map(converters(schema, names))
  const intColumns = new Set(schema?.columns.filter((c) => c.type === 'int').map((c) => c.name))
  const fixes = valueFixes(schemaTreeOf(metadata), names, { decimals: 'number' })
  const { groups } = parquetPlanGroups({ file, metadata, columns: names, filter: options.filter as never, filterStrict: false })
  for (const group of groups) {
    const plan = parquetPlanGroup({ ...group, columns: names })
    const chunks = plan.groups[0]!.chunks
    const paths = chunks.map((chunk) => getTreePath(tree, chunk.columnMetadata.path_in_schema))
    if (!paths.every((path) => path.length === 2 && isFlatColumn(path))) {
      // Nested columns (never ours) span several leaves: hyparquet assembles the group whole.
      const rowStart = group.groupStart
      yield { rows: await decodeRows(file, { metadata, columns: names, rowStart, rowEnd: rowStart + group.groupRows }) }
      continue
    }
    const fetched = await Promise.all(
      coalesce(plan.fetches).map(async (range) => ({ ...range, bytes: new Uint8Array(await file.slice(range.startByte, range.endByte)) })),
    )
    const columns = chunks.map((chunk, i): GroupColumn => {
      const { startByte, endByte } = chunk.range
      const within = fetched.find((f) => f.startByte <= startByte && endByte <= f.endByte)!
      const bytes = within.bytes.subarray(startByte - within.startByte, endByte - within.startByte)
      const name = chunk.columnMetadata.path_in_schema[0]!
      const path = paths[i]!
      const element = (path[path.length - 1] as SchemaTree).element
      const dates = isMillisTimestamp(element)
      const decoder: ColumnDecoder = {
        pathInSchema: chunk.columnMetadata.path_in_schema,
        type: chunk.columnMetadata.type,
        // Millisecond timestamps are decoded as the INT64 they are stored as; rowValues makes the Dates.
        element: dates ? { ...element, converted_type: undefined, logical_type: undefined } : element,
        schemaPath: path,
        codec: chunk.columnMetadata.codec,
        parsers: PARSERS,
        compressors: PARQUET_COMPRESSORS,
        utf8: false,
      }
      const fix = fixes.get(name)
      const values: PageValues = {
        step: valueStep(fix, convertTo.get(name)),
        // An `int` column comes back as numbers: its values are read as such, not as a BigInt each.
        asNumbers: fix === undefined && intColumns.has(name),
        dates,
        maxDefinition: getMaxDefinitionLevel(path),
      }
      return { name, pages: new ColumnPages(bytes, decoder, values) }
    })
    yield { groupRows: group.groupRows, columns }
    // Reached once every slice of the group is taken. Values of compressed pages were decoded
    // from buffers of their own; an uncompressed page's may be views of these bytes.
    if (file.release && columns.every((c) => !c.pages.sharesBytes)) for (const { bytes } of fetched) file.release(bytes.buffer as ArrayBuffer)
  }
}

/** The next `count` values of each column of a group. */
function takeParts(columns: readonly GroupColumn[], count: number, parts: ColumnPart[]): void {
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!
    try {
      parts[c] = column.pages.take(count)
    } catch (cause) {
      throw parquetReadError(cause, column.name)
    }
  }
}

/**
 * The file's rows as objects typed as written, `sliceRows` at a time, unfiltered. Yields at least
 * one slice for each row group read (empty when the group is), none for groups the filter skips.
 */
export async function* readParquetRows(file: ParquetSource, options: ParquetRowsOptions): AsyncGenerator<Row[]> {
  const { sliceRows, constants } = options
  const replaced = (name: string) => constants?.names.includes(name) === true
  let primed = options.primed === true
  for await (const group of rowGroups(file, options)) {
    if (primed) {
      primed = false
      yield []
    }
    if (group.rows) {
      for (const rows of slices(group.rows, sliceRows)) yield constants ? rows.map((row) => withConstants(row, constants)) : rows
      continue
    }
    const columns = group.columns.filter((c) => !replaced(c.name))
    const build = rowBuilder(
      columns.map((c) => c.name),
      constants,
    )
    const parts: ColumnPart[] = new Array(columns.length)
    let at = 0
    do {
      const count = Math.min(sliceRows, group.groupRows - at)
      takeParts(columns, count, parts)
      at += count
      yield build(parts, count)
    } while (at < group.groupRows)
  }
}

/** `row` with the constant fields last, in place of its own of the same names. */
function withConstants(row: Row, constants: ConstantFields): Row {
  const out: Row = {}
  for (const [name, value] of Object.entries(row)) if (!constants.names.includes(name)) setOwn(out, name, value)
  for (let i = 0; i < constants.names.length; i++) setOwn(out, constants.names[i]!, constants.values[i])
  return out
}

/** Rows of a file by column: `values[j]` holds column `names[j]` of `length` rows. */
export interface ColumnSlice {
  names: string[]
  values: unknown[][]
  length: number
  /** Set by a scan: the position of the slice's file in the read's file order (`dataFiles`). */
  file?: number
}

/**
 * `readParquetRows` by column: the same values, `sliceRows` rows at a time, with no row objects
 * (a reader that only passes values on, such as a CSV export, has no use for them).
 */
export async function* readParquetColumns(file: ParquetSource, options: ParquetRowsOptions): AsyncGenerator<ColumnSlice> {
  const { sliceRows } = options
  let primed = options.primed === true
  for await (const group of rowGroups(file, options)) {
    if (primed) {
      primed = false
      yield columnsOfRows([], options.columns ?? parquetColumnNames(options.metadata))
    }
    if (group.rows) {
      for (const rows of slices(group.rows, sliceRows)) yield columnsOfRows(rows, options.columns ?? parquetColumnNames(options.metadata))
      continue
    }
    const names = group.columns.map((c) => c.name)
    const parts: ColumnPart[] = new Array(group.columns.length)
    let at = 0
    do {
      const count = Math.min(sliceRows, group.groupRows - at)
      takeParts(group.columns, count, parts)
      const values = parts.map(({ values, from }) =>
        Array.isArray(values) && from === 0 && values.length === count ? (values as unknown[]) : copyOf(values, from, count),
      )
      at += count
      yield { names, values, length: count }
    } while (at < group.groupRows)
  }
}

/**
 * `count` values from `from` as an array. A loop: `Array.prototype.slice` on a typed array (a
 * page of numbers) takes V8's generic path, about 15 times slower.
 */
function copyOf(values: ArrayLike<unknown>, from: number, count: number): unknown[] {
  if (Array.isArray(values)) return values.slice(from, from + count)
  const out: unknown[] = new Array(count)
  for (let i = 0; i < count; i++) out[i] = values[from + i]
  return out
}

/** Rows by column, under `names`. */
export function columnsOfRows(rows: readonly Row[], names: readonly string[]): ColumnSlice {
  return { names: [...names], values: names.map((name) => rows.map((row) => row[name])), length: rows.length }
}

/** How a column's decoded values become row values. */
interface PageValues {
  /** Fix-up and logical type conversion of one value; undefined when values are used as decoded. */
  step: ((value: unknown) => unknown) | undefined
  /** INT64 values wanted as numbers: a dictionary is converted once, plain pages without BigInts. */
  asNumbers: boolean
  /** INT64 milliseconds wanted as Dates, made from their numbers; `step` then only refuses an invalid one. */
  dates: boolean
  /** The definition level of a present value (0 when the column is required). */
  maxDefinition: number
}

/** A flat column chunk's values, one decoded page held at a time. */
class ColumnPages {
  private readonly reader: DataReader
  private dictionary: DecodedArray | undefined
  /** The dictionary's values are row values already. */
  private dictionaryReady = false
  private page: ArrayLike<unknown> = []
  private at = 0
  /** Whether a page read so far was stored uncompressed: values decoded from it may be views of the chunk's bytes. */
  sharesBytes: boolean

  constructor(
    bytes: Uint8Array,
    private readonly decoder: ColumnDecoder,
    private readonly values: PageValues,
  ) {
    this.reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }
    this.sharesBytes = decoder.codec === 'UNCOMPRESSED'
  }

  /** The next `count` values: a view into the page when it holds them all, else a copy across pages. */
  take(count: number): ColumnPart {
    if (this.at === this.page.length && !this.nextPage()) throw this.short(count)
    if (this.page.length - this.at >= count) {
      const slice = { values: this.page, from: this.at }
      this.at += count
      return slice
    }
    const out: unknown[] = new Array(count)
    let row = 0
    while (row < count) {
      if (this.at === this.page.length && !this.nextPage()) throw this.short(count - row)
      const n = Math.min(count - row, this.page.length - this.at)
      for (let k = 0; k < n; k++) out[row + k] = this.page[this.at + k]
      this.at += n
      row += n
    }
    return { values: out, from: 0 }
  }

  private short(rows: number): ParquetFailure {
    return new ParquetFailure('CORRUPT_DATA', `column ${this.decoder.pathInSchema.join('.')} ends ${rows} rows short of its row group`)
  }

  private nextPage(): boolean {
    const reader = this.reader
    const { decoder } = this
    while (reader.offset < reader.view.byteLength - 1) {
      const header = parquetHeader(reader)
      if (header.data_page_header_v2?.is_compressed === false) this.sharesBytes = true
      if (header.type === 'DICTIONARY_PAGE') {
        const { data } = readPage(reader, header, decoder, undefined, undefined, 0)
        if (data) {
          const dictionary = convert(data, decoder)
          this.dictionaryReady = this.values.asNumbers || this.values.dates || this.values.step === undefined
          this.dictionary = this.dictionaryReady ? (this.rowValues(dictionary) as DecodedArray) : dictionary
        }
        continue
      }
      const page = readDataPageAt(reader, header, decoder)
      if (!page) continue
      const { encoding } = page
      const fromDictionary = this.dictionary !== undefined && encoding.endsWith('_DICTIONARY')
      let values: ArrayLike<unknown> = convertWithDictionary(page.dataPage, this.dictionary, encoding, decoder)
      if (!(fromDictionary && this.dictionaryReady)) values = this.rowValues(values as DecodedArray)
      const levels = page.definitionLevels
      if (levels && levels.length > values.length) values = withNulls(values, levels, this.values.maxDefinition)
      if (values.length > 0) {
        this.page = values
        this.at = 0
        return true
      }
    }
    return false
  }

  /** Decoded values as rows hold them. */
  private rowValues(values: DecodedArray): ArrayLike<unknown> {
    if (this.values.asNumbers && values instanceof BigInt64Array) return int64Numbers(values)
    const step = this.values.step
    if (this.values.dates && values instanceof BigInt64Array) return millisDates(values, step)
    if (!step) return values
    const out: unknown[] = new Array(values.length)
    for (let i = 0; i < values.length; i++) out[i] = step(values[i])
    return out
  }
}

/** Whether a column holds INT64 epoch milliseconds annotated as a timestamp (as ours are written). */
function isMillisTimestamp(element: SchemaElement): boolean {
  if (element.type !== 'INT64') return false
  // hyparquet's order: a converted type decides before a logical one.
  if (element.converted_type !== undefined) return element.converted_type === 'TIMESTAMP_MILLIS'
  const logical = element.logical_type
  return logical?.type === 'TIMESTAMP' && logical.unit === 'MILLIS'
}

/**
 * Dates of epoch milliseconds, each the one hyparquet makes (`new Date(Number(ms))`), without a
 * BigInt per value on the way. An invalid Date (beyond ±8.64e15 ms) goes to `refuse`, the
 * column's fix-up, which says so.
 */
function millisDates(values: BigInt64Array, refuse: ((value: unknown) => unknown) | undefined): unknown[] {
  const ms = int64Numbers(values)
  const out: unknown[] = new Array(ms.length)
  for (let i = 0; i < ms.length; i++) {
    const date = new Date(ms[i]!)
    out[i] = refuse && Number.isNaN(date.getTime()) ? refuse(date) : date
  }
  return out
}

/** A flat column's values with a null where its definition level says the row has none. */
function withNulls(values: ArrayLike<unknown>, levels: ArrayLike<number>, present: number): unknown[] {
  const out: unknown[] = new Array(levels.length)
  let next = 0
  for (let i = 0; i < levels.length; i++) out[i] = levels[i] === present ? values[next++] : null
  return out
}

function* slices(rows: Row[], size: number): Generator<Row[]> {
  let at = 0
  do {
    yield rows.slice(at, at + size)
    at += size
  } while (at < rows.length)
}
