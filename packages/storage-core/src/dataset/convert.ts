import { randomUUID } from 'node:crypto'
import type { FileMetaData, SchemaElement } from 'hyparquet'
import { readParquetMetadata, schemaFromMetadata } from '../codecs/parquet.js'
import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { rangedFile } from '../store/ranged-file.js'
import type { Action } from '../table/actions.js'
import { commit } from '../table/commit.js'
import { type DeltaField, fieldOf, schemaString } from '../table/delta-schema.js'
import { pathOfKey } from '../table/log-files.js'
import { partitionColumnType, serializePartitionValue } from '../table/partition-values.js'
import { mapConcurrent } from '../store/concurrency.js'
import { plainFiles } from './plain-folders.js'
import { tableConfiguration } from '../table/table-options.js'

const IO_CONCURRENCY = 16

/** The Delta type of a flat Parquet column, or why it has none here. */
function deltaTypeOf(element: SchemaElement): string | { unsupported: string } {
  const logical = element.logical_type as { type?: string; isAdjustedToUTC?: boolean; bitWidth?: number } | undefined
  if (element.num_children) return { unsupported: 'a nested column' }
  if (element.type === 'INT96') return 'timestamp'
  if (logical?.type === 'TIMESTAMP' || element.converted_type === 'TIMESTAMP_MILLIS' || element.converted_type === 'TIMESTAMP_MICROS') {
    return logical?.isAdjustedToUTC === false ? { unsupported: 'a timestamp without time zone' } : 'timestamp'
  }
  if (logical?.type === 'DATE' || element.converted_type === 'DATE') return 'date'
  if (logical?.type === 'DECIMAL' || element.converted_type === 'DECIMAL') return `decimal(${element.precision},${element.scale ?? 0})`
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean'
    case 'INT32':
      return element.converted_type === 'INT_8' ? 'byte' : element.converted_type === 'INT_16' ? 'short' : 'integer'
    case 'INT64':
      return 'long'
    case 'FLOAT':
      return 'float'
    case 'DOUBLE':
      return 'double'
    case 'BYTE_ARRAY':
      return element.converted_type === 'UTF8' || element.converted_type === 'JSON' || logical?.type === 'STRING' || logical?.type === 'JSON' ? 'string' : 'binary'
    default:
      return { unsupported: `Parquet type ${element.type}` }
  }
}

/** A file's columns as Delta fields: our own types where the file recorded them. */
function fieldsOf(metadata: FileMetaData): (DeltaField | { name: string; unsupported: string })[] {
  const ours = new Map(schemaFromMetadata(metadata)?.columns.map((c) => [c.name, c.type]))
  const root = metadata.schema[0]!
  const out: (DeltaField | { name: string; unsupported: string })[] = []
  let i = 1
  for (let child = 0; child < (root.num_children ?? 0); child++) {
    const element = metadata.schema[i]!
    const type = deltaTypeOf(element)
    const own = ours.get(element.name)
    if (typeof type !== 'string') out.push({ name: element.name, unsupported: type.unsupported })
    else if (own && own !== 'null' && fieldOf(element.name, own).type === type) out.push(fieldOf(element.name, own))
    else out.push({ name: element.name, type, nullable: true, metadata: {} })
    i += 1 + countDescendants(metadata.schema, i)
  }
  return out
}

function countDescendants(schema: readonly SchemaElement[], at: number): number {
  let count = 0
  for (let k = 0; k < (schema[at]!.num_children ?? 0); k++) count += 1 + countDescendants(schema, at + 1 + count)
  return count
}

/**
 * Makes a plain Hive folder a Delta table in place: version 0 lists its Parquet files as they are,
 * no data copied. Files whose columns disagree, CSV files and column types Delta cannot hold are
 * reported (SCHEMA_MISMATCH / NOT_SUPPORTED naming the files), never guessed.
 */
export async function convertToDelta(store: ObjectStore, entity: string, singleWriter = false): Promise<{ version: number; files: number }> {
  const { keys, files } = await plainFiles(store, entity, new Map())
  if (files.length === 0) throw new StorageError('NOT_FOUND', `${entity} has no data files to convert`, { key: `${entity}/` })
  const csv = files.filter((f) => f.format === 'csv')
  if (csv.length > 0) {
    throw new StorageError('NOT_SUPPORTED', `Delta tables hold Parquet; ${entity} has CSV files: ${csv.map((f) => f.key).join(', ')}`, {
      key: csv[0]!.key,
    })
  }
  const described = await mapConcurrent(files, IO_CONCURRENCY, async (file) => {
    const metadata = await readParquetMetadata(rangedFile(store, file.key, file.size))
    return { file, metadata, fields: fieldsOf(metadata) }
  })
  const fields = new Map<string, DeltaField>()
  const disagreements: string[] = []
  for (const { file, fields: own } of described) {
    for (const field of own) {
      if ('unsupported' in field) {
        throw new StorageError('NOT_SUPPORTED', `column ${JSON.stringify(field.name)} of ${file.key} is ${field.unsupported}`, { key: file.key })
      }
      const seen = fields.get(field.name)
      if (!seen) fields.set(field.name, field)
      else if (JSON.stringify(seen.type) !== JSON.stringify(field.type) || seen.metadata['cfb.type'] !== field.metadata['cfb.type']) {
        disagreements.push(`${field.name}: ${JSON.stringify(seen.type)} and ${JSON.stringify(field.type)} in ${file.key}`)
      }
    }
  }
  if (disagreements.length > 0) {
    throw new StorageError('SCHEMA_MISMATCH', `the files of ${entity} disagree on column types: ${disagreements.join('; ')}`)
  }
  for (const key of keys) {
    if (fields.has(key)) throw new StorageError('SCHEMA_MISMATCH', `${entity} has ${key} both as a folder level and as a column in its files`)
    fields.set(key, fieldOf(key, partitionColumnType(files.map((f) => f.partition.values[key] ?? null))))
  }
  const now = Date.now()
  const all = [...fields.values()]
  const actions: Action[] = [
    {
      commitInfo: {
        timestamp: now,
        operation: 'CONVERT',
        operationParameters: { numFiles: String(files.length), partitionedBy: JSON.stringify(keys) },
        engineInfo: '@cfb/storage',
        txnId: randomUUID(),
      },
    },
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: randomUUID(),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(all),
        partitionColumns: keys,
        createdTime: now,
        // Files were never ours to delete at once: removed ones stay for Delta's retention.
        configuration: tableConfiguration({ keepRemovedFilesMs: 7 * 24 * 60 * 60 * 1000 }),
      },
    },
    ...described.map(({ file, metadata }) => ({
      add: {
        path: pathOfKey(entity, file.key),
        partitionValues: Object.fromEntries(keys.map((k) => [k, serializePartitionValue(file.partition.values[k] ?? null)])),
        size: file.size,
        modificationTime: now,
        dataChange: true,
        stats: JSON.stringify({ numRecords: Number(metadata.num_rows) }),
      },
    })),
  ]
  const committed = await commit(store, entity, undefined, (current) => {
    if (current) throw new StorageError('CONFLICT', `${entity} became a Delta table while it was being converted`)
    return actions
  }, { singleWriter })
  return { version: committed.state.version, files: files.length }
}
