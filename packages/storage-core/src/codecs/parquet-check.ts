/**
 * A Parquet footer checked before any page is read, and read failures told in words. hyparquet
 * trusts the footer: a column chunk the schema does not name, or one that runs past the end of the
 * file, fails deep inside it (and can leave a read running after the failure is reported), so the
 * footer is checked first and refused with what is wrong.
 */
import type { ColumnMetaData, FileMetaData, SchemaTree } from 'hyparquet'
import { parquetSchema } from 'hyparquet'
import { StorageError } from '../errors.js'

/**
 * A Parquet read failure in words, with the code it is reported under. It is not a StorageError
 * because the reader does not know the file's key: the dataset reports any failure below it as
 * CORRUPT_DATA naming the file, and `decodeParquet` turns it into a StorageError of its code.
 */
export class ParquetFailure extends Error {
  override readonly name = 'ParquetFailure'
  constructor(
    readonly code: 'CORRUPT_DATA' | 'NOT_SUPPORTED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A failure as the StorageError of its code (for callers that report it themselves); any other error as it is. */
export function asStorageError(error: unknown): unknown {
  return error instanceof ParquetFailure ? new StorageError(error.code, error.message, { cause: error.cause }) : error
}

function corrupt(message: string, cause?: unknown): ParquetFailure {
  return new ParquetFailure('CORRUPT_DATA', message, cause === undefined ? {} : { cause })
}

function leaves(node: SchemaTree, out: SchemaTree[] = []): SchemaTree[] {
  if (node.children.length === 0) out.push(node)
  for (const child of node.children) leaves(child, out)
  return out
}

/** The schema tree of a footer, or CORRUPT_DATA when its elements do not form one. */
export function schemaTreeOf(metadata: FileMetaData): SchemaTree {
  let tree: SchemaTree
  try {
    tree = parquetSchema(metadata)
  } catch (cause) {
    throw corrupt('the Parquet schema is malformed: its elements do not form a tree', cause)
  }
  if (tree.count !== metadata.schema.length) {
    throw corrupt(`the Parquet schema is malformed: ${metadata.schema.length} elements, of which its tree holds ${tree.count}`)
  }
  return tree
}

/**
 * parquet-mr before 1.2.9 wrote column chunk sizes that leave out the dictionary page header
 * (PARQUET-816); parquet-cpp reads such chunks with up to 100 bytes more, and so do we.
 */
function writtenBeforeParquet816(createdBy: string | undefined): boolean {
  const match = /^parquet-mr(?: version (\d+)\.(\d+)\.(\d+))?/.exec(createdBy ?? '')
  if (!match) return false
  if (match[1] === undefined) return true
  const [major, minor, patch] = match.slice(1, 4).map(Number) as [number, number, number]
  return major < 1 || (major === 1 && (minor < 2 || (minor === 2 && patch < 9)))
}

const PARQUET_816_PADDING = 100

/**
 * The deprecated `min`/`max` statistics of a byte-array column were written in signed byte order
 * by old writers, which is not the order text compares in; parquet-cpp ignores them, and so does
 * row-group pruning here (`min_value`/`max_value` are kept).
 */
function hasSignedByteStats(meta: ColumnMetaData): boolean {
  const stats = meta.statistics
  return (meta.type === 'BYTE_ARRAY' || meta.type === 'FIXED_LEN_BYTE_ARRAY') &&
    stats !== undefined && (stats.min !== undefined || stats.max !== undefined)
}

/** Footers already checked (and padded): a second check would pad again. */
const readable = new WeakSet<FileMetaData>()

/**
 * The footer, checked against the schema and the file's length, ready for hyparquet: chunk sizes
 * of old parquet-mr padded, signed-order byte-array statistics dropped. Throws CORRUPT_DATA naming
 * what is wrong, NOT_SUPPORTED for encrypted columns.
 */
export function readableMetadata(metadata: FileMetaData, byteLength: number): FileMetaData {
  if (readable.has(metadata)) return metadata
  const tree = schemaTreeOf(metadata)
  const leafNodes = leaves(tree).filter((leaf) => leaf !== tree)
  const dataEnd = byteLength - 8 - metadata.metadata_length
  const pad = writtenBeforeParquet816(metadata.created_by)
  let changed = false
  const rowGroups = metadata.row_groups.map((group, g) => {
    if (group.columns.length !== leafNodes.length) {
      throw corrupt(`row group ${g} has ${group.columns.length} column chunks, the schema ${leafNodes.length} columns`)
    }
    const columns = group.columns.map((chunk, c) => {
      const meta = chunk.meta_data
      if (chunk.crypto_metadata !== undefined || chunk.encrypted_column_metadata !== undefined) {
        throw new ParquetFailure('NOT_SUPPORTED', 'encrypted Parquet columns cannot be read')
      }
      const expected = leafNodes[c]!.path.join('.')
      if (!meta) throw corrupt(`row group ${g} has no metadata for column ${expected}`)
      const path = meta.path_in_schema.join('.')
      if (path !== expected) {
        throw corrupt(`row group ${g} has a column chunk for ${path} where the schema has ${expected}`)
      }
      if (leafNodes[c]!.element.type !== meta.type) {
        throw corrupt(`column chunk of ${path} in row group ${g} is ${meta.type}, the schema says ${leafNodes[c]!.element.type}`)
      }
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset)
      const size = Number(meta.total_compressed_size)
      if (!(start >= 4 && size >= 0 && start + size <= dataEnd)) {
        throw corrupt(`column chunk of ${path} in row group ${g} extends past the end of the file`)
      }
      const flat = leafNodes[c]!.path.length === 1 && leafNodes[c]!.element.repetition_type !== 'REPEATED'
      if (flat && meta.num_values !== group.num_rows) {
        throw corrupt(`column chunk of ${path} in row group ${g} holds ${meta.num_values} values, its row group ${group.num_rows} rows`)
      }
      const more = pad ? Math.min(PARQUET_816_PADDING, dataEnd - (start + size)) : 0
      const untrusted = hasSignedByteStats(meta)
      if (more <= 0 && !untrusted) return chunk
      changed = true
      const statistics = untrusted ? { ...meta.statistics, min: undefined, max: undefined } : meta.statistics
      return { ...chunk, meta_data: { ...meta, statistics, total_compressed_size: meta.total_compressed_size + BigInt(Math.max(more, 0)) } }
    })
    return changed ? { ...group, columns } : group
  })
  const out = changed ? { ...metadata, row_groups: rowGroups } : metadata
  readable.add(out)
  return out
}

const STRING_TOO_LONG = /Cannot create a string longer than|Invalid string length/
/** hyparquet's refusals of a valid footer's features; anything else it rejects is malformed data. */
const UNSUPPORTED = /^(unsupported compression codec: [A-Z]|bson not supported|interval not supported|file_path not supported)/

/**
 * A failure while decoding pages, as a ParquetFailure whose message says what is wrong: hyparquet's
 * own messages are kept; a JavaScript error from inside the decoder (a TypeError or RangeError on
 * malformed bytes) is described instead of quoted, and kept as the cause. A StorageError (the
 * store's, e.g. NOT_FOUND) passes through.
 */
export function parquetReadError(cause: unknown, column?: string): Error {
  if (cause instanceof StorageError || cause instanceof ParquetFailure) return cause
  const where = column === undefined ? '' : ` in column ${column}`
  const message = cause instanceof Error ? cause.message : String(cause)
  if (STRING_TOO_LONG.test(message) || (cause as { code?: string } | undefined)?.code === 'ERR_STRING_TOO_LONG') {
    return new ParquetFailure(
      'NOT_SUPPORTED',
      `a text value${where} is longer than the longest string JavaScript can hold (2^29 - 24 characters)`,
      { cause },
    )
  }
  if (cause instanceof Error && /^parquet /.test(message)) {
    const words = message.replace(/^parquet /, '')
    if (UNSUPPORTED.test(words)) return new ParquetFailure('NOT_SUPPORTED', `Parquet${where}: ${words}`, { cause })
    return corrupt(`Parquet data is malformed${where}: ${words}`, cause)
  }
  if (cause instanceof RangeError) {
    return corrupt(`Parquet data is malformed${where}: a page or its values run past the bytes that hold them`, cause)
  }
  return corrupt(`Parquet data is malformed${where}: a page does not decode as its header describes`, cause)
}
