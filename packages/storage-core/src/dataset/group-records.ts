import { Compiled } from '../codecs/compiled.js'
import { bigintNumber } from '../codecs/int64-numbers.js'
import type { ReaderStyle } from '../codecs/record-reader.js'
import { preferredReaderStyle } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { Partition, type PartitionInput, type PartitionValue } from '../partition/partition.js'

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
