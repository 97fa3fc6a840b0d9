import { type ColumnValues, columnValues, setValue } from '../column-values.js'
import type { ColumnType, TableSchema } from '../schema.js'
import { BOOLEAN, BYTE_ARRAY, DOUBLE, INT_64, INT64, JSON_TEXT, TIMESTAMP_MILLIS, UTF8 } from './format.js'
import type { WriterState } from './writer-state.js'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** The LogicalType union's members we write (their field ids in parquet.thrift). */
export const LOGICAL_STRING = 1
export const LOGICAL_TIMESTAMP = 8
export const LOGICAL_INTEGER = 10
export const LOGICAL_JSON = 12

/** What a column is in the file, the same in every row group. */
export interface ColumnSpec {
  name: string
  type: ColumnType
  physical: number
  converted?: number
  logical?: number
}

/** A row group's rows of a column, in the arrays its physical type encodes from. */
export interface Column extends ColumnSpec {
  /** 1 where the row has a value. */
  defined: Uint8Array
  /** int, float and timestamp (as epoch ms) values. */
  numbers?: Float64Array
  bigints?: BigInt64Array
  booleans?: Uint8Array
  /** string and json (as JSON text) values; binary values as bytes. */
  items?: unknown[]
}

/** Records' values by column in the order of `schema`: what `writeParquet` encodes. */
export function transpose(records: readonly Record<string, unknown>[], schema: TableSchema): ColumnValues[] {
  const { columns } = schema
  const values = columns.map((c) => columnValues(c.type, records.length))
  const position = new Map(columns.map((c, j) => [c.name, j]))
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    let j = 0
    // for-in is served from V8's shape cache; columns match by position while records share a shape.
    for (const key in record) {
      const at = columns[j]?.name === key ? j : position.get(key)
      if (at === undefined) continue
      const value = record[key]
      if (value != null) setValue(values[at]!, columns[at]!.type, i, value)
      j = at + 1
    }
  }
  return values
}

/** The physical type and annotations of a column: a LogicalType, and the converted type beside it. */
export function columnSpec(name: string, type: ColumnType): ColumnSpec {
  // Always INT64: a table column keeps one physical type whatever values a write brings.
  if (type === 'int') return { name, type, physical: INT64, converted: INT_64, logical: LOGICAL_INTEGER }
  if (type === 'bigint') return { name, type, physical: INT64, converted: INT_64, logical: LOGICAL_INTEGER }
  if (type === 'float') return { name, type, physical: DOUBLE }
  if (type === 'boolean') return { name, type, physical: BOOLEAN }
  if (type === 'timestamp') return { name, type, physical: INT64, converted: TIMESTAMP_MILLIS, logical: LOGICAL_TIMESTAMP }
  if (type === 'json') return { name, type, physical: BYTE_ARRAY, converted: JSON_TEXT, logical: LOGICAL_JSON }
  if (type === 'binary') return { name, type, physical: BYTE_ARRAY }
  // string, and all-null columns (nullable strings, the type DuckDB and pyarrow read best)
  return { name, type, physical: BYTE_ARRAY, converted: UTF8, logical: LOGICAL_STRING }
}

/** Rows [start, end) of a column, indexed from 0, in the arrays its physical type encodes from. */
export function columnChunk(state: WriterState, spec: ColumnSpec, values: ColumnValues, start: number, end: number): Column {
  const count = end - start
  const defined = values.defined.subarray(start, end)
  const { name, type, physical, converted, logical } = spec
  // Every field in one literal: one object shape for all columns keeps the encoding loops monomorphic.
  const column: Column = {
    name,
    type,
    physical,
    converted,
    logical,
    defined,
    numbers: undefined,
    bigints: undefined,
    booleans: undefined,
    items: undefined,
  }
  if (type === 'int' || type === 'float' || type === 'timestamp') {
    column.numbers = values.numbers!.subarray(start, end)
  } else if (type === 'boolean') {
    const booleans = state.booleans(count)
    const numbers = values.numbers!
    for (let i = 0; i < count; i++) booleans[i] = numbers[start + i]!
    column.booleans = booleans
  } else if (type === 'bigint') {
    // Bigints within ±2^53 (DuckDB and pyarrow give every integer as one) are encoded from numbers,
    // as INT64 all the same, so they take the number paths: small-range dictionaries, quick bounds.
    if (!values.wide) {
      column.numbers = values.numbers!.subarray(start, end)
      return column
    }
    const { numbers, items } = values
    const bigints = state.bigints(count)
    for (let i = 0; i < count; i++) {
      if (defined[i] === 0) continue
      const value = (items![start + i] as bigint | undefined) ?? BigInt(numbers![start + i]!)
      if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`parquet INT64 value out of range: ${value}`)
      bigints[i] = value
    }
    column.bigints = bigints
  } else if (values.items) {
    // JSON values become text in a copy: the caller's values stay as they were given.
    const whole = start === 0 && end === values.items.length && type !== 'json'
    const items = whole ? values.items : values.items.slice(start, end)
    if (type === 'json') {
      for (let i = 0; i < count; i++) if (defined[i] === 1) items[i] = JSON.stringify(items[i])
    }
    column.items = items
  }
  return column
}

