import { Compiled } from '../codecs/compiled.js'
import { bigintNumber } from '../codecs/int64-numbers.js'
import type { ReaderStyle } from '../codecs/record-reader.js'
import { preferredReaderStyle } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { Partition, type PartitionInput, type PartitionValue } from '../partition/partition.js'

type Row = Record<string, unknown>

interface Leaf {
  values: unknown[]
  rows: Row[]
}

/**
 * Splits records by the values of the `partitionBy` columns, as DuckDB's `PARTITION_BY` does.
 * Records are grouped by their raw values in nested maps (cheap per record); groups whose values
 * name the same folder (2024 and "2024") are merged afterwards.
 */
export function groupRecords(records: readonly Row[], partitionBy: readonly string[], offset = 0): { partition: Partition; records: Row[] }[] {
  const leaves = new Leaves(partitionBy, offset)
  // Data often comes in partition order: a record with the same values as the one before joins
  // its group without the lookups.
  let previous: Leaf | undefined
  const matches = matcherFor(partitionBy)
  for (let index = 0; index < records.length; index++) {
    const record = plainRecord(records[index])
    if (previous === undefined || !matches(record, previous.values)) previous = leaves.of(record, index)
    previous.rows.push(record)
  }
  return partitionsOf(leaves.all, partitionBy)
}

/** Runs shorter than this on average mean records that do not come in partition order. */
const MIN_MEAN_RUN = 64

/**
 * `groupRecords` for records in partition order, reading the partition columns of a few records
 * per run rather than of every record: from a run's first record it looks ahead 1, 2, 4, ...
 * records while they match, then halves back to the run's end. A run is taken to hold only the
 * records of its ends' partition, which holds for sorted input; the records in between are
 * checked as they are read for the file (`PartitionAgreement.sampled`), and a write that finds
 * one that is not starts over with `groupRecords`. Undefined when the runs are short (the input
 * is not in partition order): `groupRecords` is then as quick, and certain.
 */
export function groupRuns(records: readonly Row[], partitionBy: readonly string[]): { partition: Partition; records: Row[] }[] | undefined {
  const leaves = new Leaves(partitionBy, 0)
  const matches = matcherFor(partitionBy)
  const at = (i: number, values: readonly unknown[]) => {
    const record = records[i]
    return isRecord(record) && matches(record, values)
  }
  const runs: { leaf: Leaf; start: number; end: number }[] = []
  for (let start = 0; start < records.length; ) {
    const leaf = leaves.of(plainRecord(records[start]), start)
    let low = start // the last record known to match
    let high = records.length // past the run
    for (let step = 1; low + step < high; step *= 2) {
      if (!at(low + step, leaf.values)) {
        high = low + step
        break
      }
      low += step
    }
    while (high - low > 1) {
      const middle = (low + high) >>> 1
      if (at(middle, leaf.values)) low = middle
      else high = middle
    }
    runs.push({ leaf, start, end: high })
    start = high
    if (runs.length * MIN_MEAN_RUN > records.length) return undefined
  }
  for (const { leaf, start, end } of runs) {
    if (leaf.rows.length === 0) leaf.rows = records.slice(start, end)
    else for (let i = start; i < end; i++) leaf.rows.push(records[i]!)
  }
  return partitionsOf(leaves.all, partitionBy)
}

function isRecord(record: unknown): record is Row {
  return record !== null && typeof record === 'object' && !Array.isArray(record)
}

function plainRecord(record: Row | undefined): Row {
  if (!isRecord(record)) throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
  return record
}

/** Groups of records by their raw partition values, in nested maps; `all` in order of first appearance. */
class Leaves {
  readonly all: Leaf[] = []
  private readonly root = new Map<unknown, unknown>()

  constructor(
    private readonly partitionBy: readonly string[],
    private readonly offset: number,
  ) {}

  /** The leaf of a record's partition values, made on first meeting them. */
  of(record: Row, index: number): Leaf {
    const { partitionBy } = this
    const last = partitionBy.length - 1
    let level = this.root
    for (let k = 0; ; k++) {
      const key = partitionBy[k]!
      const value = record[key]
      if (value === undefined && !(key in record)) throw new StorageError('INVALID_ARGUMENT', `record ${this.offset + index} has no ${key}`)
      let next = level.get(value)
      if (next === undefined) {
        next = k === last ? { values: partitionBy.map((c) => record[c]), rows: [] } : new Map()
        if (k === last) this.all.push(next as Leaf)
        level.set(value, next)
      }
      if (k === last) return next as Leaf
      level = next as Map<unknown, unknown>
    }
  }
}

/** Leaves whose values name the same folder are one partition. */
function partitionsOf(leaves: readonly Leaf[], partitionBy: readonly string[]): { partition: Partition; records: Row[] }[] {
  const groups = new Map<string, { partition: Partition; records: Row[] }>()
  for (const leaf of leaves) {
    const partition = new Partition(Object.fromEntries(partitionBy.map((c, i) => [c, partitionValue(c, leaf.values[i])])) as PartitionInput)
    const same = groups.get(partition.pathSuffix())
    // A loop, not push(...rows): that many arguments would overflow the stack.
    if (same) for (const row of leaf.rows) same.records.push(row)
    else groups.set(partition.pathSuffix(), { partition, records: leaf.rows })
  }
  return [...groups.values()]
}

/** Int64 values (DuckDB's and pyarrow's integers) that fit a JS number are partition numbers. */
function partitionValue(column: string, value: unknown): PartitionValue {
  if (typeof value === 'bigint') {
    const n = bigintNumber(value)
    if (Number.isSafeInteger(n)) return n
    throw new StorageError('INVALID_ARGUMENT', `partition value of ${column} is beyond ±2^53: ${value}`)
  }
  return value as PartitionValue
}

/** Whether a record has exactly `values` (as ===) under the keys it was made for. */
type Matcher = (record: Row, values: readonly unknown[]) => boolean

const matchers = new Compiled<Matcher>(64)

/**
 * The matcher for `keys`. Records that share a hidden class are read fastest by constant names
 * (generated code); records that each have one of their own (`{ ...row, season }`) by computed
 * key, which V8 looks up in the record's own map rather than missing a cache. The record reader's
 * probe tells which the records being written are.
 */
export function matcherFor(keys: readonly string[], style: ReaderStyle = preferredReaderStyle()): Matcher {
  if (keys.length > 0 && style === 'named') {
    // Keys go in as JSON string literals, which are JavaScript string literals: nothing can escape.
    const terms = keys.map((key, k) => `r[${JSON.stringify(key)}] === v[${k}]`)
    const made = matchers.get(JSON.stringify(keys), () => new Function('r', 'v', `return ${terms.join(' && ')}`) as Matcher)
    if (made) return made
  }
  return (record, values) => {
    for (let k = 0; k < keys.length; k++) if (record[keys[k]!] !== values[k]) return false
    return true
  }
}
