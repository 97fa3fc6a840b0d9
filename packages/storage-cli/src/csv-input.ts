import type { Row } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

/** Types `--type col=type` can force on a CSV column. */
export const CSV_TYPES = ['string', 'number', 'bigint', 'boolean', 'timestamp'] as const
export type CsvType = (typeof CSV_TYPES)[number]

export interface CsvOptions {
  /** One character; default `,`. */
  delimiter?: string
  /** Columns whose type is given rather than inferred. */
  types?: ReadonlyMap<string, CsvType>
}

interface Field {
  text: string
  quoted: boolean
}

/**
 * RFC 4180 records with any one-character delimiter, keeping which fields were quoted: an
 * unquoted empty field is null and a quoted one the empty string, as DuckDB reads them.
 */
function tokenize(text: string, delimiter: string, file: string): Field[][] {
  const records: Field[][] = []
  let record: Field[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length
  const endRecord = () => {
    if (!(record.length === 1 && record[0]!.text === '' && !record[0]!.quoted)) records.push(record)
    record = []
  }
  while (i < n) {
    let value = ''
    let quoted = false
    if (text[i] === '"') {
      quoted = true
      i++
      for (;;) {
        const close = text.indexOf('"', i)
        if (close < 0) throw new UsageError(`${file}: a quoted field is not closed (record ${records.length + 1})`)
        value += text.slice(i, close)
        i = close + 1
        if (text[i] !== '"') break
        value += '"'
        i++
      }
    } else {
      let end = i
      while (end < n && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++
      value = text.slice(i, end)
      i = end
    }
    record.push({ text: value, quoted })
    if (i >= n) break
    const c = text[i]
    if (c === delimiter) {
      i++
      if (i === n) record.push({ text: '', quoted: false })
    } else if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      endRecord()
    } else {
      throw new UsageError(`${file}: text after a closing quote in record ${records.length + 1}`)
    }
  }
  if (record.length > 0) endRecord()
  return records
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/
const NUMBER = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?(NaN|Infinity)$/
const BOOLEAN = /^(true|false)$/i

/**
 * The type a column's unquoted values all share: integers (bigint when one is beyond 2^53),
 * numbers (`1e3`, `NaN` too), booleans (`true`, `FALSE`), else text. An integer written with a
 * leading zero (`02134`) is text: as a number it would lose the zero.
 */
function inferType(values: readonly Field[]): CsvType | 'int' {
  let type: CsvType | 'int' | undefined
  for (const { text, quoted } of values) {
    if (text === '' && !quoted) continue
    if (quoted) return 'string'
    let kind: CsvType | 'int'
    if (INTEGER.test(text)) kind = Number.isSafeInteger(Number(text)) ? 'int' : 'bigint'
    else if (/^-?0[0-9]/.test(text)) return 'string'
    else if (NUMBER.test(text)) kind = 'number'
    else if (BOOLEAN.test(text)) kind = 'boolean'
    else return 'string'
    if (type === undefined || type === kind) type = kind
    else if ((type === 'int' || type === 'number') && (kind === 'int' || kind === 'number')) type = 'number'
    else if ((type === 'int' || type === 'bigint') && (kind === 'int' || kind === 'bigint')) type = 'bigint'
    else return 'string'
  }
  return type ?? 'string'
}

function convert(text: string, type: CsvType | 'int', column: string, line: number, file: string): unknown {
  const bad = () => new UsageError(`${file}: record ${line}, column ${JSON.stringify(column)}: ${JSON.stringify(text.slice(0, 40))} is not a ${type}`)
  switch (type) {
    case 'int':
    case 'number': {
      if (!NUMBER.test(text.trim())) throw bad()
      return Number(text)
    }
    case 'bigint':
      try {
        return BigInt(text.trim())
      } catch {
        throw bad()
      }
    case 'boolean':
      if (/^(true|1)$/i.test(text.trim())) return true
      if (/^(false|0)$/i.test(text.trim())) return false
      throw bad()
    case 'timestamp': {
      const date = new Date(text)
      if (Number.isNaN(date.getTime())) throw bad()
      return date
    }
    default:
      return text
  }
}

/** Rows of a CSV file: a header, then one row per record, each column typed as a whole. `file` names it in messages. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): Row[] {
  const delimiter = options.delimiter ?? ','
  const [header, ...records] = tokenize(text, delimiter, file)
  if (header === undefined) return []
  const names = header.map((f) => f.text)
  const likely = [';', '\t', '|'].find((c) => c !== delimiter && names.length === 1 && names[0]!.includes(c))
  if (options.delimiter === undefined && likely) {
    const shown = likely === '\t' ? 'tab' : likely
    throw new UsageError(`${file}: the header is one column ${JSON.stringify(names[0]!.slice(0, 60))}; if its fields are separated by ${shown}, add --delimiter ${JSON.stringify(shown)}`)
  }
  const seen = new Set<string>()
  for (const name of names) {
    if (name === '') throw new UsageError(`${file}: the header has an empty column name`)
    if (name === '__proto__') throw new UsageError(`${file}: a column named "__proto__" cannot be stored`)
    if (seen.has(name)) throw new UsageError(`${file}: the header names column ${JSON.stringify(name)} twice`)
    seen.add(name)
  }
  for (const name of options.types?.keys() ?? []) {
    if (!seen.has(name)) throw new UsageError(`--type ${name}: the file has no column ${JSON.stringify(name)} (it has ${names.join(', ')})`)
  }
  records.forEach((record, index) => {
    if (record.length !== names.length) {
      throw new UsageError(`${file}: record ${index + 2} has ${record.length} fields, the header has ${names.length}${delimiter === ',' ? ' (another delimiter? --delimiter)' : ''}`)
    }
  })
  const types = names.map((name, j) => options.types?.get(name) ?? inferType(records.map((r) => r[j]!)))
  return records.map((record, index) => {
    const row: Row = {}
    for (let j = 0; j < names.length; j++) {
      const { text, quoted } = record[j]!
      const type = types[j]!
      row[names[j]!] = text === '' ? (quoted && type === 'string' ? '' : null) : convert(text, type, names[j]!, index + 2, file)
    }
    return row
  })
}

/** `--type zip=string,score=number` to a map. */
export function parseTypes(text: string | undefined): Map<string, CsvType> {
  const types = new Map<string, CsvType>()
  for (const pair of text?.split(',') ?? []) {
    const [name, type] = pair.split('=').map((s) => s.trim())
    if (!name || !CSV_TYPES.includes(type as CsvType)) {
      throw new UsageError(`bad --type ${JSON.stringify(pair)}: use column=type, the type one of ${CSV_TYPES.join(', ')}`)
    }
    types.set(name, type as CsvType)
  }
  return types
}

/** `--delimiter`: one character, or `tab`. */
export function parseDelimiter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const delimiter = text === 'tab' || text === '\\t' ? '\t' : text
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UsageError(`bad --delimiter ${JSON.stringify(text)}: use one character such as ; or | (or tab)`)
  }
  return delimiter
}
