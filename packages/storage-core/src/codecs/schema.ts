import { StorageError } from '../errors.js'
import { isWellFormedText } from '../keys/keys.js'
import { canonicalText } from '../partition/partition.js'
import { type ColumnType, type ColumnValues, columnValues, setValue } from './column-values.js'
import { BIGINT, BOOLEAN, FLOAT, INT, OTHER, type ReaderStyle, type RecordReader, readerFor, SKIP, STRING, TIMESTAMP } from './record-reader.js'

/** The column types are the schema's; they live beside the buffers that hold their values. */
export type { ColumnType }

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
      // Well-formedness is checked where text becomes UTF-8 (`checkText`), once per distinct value.
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

/** Text that UTF-8 cannot hold: encoders check every string they write with this. */
export function checkText(text: string, column: string): void {
  if (!isWellFormedText(text)) throw notPlain(column, 'a string that is not valid Unicode (a lone surrogate)')
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
  /** Per column, the kind of value a compiled reader expects (see `record-reader.ts`). */
  kinds: number[]
  values: ColumnValues[]
  position: Map<string, number>
  rows: number
  /** The reader for the current columns: undefined until needed, null when there is none. */
  reader: RecordReader | null | undefined
  /**
   * Per column, when records must agree with a partition: for a SKIP column, the value its
   * records hold (the partition's, or one met before that names the same folder: 2024n, "2024").
   */
  agreed: unknown[] | undefined
}

/** The partition records are written to: partition columns they carry must name it too. */
export interface PartitionAgreement {
  /** The partition's values, in the order of the keys skipped. */
  values: readonly unknown[]
  /** Records of the write before these: an error names a record by its place in the write. */
  offset: number
  /**
   * The records were grouped by sampling (`groupRuns`): one that names another folder, or lacks a
   * partition column, throws `Regroup` rather than being refused.
   */
  sampled?: boolean
}

/** Records grouped by sampling hold one that is not of their partition: group them record by record. */
export class Regroup extends Error {}

const KINDS: Partial<Record<ColumnType, number>> = { int: INT, float: FLOAT, string: STRING, timestamp: TIMESTAMP, boolean: BOOLEAN, bigint: BIGINT }

/**
 * The schema, and with `collect` the records' values by column, which the Parquet writer encodes
 * from without reading every record again. Keys in `skip` are left out of both; `skipped` tells
 * whether any record had one. With `partition`, a record whose value of a skipped key names
 * another folder than the partition's is refused.
 */
export function inferColumns(
  records: readonly Record<string, unknown>[],
  collect: boolean,
  skip: readonly string[] = [],
  partition?: PartitionAgreement,
): { schema: TableSchema; values: ColumnValues[]; skipped: boolean } {
  const rows = collect ? records.length : 0
  const agreed = partition ? [] : undefined
  const columns: Columns = { names: [], types: [], kinds: [], values: [], position: new Map(), rows, reader: undefined, agreed }
  // Records of the shape met so far go through its compiled reader; any other is read the general
  // way, which may add columns or widen types, and so change the shape.
  let style = preferredStyle
  // A write reads many partitions of records built one way: the style a probe chose holds for the
  // next calls, and is probed again every PROBE_EVERY calls in case the records changed. A long
  // input is always probed: its own probe is a small part of it, and a wrong style costs it most.
  // A probe ends without a choice where a record leaves the shape (a float column's first values
  // integers, a new column): a long input probes again from there, a few times.
  let probes = records.length >= LONG_PROBE_FROM ? LONG_PROBE_TRIES : records.length >= PROBE_FROM && ++callsSinceProbe >= PROBE_EVERY ? 1 : 0
  for (let i = 0; i < records.length; ) {
    columns.reader ??= readerFor(columns.names, columns.kinds, collect, style, agreed !== undefined) ?? null
    if (columns.reader && probes > 0) {
      probes--
      callsSinceProbe = 0
      const probed = probeStyle(records, i, columns, collect, records.length - i >= LONG_PROBE_FROM ? LONG_PROBE : PROBE)
      i = probed.next
      if (probed.style !== undefined) {
        probes = 0
        if (probed.style !== style) {
          style = preferredStyle = probed.style
          columns.reader = readerFor(columns.names, columns.kinds, collect, style, agreed !== undefined) ?? null
        }
      }
    }
    if (columns.reader) i = columns.reader(records, i, columns.values, undefined, agreed)
    if (i < records.length) readRecord(records, i++, columns, collect, skip, partition)
  }
  const { names, types, kinds, values } = columns
  const kept = names.flatMap((_, j) => (kinds[j] === SKIP ? [] : [j]))
  return {
    schema: { columns: kept.map((j) => ({ name: names[j]!, type: types[j]! })) },
    values: kept.map((j) => values[j]!),
    skipped: kept.length < names.length,
  }
}

/** Records per probe run; inputs shorter than `PROBE_FROM` use the style the last probe chose. */
const PROBE = 256
const PROBE_FROM = 16 * PROBE
/**
 * Records per probe run in a long input. Its readers are often new (its own shape): on runs of 256
 * they were timed before V8 had optimised them, and the keyed style, 4x faster over the 1M
 * `{ ...row, season }` records that followed, lost its margin in the noise.
 */
const LONG_PROBE = 8192
const LONG_PROBE_FROM = 16 * LONG_PROBE
const LONG_PROBE_TRIES = 4
/** How much faster named reads must be for a probe to leave keyed ones (timings of 256 records are noisy). */
const KEYED_MARGIN = 1.1
let preferredStyle: ReaderStyle = 'named'
const PROBE_EVERY = 16
let callsSinceProbe = PROBE_EVERY

/** The reader style the last probe found faster for the records being written (`named` until one has run). */
export function preferredReaderStyle(): ReaderStyle {
  return preferredStyle
}

/**
 * Which reader style is faster for these records, timed on a few runs of each from `from` (each
 * style once to warm it, then once timed). Both styles store the same values, so the choice only
 * changes speed (timings can mislead under load, which costs time, never correctness). `style` is undefined when a record left the shape before the probe finished.
 */
function probeStyle(
  records: readonly Record<string, unknown>[],
  from: number,
  columns: Columns,
  collect: boolean,
  run: number,
): { next: number; style: ReaderStyle | undefined } {
  const agree = columns.agreed !== undefined
  const named = readerFor(columns.names, columns.kinds, collect, 'named', agree)
  const keyed = readerFor(columns.names, columns.kinds, collect, 'keyed', agree)
  if (!named || !keyed) return { next: from, style: undefined }
  const took: Record<ReaderStyle, number> = { named: 0, keyed: 0 }
  let i = from
  for (const [round, style, reader] of [
    [0, 'named', named],
    [0, 'keyed', keyed],
    [1, 'named', named],
    [1, 'keyed', keyed],
  ] as const) {
    const to = i + run
    const start = performance.now()
    i = reader(records, i, columns.values, to, columns.agreed)
    if (round === 1) took[style] = performance.now() - start
    if (i < to) return { next: i, style: undefined }
  }
  return { next: i, style: chosenStyle(preferredStyle, took) }
}

/**
 * The style a probe's timings choose, from `current`. Keyed reads win by far only on records that
 * each have a hidden class of their own, and lose by about a third on the rest: it takes a clear
 * lead to switch to them, and a small one to switch back, so that one write of such records does
 * not leave every later write on the slower way.
 */
export function chosenStyle(current: ReaderStyle, took: Readonly<Record<ReaderStyle, number>>): ReaderStyle {
  if (current === 'named') return took.keyed * 2 < took.named ? 'keyed' : 'named'
  return took.named * KEYED_MARGIN < took.keyed ? 'named' : 'keyed'
}

/** Record `i` the general way: any key order, columns met for the first time, types that widen. */
function readRecord(
  records: readonly Record<string, unknown>[],
  i: number,
  columns: Columns,
  collect: boolean,
  skip: readonly string[],
  partition: PartitionAgreement | undefined,
): void {
  const { names, types, kinds, values, position, agreed } = columns
  const record = records[i]!
  if (record === null || typeof record !== 'object' || Array.isArray(record) || !isPlainObject(record)) {
    throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
  }
  let j = 0
  let partitionColumns = 0
  for (const column in record) {
    const value = record[column]
    let at = names[j] === column ? j : position.get(column)
    if (at === undefined) {
      const skipped = skip.indexOf(column)
      at = addColumn(columns, column, skipped >= 0 ? undefined : typeOfValue(value, column))
      agreed?.push(partition!.values[skipped])
    } else if (kinds[at] !== SKIP && value != null) {
      const was = types[at]!
      const type = unifyTypes(was, typeOfValue(value, column), column)
      if (type !== was) {
        if (was === 'null' && collect) values[at] = { ...columnValues(type, columns.rows), defined: values[at]!.defined }
        types[at] = type
        kinds[at] = KINDS[type] ?? OTHER
        columns.reader = undefined
      }
    }
    if (collect && kinds[at] !== SKIP && value != null) setValue(values[at]!, types[at]!, i, value)
    if (agreed && kinds[at] === SKIP) {
      partitionColumns++
      if (value !== agreed[at]) {
        agreeWithPartition(column, value, partition!.values[skip.indexOf(column)], partition!.offset + i, partition!.sampled)
        agreed[at] = value
      }
    }
    j = at + 1
  }
  if (partition?.sampled && partitionColumns < skip.length) throw new Regroup()
}

/** Refuses a partition column's value that names another folder than the partition's. */
function agreeWithPartition(column: string, value: unknown, expected: unknown, record: number, sampled = false): void {
  if (canonicalText(value) === canonicalText(expected)) return
  if (sampled) throw new Regroup()
  throw new StorageError(
    'INVALID_ARGUMENT',
    `record ${record} has ${column}=${JSON.stringify(String(value))}, but the partition has ${column}=${JSON.stringify(String(expected))}`,
  )
}

const NO_VALUES = columnValues('null', 0)

/** Adds a column (`type` undefined: a skipped key); returns its position. */
function addColumn(columns: Columns, column: string, type: ColumnType | undefined): number {
  const { names, types, kinds, values, position } = columns
  checkColumnName(column)
  names.push(column)
  types.push(type ?? 'null')
  kinds.push(type === undefined ? SKIP : (KINDS[type] ?? OTHER))
  values.push(type === undefined || columns.rows === 0 ? NO_VALUES : columnValues(type, columns.rows))
  position.set(column, names.length - 1)
  columns.reader = undefined
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

/** Checks that data appended under `next` can be read together with data written under `prev`. */
export function checkCompatible(prev: TableSchema, next: TableSchema): void {
  const before = new Map(prev.columns.map((c) => [c.name, c.type]))
  for (const column of next.columns) {
    const old = before.get(column.name)
    if (old !== undefined) unifyTypes(old, column.type, column.name)
  }
}
