import { StorageError } from '../errors.js'
import { parseIsoTimestamp } from './iso-timestamp.js'
import { rowMaker, setOwn } from './own-property.js'
import { tokenizeCsv } from './csv-tokenizer.js'
import { type ColumnType, checkText, type TableSchema } from './schema.js'

/** A field that must be quoted: a delimiter, quote, line break or BOM in it, or a space at an end. */
const NEEDS_QUOTES = /[",\r\n\uFEFF]|^ | $/

export function quoted(text: string): string {
  return text === '' || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One value as CSV field text: null as an empty field, the empty string as `""`. */
export function field(value: unknown, type: ColumnType, name: string): string {
  if (value === null || value === undefined) return ''
  switch (type) {
    case 'int':
    case 'float':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'timestamp':
      return (value as Date).toISOString()
    case 'string':
      checkText(value as string, name)
      return quoted(value as string)
    case 'json':
      return quoted(JSON.stringify(value))
    case 'binary':
      return quoted(Buffer.from(value as Uint8Array).toString('base64'))
    default:
      return quoted(String(value))
  }
}

/**
 * CSV text for records: a header row; null as an unquoted empty field and the empty string as
 * `""` (DuckDB's reading); dates as ISO 8601; nested JSON as JSON text; bytes as base64. Fields
 * are quoted as papaparse's `unparse` quoted them; lines end with `\n`, the last has none.
 */
export function encodeCsv(records: readonly Record<string, unknown>[], schema: TableSchema): Uint8Array {
  const columns = schema.columns
  const lines = new Array<string>(records.length + 1)
  lines[0] = columns.map((c) => quoted(c.name)).join(',')
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    let line = ''
    for (let j = 0; j < columns.length; j++) {
      const { name, type } = columns[j]!
      if (j > 0) line += ','
      line += field(record[name], type, name)
    }
    lines[i + 1] = line
  }
  // A header alone ends with its line break, as papaparse's did.
  return Buffer.from(records.length === 0 ? `${lines[0]}\n` : lines.join('\n'), 'utf8')
}

/** A field typed by its column; text that is not of that type throws (the caller reports CORRUPT_DATA). */
function parseTyped(text: string, type: ColumnType): unknown {
  switch (type) {
    case 'int':
    case 'float': {
      const n = Number(text)
      if ((Number.isNaN(n) && text !== 'NaN') || (type === 'int' && !Number.isInteger(n))) throw new Error(text)
      return n
    }
    case 'bigint':
      return BigInt(text)
    case 'boolean':
      if (/^(true|True|1)$/.test(text)) return true
      if (/^(false|False|0)$/.test(text)) return false
      throw new Error(text)
    case 'timestamp': {
      // ISO-8601 only, naive as UTC: `new Date(text)` would read "1" as 2001 and naive text in local time.
      const ms = parseIsoTimestamp(text)
      if (ms === undefined) throw new Error(text)
      return new Date(ms)
    }
    case 'json':
      return JSON.parse(text)
    case 'binary':
      return new Uint8Array(Buffer.from(text, 'base64'))
    case 'null':
      return null
    default:
      return text
  }
}

/** Types a field with no recorded schema, as pandas would: numbers and booleans. */
function parseUntyped(text: string): unknown {
  if (/^-?(0|[1-9][0-9]*)$/.test(text)) {
    const n = Number(text)
    return Number.isSafeInteger(n) ? n : BigInt(text)
  }
  if (/^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return Number(text)
  if (text === 'true' || text === 'True') return true
  if (text === 'false' || text === 'False') return false
  return text
}

/**
 * Rows from CSV bytes. With `schema` (recorded at write time) values come back typed exactly;
 * without it (legacy or foreign files) numbers and booleans are inferred. An unquoted empty field
 * is null; a quoted one is the empty string.
 */
export function decodeCsv(bytes: Uint8Array, schema?: TableSchema, key?: string): Record<string, unknown>[] {
  const types = new Map(schema?.columns.map((c) => [c.name, c.type]))
  const rows: Record<string, unknown>[] = []
  let names: string[] | undefined
  let newRow: (() => Record<string, unknown>) | undefined
  // Each record is made into its row as soon as it is read (see tokenizeRecords).
  tokenizeCsv(
    new TextDecoder().decode(bytes),
    ({ fields, quoted }) => {
      if (names === undefined) {
        names = fields
        const seen = new Set<string>()
        for (const name of names) {
          if (seen.has(name)) throw new StorageError('INVALID_ARGUMENT', `CSV header names column ${JSON.stringify(name)} twice`, { key })
          seen.add(name)
        }
        newRow = rowMaker(names)
        return
      }
      const number = rows.length + 2
      if (fields.length !== names.length) {
        throw new StorageError('CORRUPT_DATA', `CSV row ${number} has ${fields.length} fields, the header has ${names.length}`, { key })
      }
      const row = newRow!()
      for (let i = 0; i < names.length; i++) {
        const field = fields[i]!
        const type = types.get(names[i]!)
        try {
          const value =
            field === '' ? (quoted[i] && (type === undefined || type === 'string') ? '' : null)
            : type ? parseTyped(field, type)
            : parseUntyped(field)
          setOwn(row, names[i]!, value)
        } catch (cause) {
          throw new StorageError('CORRUPT_DATA', `CSV row ${number}, column ${names[i]}: not a ${type}`, { key, cause })
        }
      }
      rows.push(row)
    },
    key,
  )
  return rows
}
