import { decodeParquet, type Row, SCHEMA_METADATA_KEY } from '@cfb/storage-core'
import { type FileMetaData, parquetMetadata, parquetSchema, type SchemaElement } from 'hyparquet'

/**
 * What reading a column of another writer's Parquet file would change, or undefined when its
 * values come through exactly. The reader gives JavaScript numbers, text and millisecond dates;
 * the types below do not fit those without a change the user should hear about.
 */
function lossOf(element: SchemaElement): string | undefined {
  const logical = element.logical_type
  const converted = element.converted_type
  if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') {
    const p = logical?.type === 'DECIMAL' ? `(${logical.precision},${logical.scale})` : ''
    return `is decimal${p}: it would become a binary floating-point number (4.56 can read back as 4.5600000000000005)`
  }
  if (logical?.type === 'DATE' || converted === 'DATE') return 'is a date: it would be stored as a timestamp at midnight UTC'
  if (logical?.type === 'TIME' || converted === 'TIME_MILLIS' || converted === 'TIME_MICROS') return 'is a time of day, which has no exact type here'
  if (logical?.type === 'TIMESTAMP' && logical.unit !== 'MILLIS') {
    return `is timestamp[${logical.unit === 'MICROS' ? 'us' : 'ns'}]: its ${logical.unit === 'MICROS' ? 'micro' : 'nano'}seconds would be lost (timestamps are kept in milliseconds)`
  }
  if (converted === 'TIMESTAMP_MICROS') return 'is timestamp[us]: its microseconds would be lost (timestamps are kept in milliseconds)'
  if (element.type === 'INT96') return 'is an INT96 timestamp: its nanoseconds would be lost (timestamps are kept in milliseconds)'
  if (element.type === 'FLOAT') return 'is float32: it would be stored as float64 (1.1 would read back as 1.100000023841858)'
  if (element.type === 'BYTE_ARRAY') {
    const text = logical?.type === 'STRING' || logical?.type === 'JSON' || logical?.type === 'ENUM' || converted === 'UTF8' || converted === 'JSON' || converted === 'ENUM'
    if (!text) return 'is binary: it would be read as text, and bytes that are not UTF-8 would be lost'
  }
  if (element.type === 'FIXED_LEN_BYTE_ARRAY') return `is FIXED_LEN_BYTE_ARRAY${logical ? ` (${logical.type})` : ''}, which is not read exactly`
  if (logical?.type === 'INTERVAL' || converted === 'INTERVAL') return 'is an interval, which has no exact type here'
  return undefined
}

/** Each column of a file our writer did not write whose values would change, with the reason. */
export function lossyColumns(metadata: FileMetaData): { column: string; reason: string }[] {
  if (metadata.key_value_metadata?.some((kv) => kv.key === SCHEMA_METADATA_KEY)) return []
  const out: { column: string; reason: string }[] = []
  const visit = (node: ReturnType<typeof parquetSchema>, path: string[]) => {
    if (node.children.length === 0) {
      const reason = lossOf(node.element)
      if (reason) out.push({ column: path.join('.'), reason })
    }
    for (const child of node.children) visit(child, [...path, child.element.name])
  }
  for (const child of parquetSchema(metadata).children) visit(child, [child.element.name])
  return out
}

/** The rows of a Parquet file, with the columns that would not come through exactly. */
export async function readParquetFile(bytes: Uint8Array): Promise<{ rows: Row[]; lossy: { column: string; reason: string }[] }> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const metadata = parquetMetadata(buffer)
  return { rows: await decodeParquet(buffer), lossy: lossyColumns(metadata) }
}
