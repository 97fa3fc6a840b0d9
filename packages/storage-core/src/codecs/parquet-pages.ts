/**
 * Rows of a Parquet file decoded a page at a time. hyparquet decodes a whole row group before it
 * returns anything, so a reader's memory grows with the row groups it meets; here each column holds
 * one decoded page, and row objects are made a slice at a time. The page-level pieces come from
 * hyparquet's own modules (its `./src/*.js` exports), so decoding is still hyparquet's: they are
 * not its documented API, so package.json pins hyparquet exactly and test/hyparquet-internals.test.ts
 * fails when an upgrade moves them.
 */
import type { AsyncBuffer, DataReader, DecodedArray, FileMetaData, PageHeader, SchemaTree } from 'hyparquet'
import { parquetSchema } from 'hyparquet'
import { parquetHeader, readPage } from 'hyparquet/src/column.js'
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js'
import { readDataPageV2 } from 'hyparquet/src/datapage.js'
import { parquetPlanGroup, parquetPlanGroups } from 'hyparquet/src/plan.js'
import { getMaxDefinitionLevel, getTreePath, isFlatColumn } from 'hyparquet/src/schema.js'
import { ParquetFailure, parquetReadError, readableMetadata, schemaTreeOf } from './parquet-check.js'
import { PARQUET_COMPRESSORS } from './parquet-compressors.js'
import { PARQUET_PARSERS, valueFixes, withRawDecimals } from './parquet-values.js'
import { asIs, converters, decodeRows, parquetColumnNames, rowStore, schemaFromMetadata, valueStep } from './parquet.js'

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
}

/** A column of one row group: its pages, and how a value is fixed up and typed on its way out. */
interface GroupColumn {
  name: string
  pages: ColumnPages
  step: (value: unknown) => unknown
}

/** A row group to read: flat columns a page at a time, or (nested columns) its rows whole. */
type GroupRead = { groupRows: number; columns: GroupColumn[]; rows?: undefined } | { rows: Row[]; groupRows?: undefined; columns?: undefined }

/** The row groups of a read, in order, each ready to be taken a slice at a time. */
async function* rowGroups(file: AsyncBuffer, options: ParquetRowsOptions): AsyncGenerator<GroupRead> {
  const metadata = readableMetadata(options.metadata, file.byteLength)
  const raw = withRawDecimals(metadata)
  const tree = parquetSchema(raw)
  const names = options.columns ? [...options.columns] : parquetColumnNames(metadata)
  const schema = schemaFromMetadata(metadata)
  const convertTo = new Map(converters(schema, names))
  const logical = new Map(schema?.columns.map((c) => [c.name, c.type]))
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
      plan.fetches.map(async (range) => ({ ...range, bytes: new Uint8Array(await file.slice(range.startByte, range.endByte)) })),
    )
    const columns = chunks.map((chunk, i): GroupColumn => {
      const { startByte, endByte } = chunk.range
      const within = fetched.find((f) => f.startByte <= startByte && endByte <= f.endByte)!
      const bytes = within.bytes.subarray(startByte - within.startByte, endByte - within.startByte)
      const name = chunk.columnMetadata.path_in_schema[0]!
      const path = paths[i]!
      const decoder: ColumnDecoder = {
        pathInSchema: chunk.columnMetadata.path_in_schema,
        type: chunk.columnMetadata.type,
        element: (path[path.length - 1] as SchemaTree).element,
        schemaPath: path,
        codec: chunk.columnMetadata.codec,
        parsers: PARSERS,
        compressors: PARQUET_COMPRESSORS,
        utf8: false,
      }
      // An int column (safe integers by our schema) is read as numbers from the start, not as a
      // bigint per value that the converter then makes a number.
      const numbers = logical.get(name) === 'int' && !fixes.has(name)
      return { name, pages: new ColumnPages(bytes, decoder, numbers), step: valueStep(fixes.get(name), convertTo.get(name)) }
    })
    yield { groupRows: group.groupRows, columns }
  }
}

/**
 * The file's rows as objects typed as written, `sliceRows` at a time, unfiltered. Yields at least
 * one slice for each row group read (empty when the group is), none for groups the filter skips.
 */
export async function* readParquetRows(file: AsyncBuffer, options: ParquetRowsOptions): AsyncGenerator<Row[]> {
  const { sliceRows } = options
  for await (const group of rowGroups(file, options)) {
    if (group.rows) {
      yield* slices(group.rows, sliceRows)
      continue
    }
    const columns = group.columns.map(({ name, pages, step }) => ({ name, pages, store: rowStore(name, step) }))
    let at = 0
    do {
      const count = Math.min(sliceRows, group.groupRows - at)
      const rows: Row[] = new Array(count)
      for (let i = 0; i < count; i++) rows[i] = {}
      for (const column of columns) {
        const { name, store } = column
        try {
          column.pages.take(count, (values, from, row, n) => {
            for (let k = 0; k < n; k++) store(rows[row + k]!, values[from + k])
          })
        } catch (cause) {
          throw parquetReadError(cause, name)
        }
      }
      at += count
      yield rows
    } while (at < group.groupRows)
  }
}

/** Rows of a file by column: `values[j]` holds column `names[j]` of `length` rows. */
export interface ColumnSlice {
  names: string[]
  values: unknown[][]
  length: number
}

/**
 * `readParquetRows` by column: the same values, `sliceRows` rows at a time, with no row objects
 * (a reader that only passes values on, such as a CSV export, has no use for them).
 */
export async function* readParquetColumns(file: AsyncBuffer, options: ParquetRowsOptions): AsyncGenerator<ColumnSlice> {
  const { sliceRows } = options
  for await (const group of rowGroups(file, options)) {
    if (group.rows) {
      for (const rows of slices(group.rows, sliceRows)) yield columnsOfRows(rows, options.columns ?? parquetColumnNames(options.metadata))
      continue
    }
    const names = group.columns.map((c) => c.name)
    let at = 0
    do {
      const count = Math.min(sliceRows, group.groupRows - at)
      const values = group.columns.map(({ name, pages, step }) => {
        const out: unknown[] = new Array(count)
        try {
          pages.take(count, (page, from, row, n) => {
            if (step === asIs) for (let k = 0; k < n; k++) out[row + k] = page[from + k]
            else for (let k = 0; k < n; k++) out[row + k] = step(page[from + k])
          })
        } catch (cause) {
          throw parquetReadError(cause, name)
        }
        return out
      })
      at += count
      yield { names, values, length: count }
    } while (at < group.groupRows)
  }
}

/** Rows by column, under `names`. */
export function columnsOfRows(rows: readonly Row[], names: readonly string[]): ColumnSlice {
  return { names: [...names], values: names.map((name) => rows.map((row) => row[name])), length: rows.length }
}

/** A column chunk's values, one decoded page held at a time. */
class ColumnPages {
  private readonly reader: DataReader
  private dictionary: DecodedArray | undefined
  private page: DecodedArray = []
  private at = 0

  constructor(
    bytes: Uint8Array,
    private readonly decoder: ColumnDecoder,
    /** INT64 values as numbers (what the column's converter would make them). */
    private readonly int64AsNumbers = false,
  ) {
    this.reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }
  }

  /** Hands the next `count` values to `use`, a run per page: (values, first index, row offset, length). */
  take(count: number, use: (values: DecodedArray, from: number, row: number, n: number) => void): void {
    let row = 0
    while (row < count) {
      if (this.at === this.page.length && !this.nextPage()) {
        throw new ParquetFailure('CORRUPT_DATA', `column ${this.decoder.pathInSchema.join('.')} ends ${count - row} rows short of its row group`)
      }
      const n = Math.min(count - row, this.page.length - this.at)
      use(this.page, this.at, row, n)
      this.at += n
      row += n
    }
  }

  private asNumbers<T extends DecodedArray | undefined>(values: T): T | Float64Array {
    return this.int64AsNumbers && values instanceof BigInt64Array ? numbersOf(values) : values
  }

  private pageV2(header: PageHeader): DecodedArray {
    return flatPageV2(this.reader, header, this.decoder, this.dictionary)
  }

  private nextPage(): boolean {
    const reader = this.reader
    while (reader.offset < reader.view.byteLength - 1) {
      const header = parquetHeader(reader)
      if (header.type === 'DICTIONARY_PAGE') {
        const { data } = readPage(reader, header, this.decoder, undefined, undefined, 0)
        if (data) this.dictionary = this.asNumbers(convert(data, this.decoder))
        continue
      }
      const data = this.asNumbers(
        header.type === 'DATA_PAGE_V2' ? this.pageV2(header) : readPage(reader, header, this.decoder, this.dictionary, undefined, 0).data,
      )
      if (data && data.length > 0) {
        this.page = data
        this.at = 0
        return true
      }
    }
    return false
  }
}

/**
 * A flat column's V2 data page as `readPage` decodes it, without its general assembly of nested
 * values (which copies every value of a flat page once more): the values as decoded when none is
 * null, else with null where the definition level says so.
 */
function flatPageV2(reader: DataReader, header: PageHeader, decoder: ColumnDecoder, dictionary: DecodedArray | undefined): DecodedArray {
  const bytes = new Uint8Array(reader.view.buffer, reader.view.byteOffset + reader.offset, header.compressed_page_size)
  reader.offset += header.compressed_page_size
  const { definitionLevels, dataPage } = readDataPageV2(bytes, header, decoder)
  const values = convertWithDictionary(dataPage, dictionary, header.data_page_header_v2!.encoding, decoder)
  if (!definitionLevels) return values
  const defined = getMaxDefinitionLevel(decoder.schemaPath)
  const n = definitionLevels.length
  let all = true
  for (let i = 0; i < n; i++) {
    if (definitionLevels[i] !== defined) {
      all = false
      break
    }
  }
  if (all && values.length === n) return values
  const out: unknown[] = new Array(n)
  let at = 0
  for (let i = 0; i < n; i++) out[i] = definitionLevels[i] === defined ? values[at++] : null
  return out as DecodedArray
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** INT64 values as the nearest doubles (as Number(v)), read as two 32-bit halves: no bigint made. */
function numbersOf(values: BigInt64Array): Float64Array {
  const out = new Float64Array(values.length)
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i])
    return out
  }
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2)
  // high * 2^32 is exact and the sum is rounded once, to nearest: what Number(bigint) gives.
  for (let i = 0; i < values.length; i++) out[i] = words[2 * i + 1]! * 4_294_967_296 + (words[2 * i]! >>> 0)
  return out
}

function* slices(rows: Row[], size: number): Generator<Row[]> {
  let at = 0
  do {
    yield rows.slice(at, at + size)
    at += size
  } while (at < rows.length)
}
