import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet'
import type { AsyncBuffer, FileMetaData } from 'hyparquet'
import { StorageError } from '../errors.js'
import { asStorageError, ParquetFailure, parquetReadError, readableMetadata, schemaTreeOf } from './parquet-check.js'
import { bigintNumber } from './int64-numbers.js'
import { PARQUET_COMPRESSORS } from './parquet-compressors.js'
import { setOwn } from './own-property.js'
import { type DecimalMode, PARQUET_PARSERS, valueFixes, withRawDecimals } from './parquet-values.js'
import { transpose } from './parquet/columns.js'
import { type EncodedParquet, type ParquetWriteOptions, writeParquet, writeParquetElsewhere } from './parquet/write.js'
import type { ColumnValues } from './column-values.js'
import type { ColumnType, TableSchema } from './schema.js'

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
  return encodeParquetColumns(transpose(records, schema), records.length, schema, options).bytes
}

/**
 * `encodeParquet` of rows already by column, in the order of `schema` (as `inferColumns` gives
 * them), with each column's nulls and bounds.
 */
export function encodeParquetColumns(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetEncodeOptions = {},
): EncodedParquet {
  try {
    return writeParquet(values, rowCount, schema, writeOptions(schema, options))
  } catch (cause) {
    throw encodeError(cause)
  }
}

/**
 * `encodeParquetColumns` with the number columns (those in shared memory) encoded on a worker
 * thread meanwhile, for writes of many files. `values` must stay unchanged until done.
 */
export async function encodeParquetColumnsElsewhere(
  values: readonly ColumnValues[],
  rowCount: number,
  schema: TableSchema,
  options: ParquetEncodeOptions = {},
): Promise<EncodedParquet> {
  try {
    return await writeParquetElsewhere(values, rowCount, schema, writeOptions(schema, options))
  } catch (cause) {
    throw encodeError(cause)
  }
}

function writeOptions(schema: TableSchema, options: ParquetEncodeOptions): ParquetWriteOptions {
  return {
    codec: options.codec ?? 'SNAPPY',
    rowGroupSize: options.rowGroupSize ?? 100_000,
    kvMetadata: [{ key: SCHEMA_METADATA_KEY, value: JSON.stringify(schema) }],
    createdBy: '@cfb/storage',
  }
}

function encodeError(cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause
  return new StorageError('INVALID_ARGUMENT', `cannot encode records as Parquet: ${(cause as Error).message}`, { cause })
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
 * Bytes read from the end of a file for its footer when its length is not known. Footers are a
 * few KB; a file smaller than this arrives in one request, footer and data together.
 */
export const FOOTER_FETCH_BYTES = 64 * 1024

/** The tag of a data file's `add` action that gives its footer's length (metadata, length and magic). */
export const FOOTER_LENGTH_TAG = 'cfb.footerLength'

/** The length of an encoded file's footer: its metadata, the length itself and the magic. */
export function footerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.byteLength - 8, true) + 8
}

/**
 * A file's metadata, read from its end: exactly `knownFooter` bytes when the log recorded them and
 * the file is larger than FOOTER_FETCH_BYTES (a smaller one comes whole). A wrong length costs
 * one more read, never a wrong answer. A footer that does not parse is a ParquetFailure
 * (CORRUPT_DATA; an encrypted one NOT_SUPPORTED).
 */
export async function readParquetMetadata(file: AsyncBuffer, knownFooter?: number): Promise<FileMetaData> {
  const initialFetchSize = knownFooter !== undefined && file.byteLength > FOOTER_FETCH_BYTES ? knownFooter : FOOTER_FETCH_BYTES
  try {
    return await parquetMetadataAsync(file, { initialFetchSize, parsers: PARQUET_PARSERS })
  } catch (cause) {
    throw await footerError(file, cause)
  }
}

async function footerError(file: AsyncBuffer, cause: unknown): Promise<Error> {
  if (cause instanceof StorageError) return cause
  if (file.byteLength >= 4) {
    const magic = new TextDecoder().decode(await file.slice(file.byteLength - 4))
    if (magic === 'PARE') return new ParquetFailure('NOT_SUPPORTED', 'encrypted Parquet (a PARE footer) cannot be read', { cause })
  }
  const message = cause instanceof Error ? cause.message : String(cause)
  const words = /^parquet /.test(message) ? message.replace(/^parquet /, '') : 'its metadata does not decode'
  return new ParquetFailure('CORRUPT_DATA', `not a readable Parquet file: ${words}`, { cause })
}

export interface ParquetDecodeOptions {
  columns?: readonly string[]
  rowStart?: number
  rowEnd?: number
  metadata?: FileMetaData
  /** DECIMAL values as the nearest double (`'number'`, the default) or as exact fixed-point text (`'string'`). */
  decimals?: DecimalMode
}

function converterFor(type: ColumnType, column: string): ((v: unknown) => unknown) | undefined {
  if (type === 'int') return (v) => (typeof v === 'bigint' ? bigintNumber(v) : v)
  if (type === 'json') {
    const parse = (text: string) => {
      try {
        return JSON.parse(text)
      } catch (cause) {
        throw new ParquetFailure('CORRUPT_DATA', `column ${column} is recorded as JSON but holds text that is not JSON`, { cause })
      }
    }
    return (v) => (typeof v === 'string' ? parse(v) : v instanceof Uint8Array ? parse(new TextDecoder().decode(v)) : v)
  }
  if (type === 'binary') return (v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v)
  if (type === 'null') return () => null
  return undefined
}

/**
 * Decodes rows; values come back with the logical types recorded at write time, and a foreign
 * file's values as exactly as JavaScript holds them (see parquet-values.ts). Failures are
 * StorageErrors: CORRUPT_DATA saying what is malformed, NOT_SUPPORTED for what cannot be held.
 */
export async function decodeParquet(
  file: AsyncBuffer,
  options: ParquetDecodeOptions = {},
): Promise<Record<string, unknown>[]> {
  try {
    return await decodeRows(file, options)
  } catch (error) {
    throw asStorageError(error)
  }
}

/** `decodeParquet` for readers that report failures themselves: a ParquetFailure, not a StorageError. */
export async function decodeRows(file: AsyncBuffer, options: ParquetDecodeOptions): Promise<Record<string, unknown>[]> {
  const metadata = readableMetadata(options.metadata ?? (await readParquetMetadata(file)), file.byteLength)
  const present = parquetColumnNames(metadata)
  const names = options.columns ? present.filter((name) => options.columns!.includes(name)) : present
  const fixes = valueFixes(schemaTreeOf(metadata), names, { decimals: options.decimals ?? 'number' })
  const convert = new Map(converters(schemaFromMetadata(metadata), names))
  // hyparquet's row objects are built by assignment, which would make a `__proto__` column the
  // row's prototype: with such a column, rows come as arrays and become objects here.
  const asArrays = names.includes('__proto__')
  let decoded: unknown[] = []
  try {
    await parquetRead({
      file,
      metadata: withRawDecimals(metadata),
      columns: names,
      rowStart: options.rowStart,
      rowEnd: options.rowEnd,
      compressors: PARQUET_COMPRESSORS,
      parsers: PARQUET_PARSERS,
      utf8: false,
      rowFormat: asArrays ? 'array' : 'object',
      onComplete: (rows: unknown[]) => {
        decoded = rows
      },
    })
  } catch (cause) {
    throw parquetReadError(cause)
  }
  if (asArrays) {
    const steps = names.map((name) => rowStep(name, fixes.get(name), convert.get(name)))
    return (decoded as unknown[][]).map((values) => {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < steps.length; i++) steps[i]!(row, values[i])
      return row
    })
  }
  const rows = decoded as Record<string, unknown>[]
  for (const name of names) {
    const fix = fixes.get(name)
    const to = convert.get(name)
    if (!fix && !to) continue
    const step = rowStep(name, fix, to)
    for (const row of rows) step(row, row[name])
  }
  return rows
}

/** One column's value fixed up and converted to its logical type; undefined when values need neither. */
export function valueStep(
  fix: ((v: unknown) => unknown) | undefined,
  to: ((v: unknown) => unknown) | undefined,
): ((value: unknown) => unknown) | undefined {
  if (!fix && !to) return undefined
  return (value) => {
    const v = fix ? fix(value) : value
    return to && v !== null && v !== undefined ? to(v) : v
  }
}

/** Stores one column's value in a row object: fixed up, converted to its logical type, as an own property. */
export function rowStep(
  name: string,
  fix: ((v: unknown) => unknown) | undefined,
  to: ((v: unknown) => unknown) | undefined,
): (row: Record<string, unknown>, value: unknown) => void {
  const own = name === '__proto__'
  return (row, value) => {
    let v = fix ? fix(value) : value
    if (to && v !== null && v !== undefined) v = to(v)
    if (own) setOwn(row, name, v)
    else row[name] = v
  }
}

/** Converters from hyparquet's values to the logical types our schema recorded, by column. */
export function converters(schema: TableSchema | undefined, columns: readonly string[] | undefined) {
  if (!schema) return []
  const wanted = columns ? new Set(columns) : undefined
  return schema.columns
    .filter((c) => !wanted || wanted.has(c.name))
    .map((c) => [c.name, converterFor(c.type, c.name)] as const)
    .filter((entry): entry is readonly [string, (v: unknown) => unknown] => entry[1] !== undefined)
}
