import { StorageError } from '../errors.js'
import { SCHEMA_METADATA_KEY } from './parquet.js'
import { ParquetWriter } from './parquet/write.js'
import { type ColumnValues, columnValues } from './column-values.js'
import { type ColumnType, inferColumns, type TableSchema, unifyTypes } from './schema.js'

export interface ParquetStreamOptions {
  codec?: 'SNAPPY' | 'UNCOMPRESSED'
}

/**
 * One Parquet file written from batches of records, each batch a row group: memory is one batch's,
 * however many rows the file gets. The schema is fixed up front (a table's, a file's footer's), so
 * a record with a column it lacks, or a value of another type, is refused rather than changing it.
 *
 * `output` gets each row group's bytes, then the page index and footer; the bytes are a view that
 * is valid until `output` returns, so it copies or consumes them.
 */
export class ParquetStreamEncoder {
  private readonly writer: ParquetWriter
  private readonly position: Map<string, number>

  constructor(
    private readonly schema: TableSchema,
    output: (bytes: Uint8Array) => void,
    options: ParquetStreamOptions = {},
  ) {
    this.position = new Map(schema.columns.map((c, j) => [c.name, j]))
    this.writer = new ParquetWriter(
      schema,
      { codec: options.codec ?? 'SNAPPY', kvMetadata: [{ key: SCHEMA_METADATA_KEY, value: JSON.stringify(schema) }], createdBy: '@cfb/storage' },
      output,
    )
  }

  /** Bytes given to `output` so far. */
  get bytesWritten(): number {
    return this.writer.bytesWritten
  }

  /** Encodes `records` as one row group (none when empty). */
  writeRows(records: readonly Record<string, unknown>[]): void {
    if (records.length === 0) return
    const batch = inferColumns(records, true)
    const values: ColumnValues[] = this.schema.columns.map((c) => columnValues(c.type, records.length))
    batch.schema.columns.forEach(({ name, type }, k) => {
      const j = this.position.get(name)
      if (j === undefined) {
        throw new StorageError('INVALID_ARGUMENT', `column ${JSON.stringify(name)} is not in the file's schema (${this.schema.columns.map((c) => c.name).join(', ')})`)
      }
      if (type === 'null') return
      const declared = this.schema.columns[j]!.type
      if (!fits(type, declared, name)) {
        throw new StorageError('SCHEMA_MISMATCH', `column ${JSON.stringify(name)} is ${declared} in the file's schema, and a record holds a ${type} value`)
      }
      values[j] = batch.values[k]!
    })
    this.encode(() => this.writer.writeRowGroup(values, records.length))
  }

  /** Writes the page index and footer: the file is complete. */
  finish(): void {
    this.encode(() => this.writer.finish())
  }

  private encode(step: () => void): void {
    try {
      step()
    } catch (cause) {
      if (cause instanceof StorageError) throw cause
      throw new StorageError('INVALID_ARGUMENT', `cannot encode records as Parquet: ${(cause as Error).message}`, { cause })
    }
  }
}

/** Whether values found to be `found` are stored as a `declared` column stores its own (int values in a float column are). */
function fits(found: ColumnType, declared: ColumnType, column: string): boolean {
  if (found === declared) return true
  try {
    return unifyTypes(declared, found, column) === declared && declared !== 'null'
  } catch {
    return false
  }
}
