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
  /**
   * string, json and binary values; in a bigint column, made with its first value that is not a
   * safe integer as a number, which it keeps (a column of DuckDB's integers made one per file).
   */
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
    defined: typedArray(Uint8Array, rows),
    numbers: numeric ? typedArray(Float64Array, rows) : undefined,
    items: !numeric && type !== 'null' ? itemsArray(rows) : undefined,
    wide: false,
  }
}

type TypedArrayKind<T> = { new (buffer: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number }

/**
 * Things given back for reuse, up to `maxCount` of them and `maxTotal` in size. A request takes the
 * smallest that holds it and is no more than twice its size, so that a large one is not held by a
 * small column.
 */
class Spares<T> {
  private readonly kept: T[] = []
  private total = 0

  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly maxCount: number,
    private readonly maxTotal: number,
  ) {}

  take(size: number): T | undefined {
    const { kept, sizeOf } = this
    let best = -1
    for (let k = 0; k < kept.length; k++) {
      const has = sizeOf(kept[k]!)
      if (has >= size && has <= 2 * size && (best === -1 || has < sizeOf(kept[best]!))) best = k
    }
    if (best === -1) return undefined
    const item = kept[best]!
    kept[best] = kept[kept.length - 1]!
    kept.pop()
    this.total -= sizeOf(item)
    return item
  }

  /** False when it is not kept: one given back twice, or no room. */
  give(item: T): boolean {
    const size = this.sizeOf(item)
    if (this.kept.length >= this.maxCount || this.total + size > this.maxTotal || this.kept.includes(item)) return false
    this.kept.push(item)
    this.total += size
    return true
  }
}

/** Arrays smaller than this are cheap to make. */
const MIN_SPARE_BYTES = 4096

/*
 * The typed arrays of columns already encoded, kept for the next columns: a sequential write makes
 * the same few dozen for every partition, and Node 24 marks the whole heap, the caller's records
 * with it, for every few dozen MB of ArrayBuffers made (Node 20 and 22 collect them cheaply).
 */
const buffers = new Spares<ArrayBufferLike>((buffer) => buffer.byteLength, 64, 16 * 1024 * 1024)

/*
 * The item arrays of string columns encoded, kept for the next: made new for each file, they were
 * most of what a write allocated (24 MB of 63 for writePartitioned of 1M rows), and each lived
 * through a young-generation collection or two, which copied it.
 */
const itemArrays = new Spares<unknown[]>((items) => items.length, 32, 2 * 1024 * 1024)

/**
 * An array of `rows`, zeroed unless `zero` is false (its contents are then whatever they were).
 * All but the smallest are over shared memory, which the encoding worker reads without a copy or
 * a transfer (so the array stays usable here, and reusable).
 */
function typedArray<T extends Uint8Array | Float64Array>(Kind: TypedArrayKind<T>, rows: number, zero = true): T {
  const bytes = rows * Kind.BYTES_PER_ELEMENT
  if (bytes < MIN_SPARE_BYTES) return new Kind(new ArrayBuffer(bytes), 0, rows)
  const buffer = buffers.take(bytes)
  if (buffer === undefined) return new Kind(new SharedArrayBuffer(bytes), 0, rows)
  const spare = new Kind(buffer, 0, rows)
  return zero ? (spare.fill(0) as T) : spare
}

/** An array of `rows` slots, all undefined: a spare cut to length, or a new one. */
function itemsArray(rows: number): unknown[] {
  const items = itemArrays.take(rows)
  if (items === undefined) return new Array(rows)
  items.length = rows
  return items
}

/** A byte array of `length` to be written over, made as column arrays are (shared from 4,096 bytes). */
export function scratchBytes(length: number): Uint8Array {
  return typedArray(Uint8Array, length, false)
}

/** Gives back an array from `scratchBytes` once nothing reads or writes it. */
export function recycleBytes(bytes: Uint8Array): void {
  spare(bytes)
}

/**
 * Gives the arrays of `values` back for reuse: only once they are encoded and nothing reads them
 * again (the next columns made will hold other values in them).
 */
export function recycleColumnValues(values: readonly ColumnValues[]): void {
  for (const column of values) {
    spare(column.defined)
    if (column.numbers) spare(column.numbers)
    else if (column.items && column.items.length * 8 >= MIN_SPARE_BYTES && itemArrays.give(column.items)) {
      // Emptied: a spare must not keep the caller's strings alive.
      column.items.fill(undefined)
    }
  }
}

function spare(array: Uint8Array | Float64Array): void {
  // Only an array that starts its buffer (as these all do), nor a detached one (0 bytes).
  if (array.byteOffset === 0 && array.buffer.byteLength >= MIN_SPARE_BYTES) buffers.give(array.buffer)
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
    column.items ??= new Array(column.numbers!.length)
    column.items[i] = value
    column.wide = true
  }
}
