import { type ColumnType, type ColumnValues, columnValues, recycleColumnValues } from '../codecs/column-values.js'
import { encodeParquetColumns, encodeParquetColumnsElsewhere, FOOTER_LENGTH_TAG, footerLength } from '../codecs/parquet.js'
import type { inferColumns, TableSchema } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { normalizeKey } from '../keys/keys.js'
import type { Partition } from '../partition/partition.js'
import type { ObjectStore } from '../store/object-store.js'
import { mismatch, type TableColumn } from '../table/delta-schema.js'
import { pathOfKey } from '../table/log-files.js'
import { fitPartitionValue, serializePartitionValue } from '../table/partition-values.js'
import { statsJson } from '../table/stats.js'
import { newDataFileName } from './data-file-names.js'
import type { WrittenFile } from './write-actions.js'
import type { WriteSchema } from './write-schema.js'

type Row = Record<string, unknown>

/** Below this many rows a file's columns are encoded here: handing them over would cost more. */
const ROWS_ELSEWHERE = 4096

/** A partition's rows, and their columns as `inferColumns` collected them. */
export interface FileRows {
  partition: Partition
  records: readonly Row[]
  found: ReturnType<typeof inferColumns>
}

/**
 * Encodes one partition's records under the table schema and puts the file. Its key is pushed to
 * `put` before the PUT starts, so that a failed write can remove whatever landed.
 */
export async function writeFile(
  store: ObjectStore,
  entity: string,
  file: FileRows,
  schema: WriteSchema,
  put: string[],
  options: {
    /** Other files are being written meanwhile: number columns are encoded on the worker thread. */
    alongside?: boolean
    /** Called once the file is encoded, before its PUT. */
    encoded?: () => void
  } = {},
): Promise<WrittenFile> {
  const rows = file.records.length
  const partitionKeys = file.partition.keys
  const suffix = file.partition.pathSuffix()
  const key = `${suffix === '' ? entity : `${entity}/${suffix}`}/${newDataFileName()}`
  normalizeKey(key)
  const { found } = file
  const byName = new Map(found.schema.columns.map((c, j) => [c.name, { type: c.type, values: found.values[j]! }]))
  const columns: { name: string; type: ColumnType; values: ColumnValues }[] = []
  for (const column of schema.columns) {
    if (partitionKeys.includes(column.name) || !column.writable) continue
    const given = byName.get(column.name)
    columns.push({ name: column.name, type: column.type as ColumnType, values: fit(entity, column, given, rows) })
  }
  if (columns.length === 0 && rows > 0) {
    // A Parquet file of no columns holds no rows (DuckDB refuses it; Spark refuses to write one).
    const besides = partitionKeys.length > 0 ? ` besides the partition columns (${partitionKeys.join(', ')})` : ''
    throw new StorageError('INVALID_ARGUMENT', `${entity}: the records have no column to store${besides}; a Parquet data file needs at least one`)
  }
  const fileSchema: TableSchema = { columns: columns.map(({ name, type }) => ({ name, type })) }
  const values = columns.map((c) => c.values)
  const { bytes, columns: summaries } =
    options.alongside && rows >= ROWS_ELSEWHERE ? await encodeParquetColumnsElsewhere(values, rows, fileSchema) : encodeParquetColumns(values, rows, fileSchema)
  // Encoded: nothing reads these arrays again, the next partition's columns can.
  recycleColumnValues(values)
  options.encoded?.()
  put.push(key)
  // Alone, the write waits for this put before anything else: a local store writes it in place.
  await store.put(key, bytes, options.alongside ? undefined : { mayBlock: true })
  const partitionValues: Record<string, string | null> = {}
  for (const name of partitionKeys) {
    const column = schema.columns.find((c) => c.name === name)!
    partitionValues[name] = serializePartitionValue(fitPartitionValue(column.type, file.partition.values[name] ?? null) ?? null)
  }
  return {
    key,
    rows,
    partition: file.partition,
    columns: fileSchema.columns,
    add: {
      path: pathOfKey(entity, key),
      partitionValues,
      size: bytes.length,
      modificationTime: Date.now(),
      dataChange: true,
      stats: statsJson(fileSchema.columns, summaries, rows),
      // Readers of a large file fetch exactly its footer, not a guess at its size.
      tags: { [FOOTER_LENGTH_TAG]: String(footerLength(bytes)) },
    },
  }
}

/** A column's collected values in the form its table type encodes from. */
function fit(entity: string, column: TableColumn, given: { type: ColumnType; values: ColumnValues } | undefined, rows: number): ColumnValues {
  const type = column.type as ColumnType
  if (!given || given.type === 'null') return columnValues(type, rows)
  if (given.type === type || (type === 'float' && given.type === 'int')) return given.values
  // Between int and bigint: both hold their values as numbers.
  const { defined, numbers, items, wide } = given.values
  if (type === 'bigint') return { defined, numbers, items: undefined, wide: false }
  if (wide) {
    const i = items!.findIndex((item) => item !== undefined)
    throw mismatch(entity, column.name, 'integer (long, within ±2^53)', `bigint ${items![i]}`)
  }
  return { defined, numbers, items: undefined, wide: false }
}
