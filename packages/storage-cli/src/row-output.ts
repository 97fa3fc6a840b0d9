import {
  type ColumnSlice,
  CsvColumnsEncoder,
  encodeCsv,
  encodeParquet,
  inferSchema,
  ParquetStreamEncoder,
  type Row,
  type TableSchema,
} from '@cfb/storage-core'

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'parquet'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** Rows a table shows when no `--limit` is given: a table is for reading, not for all of `plays`. */
export const TABLE_ROWS = 50

/** Whether a row's values need `plain` before JSON.stringify (most rows do not: dates become ISO text by themselves). */
function needsPlain(row: Row): boolean {
  for (const key in row) {
    const value = row[key]
    if (typeof value === 'bigint' || (value !== null && typeof value === 'object' && !(value instanceof Date))) return true
  }
  return false
}

/** One row as JSON text. */
export function jsonRow(row: Row): string {
  return JSON.stringify(needsPlain(row) ? plain(row) : row)
}

/**
 * A value as JSON or table text: dates as ISO 8601, bytes as base64, int64 values as numbers when
 * a double holds them exactly and as digit strings otherwise (a JSON reader would round them).
 */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

function cell(value: unknown): string {
  const v = plain(value)
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/** An aligned text table, numbers right-aligned: what a person reads in a terminal. */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)'
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).slice(0, 60)))
  // A loop, not Math.max(...cells): spreading a long column overflows the call stack.
  const widths = columns.map((c) => c.length)
  for (const row of cells) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i]!, row[i]!.length)
  }
  const numeric = columns.map((c) => rows.every((r) => r[c] == null || typeof r[c] === 'number' || typeof r[c] === 'bigint'))
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

/** Where formatted bytes go: stdout or an `--out` file. */
export interface ByteSink {
  write(chunk: string | Uint8Array): Promise<void>
}

/** Turns batches of rows into bytes as they arrive; `end` writes whatever closes the format. */
export interface RowWriter {
  write(batch: readonly Row[]): Promise<void>
  end(): Promise<void>
}

const NEWLINE = new TextEncoder().encode('\n')

/** The CSV text of `rows` under `columns`, typed per batch (a column may be null in one, dates in the next). */
function csvBatch(rows: readonly Row[], columns: readonly string[]): Uint8Array {
  const types = new Map(inferSchema(rows).columns.map((c) => [c.name, c.type]))
  const schema: TableSchema = { columns: columns.map((name) => ({ name, type: types.get(name) ?? 'null' })) }
  const withHeader = encodeCsv(rows, schema)
  // The header line comes before the rows; every batch but the first drops it.
  return withHeader.subarray(Math.min(headerLine(schema).length, withHeader.length))
}

/** The CSV header of `schema`, ending with its newline. */
function headerLine(schema: TableSchema): Uint8Array {
  const header = encodeCsv([], schema)
  return header[header.length - 1] === 0x0a ? header : Buffer.concat([header, NEWLINE])
}

/** Rows a Parquet output holds before writing them as one row group: a few MB of most tables. */
export const PARQUET_GROUP_ROWS = 65_536

/**
 * Parquet a row group at a time, under a schema known before the first row (the table's): memory
 * is one row group's. Without one (a plain folder's files may disagree), rows are held and the
 * schema inferred from all of them at the end.
 */
function parquetWriter(sink: ByteSink, schema: TableSchema | undefined, groupRows: number): RowWriter {
  let rows: Row[] = []
  if (!schema) {
    return {
      async write(batch) {
        for (const row of batch) rows.push(row)
      },
      async end() {
        await sink.write(encodeParquet(rows, inferSchema(rows)))
      },
    }
  }
  const pieces: Uint8Array[] = []
  // The encoder's bytes are a view of its buffer: copied, to be written after it returns.
  const encoder = new ParquetStreamEncoder(schema, (bytes) => pieces.push(new Uint8Array(bytes)))
  const drain = async () => {
    for (const piece of pieces.splice(0)) await sink.write(piece)
  }
  const flush = async () => {
    encoder.writeRows(rows)
    rows = []
    await drain()
  }
  return {
    async write(batch) {
      for (const row of batch) {
        rows.push(row)
        if (rows.length >= groupRows) await flush()
      }
    },
    async end() {
      if (rows.length > 0) await flush()
      encoder.finish()
      await drain()
    },
  }
}

/**
 * A writer for `format`. ndjson, csv and json write each batch as it comes (json as one array,
 * opened before the first row and closed at the end). A table shows at most `tableRows` rows,
 * aligned over all of them. Parquet writes a row group per `PARQUET_GROUP_ROWS` rows when
 * `schema` is known.
 */
export function rowWriter(
  format: OutputFormat,
  sink: ByteSink,
  tableRows = TABLE_ROWS,
  schema?: TableSchema,
  groupRows = PARQUET_GROUP_ROWS,
): RowWriter {
  switch (format) {
    case 'ndjson':
      return {
        async write(batch) {
          if (batch.length > 0) await sink.write(`${batch.map(jsonRow).join('\n')}\n`)
        },
        async end() {},
      }
    case 'json': {
      let rows = 0
      return {
        async write(batch) {
          if (batch.length === 0) return
          const text = batch.map(jsonRow).join(',\n')
          await sink.write(rows === 0 ? `[\n${text}` : `,\n${text}`)
          rows += batch.length
        },
        async end() {
          await sink.write(rows === 0 ? '[]\n' : '\n]\n')
        },
      }
    }
    case 'csv': {
      let columns: string[] | undefined
      return {
        async write(batch) {
          if (batch.length === 0) return
          if (columns === undefined) {
            columns = [...new Set(batch.flatMap((r) => Object.keys(r)))]
            const schema: TableSchema = { columns: columns.map((name) => ({ name, type: 'string' })) }
            await sink.write(headerLine(schema))
          }
          const bytes = csvBatch(batch, columns)
          await sink.write(bytes)
          // A text file ends with a newline, so `wc -l`, `cat` and shell prompts see every row.
          if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) await sink.write(NEWLINE)
        },
        async end() {},
      }
    }
    case 'table': {
      const rows: Row[] = []
      return {
        async write(batch) {
          for (const row of batch) if (rows.length < tableRows) rows.push(row)
        },
        async end() {
          await sink.write(`${formatTable(rows)}\n`)
        },
      }
    }
    case 'parquet':
      return parquetWriter(sink, schema, groupRows)
  }
}

/**
 * CSV from a scan's column slices, the same bytes the `csv` row writer writes for the same rows:
 * the columns are the first slice's (a table's rows all have the same), its header written first.
 */
export class CsvColumnWriter {
  private encoder: CsvColumnsEncoder | undefined

  constructor(private readonly sink: ByteSink) {}

  /** The first `count` rows of `slice` (default all). */
  async write(slice: ColumnSlice, count = slice.length): Promise<void> {
    if (count === 0) return
    if (!this.encoder) {
      this.encoder = new CsvColumnsEncoder(slice.names)
      await this.sink.write(this.encoder.header())
    }
    await this.sink.write(this.encoder.encode(slice, 0, count))
  }
}
