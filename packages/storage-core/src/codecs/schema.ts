import { StorageError } from '../errors.js'
import { isWellFormedText } from '../keys.js'

/**
 * Logical column types: what a JavaScript value was, so reads give the same kind back.
 * `int` is a JS number holding an integer; `bigint` is a JS bigint (both INT64-capable in Parquet).
 */
export type ColumnType = 'int' | 'float' | 'bigint' | 'boolean' | 'string' | 'timestamp' | 'json' | 'binary' | 'null'

export interface ColumnSchema {
  name: string
  type: ColumnType
}

export interface TableSchema {
  columns: ColumnSchema[]
}

const MAX_COLUMNS = 10_000

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** The logical type of one value; throws `INVALID_ARGUMENT` for values that are not plain data. */
export function typeOfValue(value: unknown, column: string): ColumnType {
  switch (typeof value) {
    case 'undefined':
      return 'null'
    case 'string':
      if (!isWellFormedText(value)) throw notPlain(column, 'a string that is not valid Unicode (a lone surrogate)')
      return 'string'
    case 'boolean':
      return 'boolean'
    case 'bigint':
      return 'bigint'
    case 'number':
      // -0, non-finite and unsafe integers (which INT64 cannot hold exactly) only survive as floats.
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? 'int' : 'float'
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw notPlain(column, 'an invalid Date')
        return 'timestamp'
      }
      if (value instanceof Uint8Array) return 'binary'
      if (Array.isArray(value) || isPlainObject(value)) {
        checkJson(value, column)
        return 'json'
      }
      throw notPlain(column, `an instance of ${value.constructor?.name ?? 'an unknown class'}`)
    }
    default:
      throw notPlain(column, `a ${typeof value}`)
  }
}

function notPlain(column: string, what: string): StorageError {
  return new StorageError('INVALID_ARGUMENT', `column ${JSON.stringify(column)} holds ${what}, which is not plain data`)
}

/** Nested JSON must survive JSON.stringify exactly: no cycles, no bigint, no functions. */
function checkJson(value: object, column: string): void {
  const seen = new Set<object>()
  const visit = (v: unknown): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw notPlain(column, 'a non-finite number inside nested JSON')
      return
    }
    if (typeof v !== 'object') throw notPlain(column, `a ${typeof v} inside nested JSON`)
    if (seen.has(v)) throw notPlain(column, 'a cycle')
    if (!Array.isArray(v) && !isPlainObject(v)) throw notPlain(column, 'a class instance inside nested JSON')
    // A `__proto__` key cannot survive a copy into a plain object (it sets the prototype instead).
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) throw notPlain(column, 'a "__proto__" key inside nested JSON')
    seen.add(v)
    for (const child of Array.isArray(v) ? v : Object.values(v)) visit(child)
    seen.delete(v)
  }
  visit(value)
}

/** Combines two types seen in one column: int+float widens to float; anything else must agree. */
export function unifyTypes(a: ColumnType, b: ColumnType, column: string): ColumnType {
  if (a === b || b === 'null') return a
  if (a === 'null') return b
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float'
  throw new StorageError('SCHEMA_MISMATCH', `column ${JSON.stringify(column)} mixes ${a} and ${b} values`)
}

/** Infers the schema over all records (not just the first): columns in order of first appearance. */
export function inferSchema(records: readonly Record<string, unknown>[]): TableSchema {
  return inferColumns(records, false).schema
}

/** Columns found so far, by position and by name. */
interface Columns {
  names: string[]
  types: ColumnType[]
  values: unknown[][]
  position: Map<string, number>
}

/**
 * The schema, and with `collect` the records' values by column (missing ones as holes), which the
 * Parquet writer encodes from without reading every record again. Keys in `skip` are left out of
 * both; `skipped` tells whether any record had one.
 *
 * One pass: keys come from for-in (served from V8's shape cache) and are matched to columns by
 * position, since records mostly share a shape; a value of its column's known type is confirmed
 * by `isOfType` without the full classification.
 */
export function inferColumns(
  records: readonly Record<string, unknown>[],
  collect: boolean,
  skip: readonly string[] = [],
): { schema: TableSchema; values: unknown[][]; skipped: boolean } {
  const columns: Columns = { names: [], types: [], values: [], position: new Map() }
  const { names, types, values } = columns
  let skipped = false
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    if (record === null || typeof record !== 'object' || Array.isArray(record) || !isPlainObject(record)) {
      throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
    }
    let j = 0
    for (const column in record) {
      const value = record[column]
      let at = j
      if (names[j] !== column) {
        if (skip.includes(column)) {
          skipped = true
          continue
        }
        at = columnAt(columns, column, value, collect ? records.length : -1)
      } else if (value != null && !isOfType(types[at]!, value)) {
        types[at] = unifyTypes(types[at]!, typeOfValue(value, column), column)
      }
      if (collect) values[at]![i] = value
      j = at + 1
    }
  }
  return { schema: { columns: names.map((name, j) => ({ name, type: types[j]! })) }, values, skipped }
}

/** The position of a column met out of order, added when new; kept out of the loop above. */
function columnAt(columns: Columns, column: string, value: unknown, rows: number): number {
  const { names, types, values, position } = columns
  const at = position.get(column)
  if (at !== undefined) {
    if (value != null && !isOfType(types[at]!, value)) types[at] = unifyTypes(types[at]!, typeOfValue(value, column), column)
    return at
  }
  checkColumnName(column)
  names.push(column)
  types.push(typeOfValue(value, column))
  if (rows >= 0) values.push(new Array(rows))
  position.set(column, names.length - 1)
  if (names.length > MAX_COLUMNS) {
    throw new StorageError('INVALID_ARGUMENT', `records have more than ${MAX_COLUMNS} columns`)
  }
  return names.length - 1
}

function checkColumnName(column: string): void {
  if (column === '') throw new StorageError('INVALID_ARGUMENT', 'column names must not be empty')
  if (column === '__proto__') {
    throw new StorageError('INVALID_ARGUMENT', 'a column named "__proto__" cannot be read back into an object')
  }
  if (!isWellFormedText(column)) {
    throw new StorageError('INVALID_ARGUMENT', `column name ${JSON.stringify(column)} is not valid Unicode (a lone surrogate)`)
  }
}

/** Whether `typeOfValue(value)` would keep `type` as it is; false sends the value the long way. */
function isOfType(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string' && isWellFormedText(value)
    case 'float':
      return typeof value === 'number'
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)
    case 'boolean':
      return typeof value === 'boolean'
    case 'bigint':
      return typeof value === 'bigint'
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime())
    default:
      // json is checked value by value; binary and null are rare enough to classify fully
      return false
  }
}

/** Checks that data appended under `next` can be read together with data written under `prev`. */
export function checkCompatible(prev: TableSchema, next: TableSchema): void {
  const before = new Map(prev.columns.map((c) => [c.name, c.type]))
  for (const column of next.columns) {
    const old = before.get(column.name)
    if (old !== undefined) unifyTypes(old, column.type, column.name)
  }
}
