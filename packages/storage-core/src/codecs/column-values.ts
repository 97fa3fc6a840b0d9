/**
 * The column types and the typed buffers that hold a column's values between records and the
 * Parquet writer: what the record readers fill and the encoder reads.
 */

/**
 * Logical column types: what a JavaScript value was, so reads give the same kind back.
 * `int` is a JS number holding an integer; `bigint` is a JS bigint (both INT64-capable in Parquet).
 */
export type ColumnType = 'int' | 'float' | 'bigint' | 'boolean' | 'string' | 'timestamp' | 'json' | 'binary' | 'null'

/** A column's values as the Parquet writer encodes them, rows by index. */
export interface ColumnValues {
  /** 1 where the row has a value. */
  defined: Uint8Array
  /** int, float, timestamp (epoch ms) and boolean (0 or 1) values. */
  numbers: Float64Array | undefined
  /** string, bigint, json and binary values. */
  items: unknown[] | undefined
}

/** Whether a type's values are kept as numbers (in `numbers`) rather than as they are. */
function isNumeric(type: ColumnType): boolean {
  return type === 'int' || type === 'float' || type === 'timestamp' || type === 'boolean'
}

/** Storage for `rows` values of `type` ('null': none yet, only `defined`). */
export function columnValues(type: ColumnType, rows: number): ColumnValues {
  const numeric = isNumeric(type)
  return {
    defined: new Uint8Array(rows),
    numbers: numeric ? new Float64Array(rows) : undefined,
    items: !numeric && type !== 'null' ? new Array(rows) : undefined,
  }
}

/** Stores a non-null value of `type` at row `i`. */
export function setValue(column: ColumnValues, type: ColumnType, i: number, value: unknown): void {
  column.defined[i] = 1
  if (type === 'timestamp') column.numbers![i] = (value as Date).getTime()
  else if (type === 'boolean') column.numbers![i] = value ? 1 : 0
  else if (column.numbers) column.numbers[i] = value as number
  else column.items![i] = value
}
