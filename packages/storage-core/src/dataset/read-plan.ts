import { FOOTER_LENGTH_TAG } from '../codecs/parquet.js'
import { StorageError } from '../errors.js'
import { type FilterRange, matchesCondition, toParquetFilter } from '../filters/filters.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PartitionInput } from '../partition/partition.js'
import type { AddFile } from '../table/actions.js'
import { keyOfPath } from '../table/log-files.js'
import { parsePartitionValue } from '../table/partition-values.js'
import { excludedByStats, parseStats } from '../table/stats.js'
import type { TableState } from '../table/table-state.js'
import { plainFiles } from './plain-folders.js'
import type { PlannedFile, ReadPlan } from './read-file.js'

/** The partition values of a live file, typed by the table's partition columns. */
export function partitionOf(state: TableState, values: Record<string, string | null>): PartitionInput {
  return partitionReader(state)(values)
}

/** `partitionOf` for many files of one state: the partition columns' types are looked up once. */
function partitionReader(state: TableState): (values: Record<string, string | null>) => PartitionInput {
  const keys = state.metadata.partitionColumns.map((key) => [key, state.columns.find((c) => c.name === key)?.type] as const)
  return (values) => {
    const out: PartitionInput = {}
    for (const [key, type] of keys) out[key] = parsePartitionValue(type, values[key])
    return out
  }
}

function checkColumns(state: TableState, names: Iterable<string>, what: string): void {
  const known = new Set(state.columns.map((c) => c.name))
  for (const name of names) {
    if (!known.has(name)) throw new StorageError('INVALID_ARGUMENT', `unknown column ${JSON.stringify(name)} in ${what} of ${state.table}`)
  }
}

/**
 * The files of one snapshot a read opens: partitions pruned by the log's partition values, files
 * by their statistics, with no listing of data folders.
 */
export function planTableRead(state: TableState, conditions: Map<string, FilterRange>, columns: string[] | undefined): ReadPlan {
  checkColumns(state, conditions.keys(), 'the filters')
  if (columns) checkColumns(state, columns, 'the columns')
  const partitionKeys = new Set(state.metadata.partitionColumns)
  const rowConditions = new Map([...conditions].filter(([k]) => !partitionKeys.has(k)))
  const partitionConditions = [...conditions].filter(([k]) => partitionKeys.has(k))
  const types = new Map(state.columns.map((c) => [c.name, c.type]))
  const partitionOfFile = partitionReader(state)
  const kept: { path: string; file: PlannedFile }[] = []
  for (const add of state.files.values()) {
    const partition = partitionOfFile(add.partitionValues)
    if (!partitionConditions.every(([k, range]) => matchesCondition(partition[k], range))) continue
    const stats = rowConditions.size > 0 ? parseStats(add.stats) : undefined
    if (stats && [...rowConditions].some(([k, range]) => excludedByStats(stats, k, types.get(k), range))) continue
    const file: PlannedFile = { key: keyOfPath(state.table, add.path), size: add.size, format: 'parquet', partition, footerLength: footerLengthOf(add) }
    kept.push({ path: add.path, file })
  }
  const files = kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((k) => k.file)
  return {
    entity: state.table,
    files,
    columns,
    dataColumns: state.columns.filter((c) => !partitionKeys.has(c.name)).map((c) => c.name),
    partitionKeys,
    rowConditions,
    parquetFilter: toParquetFilter(rowConditions),
  }
}

/** The same for a plain Hive folder, listed and pruned by folder names. */
export async function planPlainRead(
  store: ObjectStore,
  entity: string,
  conditions: Map<string, FilterRange>,
  columns: string[] | undefined,
): Promise<ReadPlan> {
  const { keys, files } = await plainFiles(store, entity, conditions)
  const partitionKeys = new Set(keys)
  const rowConditions = new Map([...conditions].filter(([k]) => !partitionKeys.has(k)))
  return {
    entity,
    files: files.map((f) => ({ key: f.key, size: f.size, format: f.format, partition: { ...f.partition.values }, schema: f.schema })),
    columns,
    dataColumns: [],
    partitionKeys,
    rowConditions,
    parquetFilter: toParquetFilter(rowConditions),
  }
}

/** The footer length a writer recorded in an add's tags, when it is a length this file can have. */
function footerLengthOf(add: AddFile): number | undefined {
  const text = add.tags?.[FOOTER_LENGTH_TAG]
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined
  const length = Number(text)
  return length >= 12 && length <= add.size ? length : undefined
}
