import { parquetMetadata, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet'
import type { AsyncBuffer, FileMetaData } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { StorageError } from '../errors.js'
import { transpose } from './parquet/columns.js'
import { writeParquet } from './parquet/write.js'
import type { ColumnType, ColumnValues, TableSchema } from './schema.js'

/** Key-value metadata entry that carries our logical schema, so reads return the written types. */
export const SCHEMA_METADATA_KEY = 'cfb.schema'

export interface ParquetEncodeOptions {
  codec?: 'SNAPPY' | 'UNCOMPRESSED'
  rowGroupSize?: number
}

/** Encodes records as one Parquet file: one column per schema column, missing values as null. */
export function encodeParquet(
  records: readonly Record<string, unknown>[],
  schema: TableSchema,
  options: ParquetEncodeOptions = {},
): Uint8Array {
  return encodeParquetColumns(transpose(records, schema), records.length, schema, options)
}

/** `encodeParquet` of rows already by column, in the order of `schema` (as `inferColumns` gives them). */
export function encodeParquetColumns(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetEncodeOptions = {},
): Uint8Array {
  try {
    return writeParquet(values, rowCount, schema, {
      codec: options.codec ?? 'SNAPPY',
      rowGroupSize: options.rowGroupSize ?? 100_000,
      kvMetadata: [{ key: SCHEMA_METADATA_KEY, value: JSON.stringify(schema) }],
      createdBy: '@cfb/storage',
    })
  } catch (cause) {
    throw new StorageError('INVALID_ARGUMENT', `cannot encode records as Parquet: ${(cause as Error).message}`, {
      cause,
    })
  }
}

/** Our logical schema from a file's metadata, when we wrote it. */
export function schemaFromMetadata(metadata: FileMetaData): TableSchema | undefined {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === SCHEMA_METADATA_KEY)
  if (entry?.value === undefined) return undefined
  try {
    return JSON.parse(entry.value) as TableSchema
  } catch {
    return undefined
  }
}

/** Top-level column names of a Parquet file. */
export function parquetColumnNames(metadata: FileMetaData): string[] {
  return parquetSchema(metadata).children.map((child) => child.element.name)
}

/**
 * Bytes read from the end of a file for its footer. Footers are a few KB: a small first read keeps
 * ranged reads over S3 close to the minimum, and a file smaller than this arrives in one request.
 */
export const FOOTER_FETCH_BYTES = 64 * 1024

/** Largest footer a commit file carries; bigger ones are read from the file. */
export const MAX_EMBEDDED_FOOTER_BYTES = 64 * 1024

/** The footer of an encoded file (metadata, its length and the magic), when small enough to embed. */
export function footerOf(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(bytes.byteLength - 8, true) + 8
  return length <= MAX_EMBEDDED_FOOTER_BYTES ? bytes.subarray(bytes.byteLength - length) : undefined
}

/**
 * A file's metadata: parsed from a footer the commit carried (no request at all), or read from the
 * end of the file.
 */
export async function readParquetMetadata(file: AsyncBuffer, footer?: Uint8Array): Promise<FileMetaData> {
  if (footer) return parquetMetadata(footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength) as ArrayBuffer)
  return parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES })
}

export interface ParquetDecodeOptions {
  columns?: readonly string[]
  /** hyparquet filter, used to skip row groups by statistics and to drop rows. */
  filter?: Record<string, unknown>
  rowStart?: number
  rowEnd?: number
  metadata?: FileMetaData
}

function converterFor(type: ColumnType): ((v: unknown) => unknown) | undefined {
  if (type === 'int') return (v) => (typeof v === 'bigint' ? Number(v) : v)
  if (type === 'json') {
    return (v) => (typeof v === 'string' ? JSON.parse(v) : v instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(v)) : v)
  }
  if (type === 'binary') return (v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v)
  if (type === 'null') return () => null
  return undefined
}

/** Decodes rows; values come back with the logical types recorded at write time. */
export async function decodeParquet(
  file: AsyncBuffer,
  options: ParquetDecodeOptions = {},
): Promise<Record<string, unknown>[]> {
  const metadata = options.metadata ?? (await parquetMetadataAsync(file))
  const schema = schemaFromMetadata(metadata)
  const rows: Record<string, unknown>[] = await parquetReadObjects({
    file,
    metadata,
    columns: options.columns ? [...options.columns] : undefined,
    filter: options.filter as never,
    filterStrict: false,
    rowStart: options.rowStart,
    rowEnd: options.rowEnd,
    compressors,
    utf8: !schema?.columns.some((c) => c.type === 'binary'),
  })
  const convert = converters(schema, options.columns)
  if (convert.length > 0) {
    for (const row of rows) {
      for (const [name, to] of convert) {
        if (row[name] !== null && row[name] !== undefined) row[name] = to(row[name])
      }
    }
  }
  return rows
}

/** Converters from hyparquet's values to the logical types our schema recorded, by column. */
export function converters(schema: TableSchema | undefined, columns: readonly string[] | undefined) {
  if (!schema) return []
  const wanted = columns ? new Set(columns) : undefined
  return schema.columns
    .filter((c) => !wanted || wanted.has(c.name))
    .map((c) => [c.name, converterFor(c.type)] as const)
    .filter((entry): entry is readonly [string, (v: unknown) => unknown] => entry[1] !== undefined)
}
