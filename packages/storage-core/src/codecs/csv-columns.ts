/**
 * CSV text written straight from values by column (a scan's slices), byte for byte what
 * `encodeCsv` writes for the same rows: each slice's columns typed as `inferSchema` types them,
 * each value formatted as `encodeCsv` formats a value of that type. Integers, timestamps and plain
 * ASCII text are written as bytes into one buffer, with no string made per field; other numbers are
 * read from one JSON text of their column; anything else takes `encodeCsv`'s own formatting.
 */
import { field, quoted } from './csv.js'
import type { ColumnSlice } from './parquet-pages.js'
import { type ColumnType, typeOfValue, unifyTypes } from './schema.js'

const COMMA = 0x2c
const NEWLINE = 0x0a
const QUOTE = 0x22
const SPACE = 0x20
const CR = 0x0d
const MINUS = 0x2d
const CLOSE_BRACKET = 0x5d
const MAX_NUMBER_TEXT = 32
const ZERO = 0x30

const INTEGER = 1
const TIMESTAMP = 2
const TEXT = 3
const BIGINT = 4
const BOOLEAN = 5
const GENERAL = 6
const DOUBLE = 7
/** A float column whose values all have short decimal text (`shortDecimal`). */
const DECIMAL = 8

/** 2^31: below it a double's spacing is under 2^-22, so at most one six-decimal number rounds to it. */
const DECIMAL_LIMIT = 2_147_483_648
const MICRO = 1_000_000

/**
 * Whether `v` (finite) is the double nearest a number of at most six decimals, with
 * |v| < 2^31. Such a number is then the only one of at most six decimals that rounds to `v`, so it
 * is the shortest text that does: `String(v)`, which `Bytes.decimal` writes without making it.
 */
function shortDecimal(v: number): boolean {
  const a = v < 0 ? -v : v
  return a < DECIMAL_LIMIT && Math.round(a * MICRO) / MICRO === a
}

/** Whether every value of a float column from `from` to `to` is null or a `shortDecimal`. */
function allShortDecimals(values: readonly unknown[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const v = values[i]
    if (v === null || v === undefined) continue
    if (typeof v !== 'number' || !shortDecimal(v)) return false
  }
  return true
}

const KIND: Record<ColumnType, number> = {
  int: INTEGER,
  float: DOUBLE,
  timestamp: TIMESTAMP,
  string: TEXT,
  bigint: BIGINT,
  boolean: BOOLEAN,
  json: GENERAL,
  binary: GENERAL,
  null: GENERAL,
}

/** Epoch milliseconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: years `toISOString` writes with four digits. */
const MIN_ISO_MS = -62_167_219_200_000
const MAX_ISO_MS = 253_402_300_799_999
const DAY_MS = 86_400_000
/** "00" to "99" as ASCII digits, two bytes each. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)))

/** No value at all: what no column value is. */
const NOTHING = Symbol('nothing')

/**
 * The type `inferSchema` gives a column of these values (it throws as `inferSchema` does). A column
 * of text, of safe integers or of other numbers (and nulls) is told by one tight loop; any other
 * takes `typeOfValue` value by value.
 */
function columnType(values: readonly unknown[], from: number, to: number, name: string): ColumnType {
  let i = from
  while (i < to && (values[i] === null || values[i] === undefined)) i++
  if (i === to) return 'null'
  const first = values[i]
  if (typeof first === 'string') {
    while (i < to && (typeof values[i] === 'string' || values[i] === null || values[i] === undefined)) i++
    if (i === to) return 'string'
  } else if (typeof first === 'number') {
    let whole = true
    for (; i < to; i++) {
      const v = values[i]
      if (typeof v === 'number') {
        if (whole && !(Number.isSafeInteger(v) && !(v === 0 && 1 / v < 0))) whole = false
      } else if (v !== null && v !== undefined) break
    }
    if (i === to) return whole ? 'int' : 'float'
  }
  return typedOneByOne(values, from, to, name)
}

function typedOneByOne(values: readonly unknown[], from: number, to: number, name: string): ColumnType {
  let type: ColumnType = 'null'
  for (let i = from; i < to; i++) {
    const v = values[i]
    if (v === null || v === undefined) continue
    const t = typeOfValue(v, name)
    if (t !== type) type = unifyTypes(type, t, name)
  }
  return type
}

/** Bytes written forward into a buffer of its own that grows as needed. */
class Bytes {
  buf: Buffer
  pos = 0

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity)
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  /** The bytes from `from` up to `to` once more. */
  repeat(from: number, to: number): void {
    this.ensure(to - from)
    const buf = this.buf
    let pos = this.pos
    for (let i = from; i < to; i++) buf[pos++] = buf[i]!
    this.pos = pos
  }

  /** ASCII `text` from `from` up to the next `,` or `]`; returns the index after that. */
  token(text: string, from: number): number {
    // The longest number text: a sign, 17 digits, a point and an exponent such as `e-308`.
    this.ensure(MAX_NUMBER_TEXT)
    const buf = this.buf
    let pos = this.pos
    let i = from
    let c = text.charCodeAt(i)
    while (c !== COMMA && c !== CLOSE_BRACKET) {
      buf[pos++] = c
      c = text.charCodeAt(++i)
    }
    this.pos = pos
    return i + 1
  }

  /** Text known to be ASCII. */
  ascii(text: string): void {
    const n = text.length
    this.ensure(n)
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i)
    this.pos = pos
  }

  utf8(text: string): void {
    this.ensure(text.length * 3)
    this.pos += this.buf.write(text, this.pos, 'utf8')
  }

  /** A safe integer other than -0, as `String` writes it. */
  integer(value: number): void {
    this.ensure(17)
    let v = value
    if (v < 0) {
      this.buf[this.pos++] = MINUS
      v = -v
    }
    if (v < 1_000_000_000) {
      this.digits(v)
      return
    }
    const high = Math.floor(v / 1_000_000_000)
    this.digits(high)
    this.padded(v - high * 1_000_000_000, 9)
  }

  /** A `shortDecimal` value, as `String` writes it (and -0 as `-0`, as `encodeCsv` does). */
  decimal(v: number): void {
    this.ensure(20)
    if (v === 0 && 1 / v < 0) {
      this.ascii('-0')
      return
    }
    let a = v
    if (a < 0) {
      this.buf[this.pos++] = MINUS
      a = -a
    }
    const scaled = Math.round(a * MICRO)
    const whole = Math.floor(scaled / MICRO)
    this.integer(whole)
    const fraction = scaled - whole * MICRO
    if (fraction === 0) return
    this.buf[this.pos++] = 0x2e // .
    this.padded(fraction, 6)
    while (this.buf[this.pos - 1] === ZERO) this.pos--
  }

  /** A non-negative integer below 10^9. */
  private digits(v: number): void {
    const n =
      v < 10 ? 1
      : v < 100 ? 2
      : v < 1000 ? 3
      : v < 10_000 ? 4
      : v < 100_000 ? 5
      : v < 1_000_000 ? 6
      : v < 10_000_000 ? 7
      : v < 100_000_000 ? 8
      : 9
    this.padded(v, n)
  }

  /** A non-negative integer below 2^31 in exactly `width` digits, zeros in front. */
  private padded(v: number, width: number): void {
    const buf = this.buf
    const start = this.pos
    let i = start + width
    let t = v
    while (t >= 100) {
      const q = (t / 100) | 0
      const r = (t - q * 100) << 1
      buf[--i] = DIGIT_PAIRS[r + 1]!
      buf[--i] = DIGIT_PAIRS[r]!
      t = q
    }
    if (t >= 10) {
      buf[--i] = DIGIT_PAIRS[(t << 1) + 1]!
      buf[--i] = DIGIT_PAIRS[t << 1]!
    } else {
      buf[--i] = ZERO + t
    }
    while (i > start) buf[--i] = ZERO
    this.pos = start + width
  }

  /** The day `dayText` holds (`YYYY-MM-DDT`): rows of one day share it. */
  private day = Number.NaN
  private readonly dayText = new Uint8Array(11)

  /** Epoch milliseconds between `MIN_ISO_MS` and `MAX_ISO_MS`, as `Date.prototype.toISOString` writes them. */
  iso(ms: number): void {
    this.ensure(24)
    const days = Math.floor(ms / DAY_MS)
    if (days !== this.day) this.setDay(days)
    const buf = this.buf
    const dayText = this.dayText
    let pos = this.pos
    for (let i = 0; i < 11; i++) buf[pos++] = dayText[i]!
    this.pos = pos
    let rest = ms - days * DAY_MS
    const hours = Math.floor(rest / 3_600_000)
    rest -= hours * 3_600_000
    const minutes = Math.floor(rest / 60_000)
    rest -= minutes * 60_000
    const seconds = Math.floor(rest / 1000)
    const millis = rest - seconds * 1000
    this.padded(hours, 2)
    buf[this.pos++] = 0x3a // :
    this.padded(minutes, 2)
    buf[this.pos++] = 0x3a
    this.padded(seconds, 2)
    buf[this.pos++] = 0x2e // .
    this.padded(millis, 3)
    buf[this.pos++] = 0x5a // Z
  }

  /** Days since 1970 to a civil date (H. Hinnant's algorithm, years counted from March), as `dayText`. */
  private setDay(days: number): void {
    const z = days + 719_468
    const era = Math.floor(z / 146_097)
    const doe = z - era * 146_097
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
    const mp = Math.floor((5 * doy + 2) / 153)
    const day = doy - Math.floor((153 * mp + 2) / 5) + 1
    const month = mp < 10 ? mp + 3 : mp - 9
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    // Written at the end of the buffer (`ensure` left room), then kept.
    const start = this.pos
    this.padded(year, 4)
    this.buf[this.pos++] = MINUS
    this.padded(month, 2)
    this.buf[this.pos++] = MINUS
    this.padded(day, 2)
    this.buf[this.pos++] = 0x54 // T
    this.dayText.set(this.buf.subarray(start, this.pos))
    this.pos = start
    this.day = days
  }

  /** Text that needs no quotes and is ASCII, as it is; false (nothing written) for any other. */
  plainText(text: string): boolean {
    const n = text.length
    if (n === 0 || text.charCodeAt(0) === SPACE || text.charCodeAt(n - 1) === SPACE) return false
    this.ensure(n)
    const buf = this.buf
    const start = this.pos
    let pos = start
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80 || c === QUOTE || c === COMMA || c === NEWLINE || c === CR) return false
      buf[pos++] = c
    }
    this.pos = pos
    return true
  }
}

/**
 * Writes CSV under fixed columns, a slice of rows at a time: the header once, then every row as a
 * line ending with `\n`. A column a slice lacks is empty in its rows.
 */
export class CsvColumnsEncoder {
  private capacity = 64 * 1024

  constructor(private readonly names: readonly string[]) {}

  /** The header line, with its line break. */
  header(): Uint8Array {
    return Buffer.from(`${this.names.map(quoted).join(',')}\n`, 'utf8')
  }

  /** Rows `from` up to `to` of `slice` as CSV lines, in a buffer of their own (never Node's shared pool: it can be transferred). */
  encode(slice: ColumnSlice, from = 0, to = slice.length): Uint8Array {
    const count = this.names.length
    const values: (readonly unknown[] | undefined)[] = new Array(count)
    const kinds: number[] = new Array(count)
    const types: ColumnType[] = new Array(count)
    const doubles: string[] = new Array(count).fill('')
    const cursors: number[] = new Array(count).fill(0)
    const last: unknown[] = new Array(count).fill(NOTHING)
    const lastStart: number[] = new Array(count).fill(0)
    const lastEnd: number[] = new Array(count).fill(0)
    for (let j = 0; j < count; j++) {
      const name = this.names[j]!
      const at = slice.names.indexOf(name)
      const column = at === -1 ? undefined : slice.values[at]
      const type = column ? columnType(column, from, to, name) : 'null'
      values[j] = type === 'null' ? undefined : column
      types[j] = type
      kinds[j] = KIND[type]
      if (kinds[j] === DOUBLE && allShortDecimals(column!, from, to)) kinds[j] = DECIMAL
      if (kinds[j] === DOUBLE) {
        // JSON.stringify writes a finite number as String does (ToString), and a whole array of
        // them far faster than String one at a time; each row's text is read from it in turn.
        doubles[j] = JSON.stringify(from === 0 && to === column!.length ? column : column!.slice(from, to))
        cursors[j] = 1
      }
    }
    const out = new Bytes(this.capacity)
    for (let i = from; i < to; i++) {
      for (let j = 0; j < count; j++) {
        if (j > 0) {
          out.ensure(1)
          out.buf[out.pos++] = COMMA
        }
        const column = values[j]
        if (column === undefined) continue
        const v = column[i]
        if (kinds[j] === DOUBLE) {
          // Every row has a token in the array's JSON, null too: the number's text up to the
          // next `,` (or the closing `]`), or `null`.
          const n = v as number | null | undefined
          if (n !== null && n !== undefined && Number.isFinite(n) && !(n === 0 && 1 / n < 0)) {
            cursors[j] = out.token(doubles[j]!, cursors[j]!)
            continue
          }
          const end = doubles[j]!.indexOf(',', cursors[j]!)
          cursors[j] = end === -1 ? doubles[j]!.length : end + 1
          if (n !== null && n !== undefined) out.ascii(Object.is(n, -0) ? '-0' : String(n))
          continue
        }
        if (v === null || v === undefined) continue
        if (kinds[j] === DECIMAL) {
          // Not through the run check below: 0 and -0 are ===, and their text differs.
          out.decimal(v as number)
          continue
        }
        // A column often holds one value for many rows in a row (a partition column, a game's
        // id, a team): its bytes are copied from where they were last written.
        if (v === last[j]) {
          out.repeat(lastStart[j]!, lastEnd[j]!)
          continue
        }
        last[j] = v
        lastStart[j] = out.pos
        switch (kinds[j]) {
          case INTEGER:
            out.integer(v as number)
            break
          case TIMESTAMP: {
            const ms = (v as Date).getTime()
            if (ms >= MIN_ISO_MS && ms <= MAX_ISO_MS) out.iso(ms)
            else out.ascii((v as Date).toISOString())
            break
          }
          case TEXT:
            if (!out.plainText(v as string)) out.utf8(field(v, 'string', this.names[j]!))
            break
          case BIGINT:
            out.ascii(String(v))
            break
          case BOOLEAN:
            out.ascii(v ? 'true' : 'false')
            break
          default:
            out.utf8(field(v, types[j]!, this.names[j]!))
        }
        lastEnd[j] = out.pos
      }
      out.ensure(1)
      out.buf[out.pos++] = NEWLINE
    }
    // The next slice starts with room for as much as this one took.
    this.capacity = Math.max(this.capacity, out.pos + (out.pos >> 3))
    return out.buf.subarray(0, out.pos)
  }
}
