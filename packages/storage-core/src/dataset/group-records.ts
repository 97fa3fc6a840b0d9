import { Compiled } from '../codecs/compiled.js'
import { bigintNumber } from '../codecs/int64-numbers.js'
import type { ReaderStyle } from '../codecs/record-reader.js'
import { preferredReaderStyle } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { canonicalText, Partition, type PartitionInput, type PartitionValue } from '../partition/partition.js'

type Row = Record<string, unknown>

/**
 * Splits records by the values of the `partitionBy` columns, as DuckDB's `PARTITION_BY` does.
 * Records are grouped by their raw values in nested maps (cheap per record); groups whose values
 * name the same folder (2024 and "2024") are merged afterwards.
 */
export function groupRecords(records: readonly Row[], partitionBy: readonly string[], offset = 0): { partition: Partition; records: Row[] }[] {
  const root = new Map<unknown, unknown>()
  const leaves: { values: unknown[]; rows: Row[] }[] = []
  const last = partitionBy.length - 1
  // Data often comes in partition order: a record with the same values as the one before joins
  // its group without the lookups.
  let previous: { values: unknown[]; rows: Row[] } | undefined
  const matches = matcherFor(partitionBy)
  for (let index = 0; index < records.length; index++) {
    const record = records[index]
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
    }
    if (previous !== undefined && matches(record, previous.values)) {
      previous.rows.push(record)
      continue
    }
    let level = root
    for (let k = 0; k <= last; k++) {
      const key = partitionBy[k]!
      const value = record[key]
      if (value === undefined && !(key in record)) throw new StorageError('INVALID_ARGUMENT', `record ${offset + index} has no ${key}`)
      let next = level.get(value)
      if (next === undefined) {
        next = k === last ? { values: partitionBy.map((c) => record[c]), rows: [] } : new Map()
        if (k === last) leaves.push(next as (typeof leaves)[number])
        level.set(value, next)
      }
      if (k === last) {
        previous = next as (typeof leaves)[number]
        previous.rows.push(record)
      } else {
        level = next as Map<unknown, unknown>
      }
    }
  }
  const groups = new Map<string, { partition: Partition; records: Row[] }>()
  for (const leaf of leaves) {
    const partition = new Partition(Object.fromEntries(partitionBy.map((c, i) => [c, partitionValue(c, leaf.values[i])])) as PartitionInput)
    const same = groups.get(partition.pathSuffix())
    if (same) same.records.push(...leaf.rows)
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

/** What a record's lack of a key means: no match (`'differs'`), or agreement (`'agrees'`). */
export type AbsentKey = 'differs' | 'agrees'

const matchers = new Compiled<Matcher>(64)

/**
 * The matcher for `keys`. Records that share a hidden class are read fastest by constant names
 * (generated code); records that each have one of their own (`{ ...row, season }`) by computed
 * key, which V8 looks up in the record's own map rather than missing a cache. The record reader's
 * probe tells which the records being written are. With `absent: 'agrees'`, records written to
 * a partition they do not name (the pipeline's `write(entity, records, partition)`) pass by the
 * same generated code (78 against 14 ms a million records, where each fell to the slow check).
 */
export function matcherFor(keys: readonly string[], style: ReaderStyle = preferredReaderStyle(), absent: AbsentKey = 'differs'): Matcher {
  const agrees = absent === 'agrees'
  if (keys.length > 0 && style === 'named') {
    // Keys go in as JSON string literals, which are JavaScript string literals: nothing can escape.
    const terms = keys.map((key, k) => {
      const name = JSON.stringify(key)
      return agrees ? `(r[${name}] === v[${k}] || (r[${name}] === undefined && !(${name} in r)))` : `r[${name}] === v[${k}]`
    })
    const made = matchers.get(`${absent} ${JSON.stringify(keys)}`, () => new Function('r', 'v', `return ${terms.join(' && ')}`) as Matcher)
    if (made) return made
  }
  return (record, values) => {
    for (let k = 0; k < keys.length; k++) {
      const value = record[keys[k]!]
      if (value !== values[k] && !(agrees && value === undefined && !(keys[k]! in record))) return false
    }
    return true
  }
}

/**
 * Checks that records carrying partition columns agree with the partition they are written to.
 * `offset` is the number of records before these (messages count from the first record given).
 */
export function checkPartitionColumns(records: readonly Row[], partition: Partition, offset = 0): void {
  const keys = partition.keys
  const expected = keys.map((key) => partition.values[key])
  // The last value of each key found to agree by its text (2024n, "2024"): rows of one partition
  // share it, so the text is made once rather than per row.
  const agreed: unknown[] = expected.slice()
  const matches = matcherFor(keys, preferredReaderStyle(), 'agrees')
  for (let index = 0; index < records.length; index++) {
    const record = records[index]
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
    }
    if (matches(record, agreed)) continue
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      const value = record[key]
      // A value that agreed before agrees without its text; anything else is compared as text.
      if (value === agreed[k] || (value === undefined && !(key in record))) continue
      if (canonicalText(value) === canonicalText(expected[k])) agreed[k] = value
      else {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `record ${offset + index} has ${key}=${JSON.stringify(String(value))}, but the partition has ${key}=${JSON.stringify(String(expected[k]))}`,
        )
      }
    }
  }
}
