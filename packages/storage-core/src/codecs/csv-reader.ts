import { StorageError } from '../errors.js'
import { parseIsoTimestamp } from './iso-timestamp.js'
import { rowMaker, setOwn } from './own-property.js'
import { type CsvRecord, tokenizeRecords } from './csv-tokenizer.js'

/** Types a CSV column can be given instead of inferred. */
export const CSV_COLUMN_TYPES = ['string', 'number', 'bigint', 'boolean', 'timestamp'] as const
export type CsvColumnType = (typeof CSV_COLUMN_TYPES)[number]

export interface CsvReadOptions {
  /** One character other than a quote or line end; default `,`. */
  delimiter?: string
  /** Columns whose type is given rather than inferred (`zip: 'string'` keeps `02134` as text). */
  types?: Readonly<Record<string, CsvColumnType>>
  /** Records that decide the inferred types (default 100,000); the ones after must fit them. */
  sample?: number
  /** Called with the header's names before they are checked, to refuse or explain them first. */
  onHeader?: (names: readonly string[]) => void
  /** The file, for errors. */
  key?: string
}

/** `int` is a number column whose values are all integers, kept apart only to tell bigints from numbers. */
type Inferred = CsvColumnType | 'int'

const INTEGER = /^-?(0|[1-9][0-9]*)$/
const LEADING_ZERO = /^-?0[0-9]/
const NUMBER = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?(NaN|Infinity)$/
const BOOLEAN = /^(true|false)$/i

/**
 * Rows of a CSV file read a piece at a time, each column of one type: given, or inferred from the
 * first `sample` records. Inferred are integers (bigint when one is beyond 2^53), numbers (`1e3`,
 * `NaN` too), booleans (`true`, `FALSE`), else text; an integer written with a leading zero
 * (`02134`) is text, which as a number would lose the zero. An unquoted empty field is null and a
 * quoted one the empty string, as DuckDB reads them. A header that names a column twice, or none,
 * and a record with another number of fields are refused.
 *
 * `push` takes the file's text in pieces (split anywhere) and returns the rows completed so far;
 * `end` returns the rest. Memory is the sample's text, then a piece's rows.
 */
export class CsvRecordReader {
  private readonly delimiter: string
  private readonly sample: number
  private readonly key: string | undefined
  private rest = ''
  private started = false
  private names: string[] | undefined
  private types: Inferred[] | undefined
  /** Until the types are known: each column's kind so far, and the text of the records read. */
  private kinds: (Inferred | undefined)[] = []
  private sampled = 0
  private held: { text: string; header: boolean }[] = []
  /** Records read so far, the header included: the next record's number. */
  private count = 0
  /** Makes an empty row of the header's columns, once the types are known. */
  private newRow: (() => Record<string, unknown>) | undefined

  constructor(private readonly options: CsvReadOptions = {}) {
    const delimiter = options.delimiter ?? ','
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new StorageError('INVALID_ARGUMENT', `a CSV delimiter is one character other than a quote or line end, got ${JSON.stringify(delimiter)}`)
    }
    this.delimiter = delimiter
    this.sample = Math.max(1, options.sample ?? 100_000)
    this.key = options.key
  }

  /** The header's names, once read. */
  get columns(): readonly string[] | undefined {
    return this.names
  }

  push(text: string): Record<string, unknown>[] {
    return this.read(text, false)
  }

  end(): Record<string, unknown>[] {
    return this.read('', true)
  }

  private read(text: string, final: boolean): Record<string, unknown>[] {
    let all = this.rest + text
    let from = 0
    if (!this.started && all.length > 0) {
      this.started = true
      if (all.charCodeAt(0) === 0xfeff) from = 1
    }
    if (this.types !== undefined) {
      // Typed: each record is made into its row as soon as it is read (see tokenizeRecords).
      const rows: Record<string, unknown>[] = []
      const end = tokenizeRecords(all, from, this.delimiter, final, (record) => rows.push(this.row(record, ++this.count)), this.key)
      this.rest = all.slice(end)
      return rows
    }
    const records: CsvRecord[] = []
    const end = tokenizeRecords(all, from, this.delimiter, final, (record) => records.push(record), this.key)
    const whole = all.slice(from, end)
    this.rest = all.slice(end)
    all = ''
    let start = 0
    if (this.names === undefined && records.length > 0) {
      this.header(records[0]!.fields)
      this.count = 1
      start = 1
    }
    if (this.names === undefined) return []
    for (let r = start; r < records.length; r++) this.checkWidth(records[r]!, this.count + r - start + 1)
    const body = start === 0 ? records : records.slice(start)
    // The sample is kept as text, far smaller than its tokens, and read again once typed.
    for (let r = 0; r < body.length && this.sampled < this.sample; r++, this.sampled++) this.note(body[r]!)
    if (whole !== '') this.held.push({ text: whole, header: start === 1 })
    this.count += body.length
    if (this.sampled < this.sample && !final) return []
    this.types = this.names.map((name, j) => this.options.types?.[name] ?? this.kinds[j] ?? 'string')
    this.newRow = rowMaker(this.names)
    return this.heldRows()
  }

  /** Notes the kinds of a sampled record's unquoted values; a column of mixed kinds is text. */
  private note({ fields, quoted }: CsvRecord): void {
    for (let j = 0; j < fields.length; j++) {
      const type = this.kinds[j]
      const text = fields[j]!
      if (type === 'string' || (text === '' && !quoted[j])) continue
      this.kinds[j] = quoted[j] ? 'string' : unify(type, kindOf(text))
    }
  }

  /** The held records as rows, now that the types are known. */
  private heldRows(): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = []
    // The sample is every record after the header: record 2 on.
    let number = 2
    for (const { text, header } of this.held) {
      let skip = header
      tokenizeRecords(
        text,
        0,
        this.delimiter,
        true,
        (record) => {
          if (skip) skip = false
          else rows.push(this.row(record, number++))
        },
        this.key,
      )
    }
    this.held = []
    return rows
  }

  private header(names: string[]): void {
    this.options.onHeader?.(names)
    const seen = new Set<string>()
    for (const name of names) {
      if (name === '') throw this.invalid('the header has an empty column name')
      if (name === '__proto__') throw this.invalid('a column named "__proto__" cannot be stored')
      if (seen.has(name)) throw this.invalid(`the header names column ${JSON.stringify(name)} twice`)
      seen.add(name)
    }
    for (const name of Object.keys(this.options.types ?? {})) {
      if (!seen.has(name)) throw this.invalid(`a type is given for column ${JSON.stringify(name)}, which the header lacks (it has ${names.join(', ')})`)
    }
    this.names = names
  }

  private checkWidth(record: CsvRecord, number: number): void {
    const width = this.names!.length
    if (record.fields.length !== width) {
      throw new StorageError('CORRUPT_DATA', `record ${number} has ${record.fields.length} fields, the header has ${width}`, { key: this.key })
    }
  }

  /** Record number `number` of the file as a row. */
  private row(record: CsvRecord, number: number): Record<string, unknown> {
    this.checkWidth(record, number)
    const { fields, quoted } = record
    const names = this.names!
    const types = this.types!
    const row = this.newRow!()
    for (let j = 0; j < names.length; j++) {
      const text = fields[j]!
      const type = types[j]!
      const value = text === '' ? (quoted[j] && type === 'string' ? '' : null) : convert(text, type)
      if (value === undefined) {
        const given = this.options.types?.[names[j]!] !== undefined
        const shown = type === 'int' ? 'number' : type
        throw this.invalid(
          `record ${number}, column ${JSON.stringify(names[j])}: ${JSON.stringify(text.slice(0, 40))} is not a ${shown}${given ? '' : ` (the type its first ${this.sample} records have)`}`,
        )
      }
      setOwn(row, names[j]!, value)
    }
    return row
  }

  private invalid(message: string): StorageError {
    return new StorageError('INVALID_ARGUMENT', message, { key: this.key })
  }
}

/** The kind of one unquoted, non-empty value. */
function kindOf(text: string): Inferred {
  if (INTEGER.test(text)) return Number.isSafeInteger(Number(text)) ? 'int' : 'bigint'
  if (LEADING_ZERO.test(text)) return 'string'
  if (NUMBER.test(text)) return 'number'
  if (BOOLEAN.test(text)) return 'boolean'
  return 'string'
}

/** The kind a column of `type` values so far has with one of `kind` more. */
function unify(type: Inferred | undefined, kind: Inferred): Inferred {
  if (type === undefined || type === kind) return kind
  if ((type === 'int' || type === 'number') && (kind === 'int' || kind === 'number')) return 'number'
  if ((type === 'int' || type === 'bigint') && (kind === 'int' || kind === 'bigint')) return 'bigint'
  return 'string'
}

/** A field as its column's type; undefined when it is not one. */
function convert(text: string, type: Inferred): unknown {
  switch (type) {
    case 'int':
    case 'number':
      return NUMBER.test(text.trim()) ? Number(text) : undefined
    case 'bigint':
      try {
        return BigInt(text.trim())
      } catch {
        return undefined
      }
    case 'boolean': {
      const t = text.trim()
      if (/^(true|1)$/i.test(t)) return true
      if (/^(false|0)$/i.test(t)) return false
      return undefined
    }
    case 'timestamp': {
      // ISO-8601 only, naive as UTC: `new Date(text)` would read "1" as 2001 and naive text in local time.
      const ms = parseIsoTimestamp(text)
      return ms === undefined ? undefined : new Date(ms)
    }
    default:
      return text
  }
}
