/**
 * The column types and the typed buffers that hold a column's values between records and the
 * Parquet writer: what the record readers fill and the encoder reads.
 */
import { bigintNumber } from './int64-numbers.js'

/**
 * Logical column types: what a JavaScript value was, so reads give the same kind back.
 * `int` is a JS number holding an integer; `bigint` is a JS bigint (both INT64-capable in Parquet).
 */
export type ColumnType = 'int' | 'float' | 'bigint' | 'boolean' | 'string' | 'timestamp' | 'json' | 'binary' | 'null'

/** A column's values as the Parquet writer encodes them, rows by index. */
export interface ColumnValues {
  /** 1 where the row has a value. */
  defined: Uint8Array
  /** int, float, timestamp (epoch ms) and boolean (0 or 1) values; bigints as numbers. */
  numbers: Float64Array | undefined
  /** string, json and binary values; a bigint where its number is not a safe integer. */
  items: unknown[] | undefined
  /** A bigint column holds a value beyond ±2^53: its `numbers` are not all exact. */
  wide: boolean
}

/**
 * Whether a type's values are kept as numbers (in `numbers`) rather than as they are. Bigints are
 * kept as numbers too: DuckDB and pyarrow give every integer as a bigint, and nearly all fit
 * within ±2^53, so they are written from numbers as INT64 all the same.
 */
function isNumeric(type: ColumnType): boolean {
  return type === 'int' || type === 'float' || type === 'timestamp' || type === 'boolean' || type === 'bigint'
}

/** Storage for `rows` values of `type` ('null': none yet, only `defined`). */
export function columnValues(type: ColumnType, rows: number): ColumnValues {
  const numeric = isNumeric(type)
  return {
    defined: new Uint8Array(rows),
    numbers: numeric ? new Float64Array(rows) : undefined,
    items: (!numeric || type === 'bigint') && type !== 'null' ? new Array(rows) : undefined,
    wide: false,
  }
}

/** Stores a non-null value of `type` at row `i`. */
export function setValue(column: ColumnValues, type: ColumnType, i: number, value: unknown): void {
  column.defined[i] = 1
  if (type === 'timestamp') column.numbers![i] = (value as Date).getTime()
  else if (type === 'boolean') column.numbers![i] = value ? 1 : 0
  else if (type === 'bigint') setBigint(column, i, value as bigint)
  else if (column.numbers) column.numbers[i] = value as number
  else column.items![i] = value
}

/** A bigint as its number, and as itself too when that number is not exact. */
export function setBigint(column: ColumnValues, i: number, value: bigint): void {
  const n = bigintNumber(value)
  column.numbers![i] = n
  // A bigint of 2^53 or more in size becomes a number at least that large: never a safe integer.
  if (!Number.isSafeInteger(n)) {
    column.items![i] = value
    column.wide = true
  }
}
