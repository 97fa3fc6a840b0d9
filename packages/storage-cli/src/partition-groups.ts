import { Partition, type PartitionInput, type Row, StorageError } from '@cfb/storage-core'

/** Rows of one partition folder. */
export interface PartitionGroup {
  suffix: string
  rows: Row[]
}

/**
 * Splits rows by the folder their `partitionBy` values name, checking every value first (as
 * `writePartitioned` does), so that groups can be written a few at a time with progress shown in
 * between. Values that name one folder (2024 and "2024") share a group: two writes of one
 * partition would replace each other.
 */
export function groupByPartition(rows: readonly Row[], partitionBy: readonly string[]): PartitionGroup[] {
  const bySuffix = new Map<string, Row[]>()
  // The folder of each distinct raw combination, computed once: most rows repeat a few of them.
  const suffixOf = new Map<string, string>()
  rows.forEach((row, index) => {
    let raw = ''
    for (const key of partitionBy) {
      if (row === null || typeof row !== 'object' || !Object.hasOwn(row, key)) {
        throw new StorageError('INVALID_ARGUMENT', `record ${index} has no ${key}`)
      }
      const value = row[key]
      raw += `${typeof value}:${String(value)}\u0000`
    }
    let suffix = suffixOf.get(raw)
    if (suffix === undefined) {
      const values = Object.fromEntries(partitionBy.map((key) => [key, row[key]])) as PartitionInput
      suffix = new Partition(values).pathSuffix()
      suffixOf.set(raw, suffix)
    }
    const group = bySuffix.get(suffix)
    if (group) group.push(row)
    else bySuffix.set(suffix, [row])
  })
  return [...bySuffix].map(([suffix, groupRows]) => ({ suffix, rows: groupRows }))
}
