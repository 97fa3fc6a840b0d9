import { decodeCsv } from '../codecs/csv.js'
import { parquetColumnNames, readParquetMetadata } from '../codecs/parquet.js'
import { type ColumnSlice, columnsOfRows, readParquetColumns, readParquetRows } from '../codecs/parquet-pages.js'
import type { ConstantFields } from '../codecs/row-builder.js'
import type { TableSchema } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { type FilterRange, matchesAll } from '../filters/filters.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PartitionInput } from '../partition/partition.js'
import { rangedFile } from '../store/ranged-file.js'

type Row = Record<string, unknown>

/**
 * Rows made into objects at a time. A read holds one slice of objects and one decoded page per
 * column (our writer cuts pages at as many rows), so its memory does not grow with the dataset.
 */
export const ROWS_PER_SLICE = 4096

/** One data file a read will open. */
export interface PlannedFile {
  key: string
  size: number
  format: 'parquet' | 'csv'
  /** Partition values every row of the file gets (from the log, or the folder names). */
  partition: PartitionInput
  /** Types for a CSV file (a legacy manifest's). */
  schema?: TableSchema
  /** The length of a Parquet file's footer, when its writer recorded it in the log. */
  footerLength?: number
}

/** What every file of one read shares. */
export interface ReadPlan {
  entity: string
  files: PlannedFile[]
  /** Requested columns, in order; undefined for all. */
  columns: string[] | undefined
  /** Data columns every row gets (null where a file lacks one), when the table knows them. */
  dataColumns: string[]
  partitionKeys: ReadonlySet<string>
  rowConditions: ReadonlyMap<string, FilterRange>
  parquetFilter: Record<string, unknown> | undefined
}

export interface FileRows {
  rows: Row[]
  /** The file's own columns. */
  columns: string[]
}

/** Rows of one file, a slice of a row group at a time, filtered, projected, partition values added. */
export async function* readFileChunks(store: ObjectStore, file: PlannedFile, plan: ReadPlan): AsyncGenerator<FileRows> {
  const wanted = plan.columns
  const dataColumns = wanted?.filter((c) => !plan.partitionKeys.has(c))
  const filterColumns = [...plan.rowConditions.keys()].filter((c) => !plan.partitionKeys.has(c))
  /**
   * What a row of all columns gets after the file's own: null for each filter and data column the
   * file lacks, then the partition values (in place of any the file has). Built into each row as
   * it is made, rather than added afterwards, which would take every row through more classes.
   */
  const constantsFor = (present: readonly string[]): ConstantFields => {
    const partitionNames = Object.keys(file.partition)
    const missing = [...new Set([...filterColumns, ...plan.dataColumns])].filter((c) => !present.includes(c) && !partitionNames.includes(c))
    return { names: [...missing, ...partitionNames], values: [...missing.map(() => null), ...partitionNames.map((k) => file.partition[k])] }
  }
  const finish = (raw: Row[], fileColumns: string[], projected = false): FileRows => {
    if (projected && wanted === undefined) {
      // Rows made whole by the decoder (constantsFor): only the row conditions are left.
      const { rowConditions } = plan
      return { rows: rowConditions.size === 0 ? raw : raw.filter((row) => matchesAll(row, rowConditions)), columns: fileColumns }
    }
    // Rows decoded with just the wanted columns, in order, are handed out as they are.
    const asDecoded =
      projected &&
      wanted?.every((c) => fileColumns.includes(c) && !plan.partitionKeys.has(c)) === true &&
      filterColumns.every((c) => wanted.includes(c))
    // Nothing to add, match or reshape: the slice is handed out as it came.
    if (asDecoded && plan.rowConditions.size === 0) return { rows: raw, columns: fileColumns }
    const out: Row[] = []
    for (const row of raw) {
      for (const column of filterColumns) if (!(column in row)) row[column] = null
      if (!wanted) for (const column of plan.dataColumns) if (!(column in row)) row[column] = null
      if (plan.rowConditions.size > 0 && !matchesAll(withPartition(row, file.partition), plan.rowConditions)) continue
      out.push(asDecoded ? row : shapeRow(row, wanted, file.partition))
    }
    return { rows: out, columns: fileColumns }
  }
  try {
    if (file.format === 'csv') {
      const raw = decodeCsv(await store.get(file.key), file.schema, file.key)
      yield finish(raw, raw[0] ? Object.keys(raw[0]) : (file.schema?.columns.map((c) => c.name) ?? []))
      return
    }
    const buffer = await openParquet(store, file)
    const metadata = await readParquetMetadata(buffer, file.footerLength)
    const present = parquetColumnNames(metadata)
    const read = dataColumns ? [...new Set([...dataColumns, ...filterColumns])].filter((c) => present.includes(c)) : undefined
    const filter = pruneFilter(plan.parquetFilter, present)
    let empty = true
    const constants = wanted === undefined ? constantsFor(present) : undefined
    for await (const rows of readParquetRows(buffer, { metadata, columns: read, filter, sliceRows: ROWS_PER_SLICE, constants, primed: true })) {
      empty = false
      yield finish(rows, present, true)
    }
    // Even a file whose every row group the statistics ruled out tells which columns it has.
    if (empty) yield finish([], present)
  } catch (cause) {
    if (cause instanceof StorageError) throw cause
    throw new StorageError('CORRUPT_DATA', `cannot read ${file.key}: ${(cause as Error).message}`, { key: file.key, cause })
  }
}

/** A slice of one file's rows by column, and the file's own columns. */
export interface FileColumns {
  slice: ColumnSlice
  columns: string[]
}

/**
 * `readFileChunks` by column: the same values under the same column names in the same order, with
 * no row objects where none are needed (a Parquet file read with no row filter).
 */
export async function* readFileColumns(store: ObjectStore, file: PlannedFile, plan: ReadPlan): AsyncGenerator<FileColumns> {
  if (file.format === 'csv' || plan.rowConditions.size > 0) {
    for await (const chunk of readFileChunks(store, file, plan)) {
      if (chunk.rows.length > 0) yield { slice: columnsOfRows(chunk.rows, Object.keys(chunk.rows[0]!)), columns: chunk.columns }
      else yield { slice: { names: [], values: [], length: 0 }, columns: chunk.columns }
    }
    return
  }
  const wanted = plan.columns && [...new Set(plan.columns)]
  const partitionKeys = Object.keys(file.partition)
  const isPartition = (name: string) => Object.hasOwn(file.partition, name)
  try {
    const buffer = await openParquet(store, file)
    const metadata = await readParquetMetadata(buffer, file.footerLength)
    const present = parquetColumnNames(metadata)
    const read = wanted?.filter((c) => present.includes(c) && !plan.partitionKeys.has(c))
    // The names a row of `readFileChunks` has, in its key order.
    const names = wanted
      ? wanted
      : [...present.filter((c) => !isPartition(c)), ...plan.dataColumns.filter((c) => !present.includes(c)), ...partitionKeys]
    let empty = true
    for await (const decoded of readParquetColumns(buffer, { metadata, columns: read, sliceRows: ROWS_PER_SLICE, primed: true })) {
      empty = false
      const { length } = decoded
      const byName = new Map(decoded.names.map((name, j) => [name, decoded.values[j]!]))
      const values = names.map((name) => {
        if (isPartition(name)) {
          return new Array<unknown>(length).fill(file.partition[name])
        }
        const column = byName.get(name)
        if (!column) return new Array<unknown>(length).fill(null)
        if (wanted) for (let i = 0; i < length; i++) column[i] ??= null
        return column
      })
      yield { slice: { names, values, length }, columns: present }
    }
    if (empty) yield { slice: { names, values: [], length: 0 }, columns: present }
  } catch (cause) {
    if (cause instanceof StorageError) throw cause
    throw new StorageError('CORRUPT_DATA', `cannot read ${file.key}: ${(cause as Error).message}`, { key: file.key, cause })
  }
}

/** A Parquet data file to read by ranges. */
async function openParquet(store: ObjectStore, file: PlannedFile) {
  if (!store.capabilities.rangedReadOfEmptyObject) {
    // This store cannot serve a range of an empty object (it drops the connection): learn the
    // real size first, so a file emptied behind the log's back reads as corrupt, not unreachable.
    const actual = (await store.head(file.key)).size
    if (actual !== file.size) {
      throw new StorageError('CORRUPT_DATA', `${file.key} has ${actual} bytes, but ${file.size} are recorded for it`, { key: file.key })
    }
  }
  return rangedFile(store, file.key, file.size)
}

function withPartition(row: Row, partition: PartitionInput): Row {
  for (const key in partition) if (!(key in row)) return { ...row, ...partition }
  return row
}

/** Keeps the requested columns (all when none requested), data columns first, then partition columns. */
function shapeRow(row: Row, wanted: readonly string[] | undefined, partition: PartitionInput): Row {
  if (wanted === undefined) {
    for (const key in partition) delete row[key]
    return Object.assign(row, partition)
  }
  const out: Row = {}
  for (const column of wanted) out[column] = column in partition ? partition[column] : (row[column] ?? null)
  return out
}

/** Only filter columns the file has can be pushed down; the rest are matched after decoding. */
function pruneFilter(filter: Record<string, unknown> | undefined, present: readonly string[]) {
  if (!filter) return undefined
  const kept = Object.entries(filter).filter(([column]) => present.includes(column))
  return kept.length > 0 ? Object.fromEntries(kept) : undefined
}
