import { encodeCsv, encodeParquet, inferSchema, type Row } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'parquet'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** A value as text for a table or NDJSON: dates as ISO 8601, bigints as digits, JSON as JSON. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return value.toString()
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
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)))
  const numeric = columns.map((c) => rows.every((r) => r[c] == null || typeof r[c] === 'number' || typeof r[c] === 'bigint'))
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

/** Rows in the requested format, as bytes ready for stdout or a file. */
export function formatRows(rows: readonly Row[], format: OutputFormat): Uint8Array {
  const text = (s: string) => new TextEncoder().encode(s)
  switch (format) {
    case 'table':
      return text(`${formatTable(rows)}\n`)
    case 'csv': {
      // A text file ends with a newline, so `wc -l`, `cat` and shell prompts see every row.
      const csv = encodeCsv(rows, inferSchema(rows))
      return csv.length === 0 || csv[csv.length - 1] === 0x0a ? csv : Buffer.concat([csv, text('\n')])
    }
    case 'json':
      return text(`${JSON.stringify(rows.map(plain), null, 2)}\n`)
    case 'ndjson':
      return text(rows.map((r) => `${JSON.stringify(plain(r))}\n`).join(''))
    case 'parquet':
      return encodeParquet(rows, inferSchema(rows))
    default:
      throw new UsageError(`unknown format ${JSON.stringify(format)}: use ${OUTPUT_FORMATS.join(', ')}`)
  }
}
