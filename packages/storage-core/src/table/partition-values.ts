import type { ColumnType } from '../codecs/schema.js'
import type { PartitionValue } from '../partition/partition.js'

/**
 * Partition values as the Delta log serialises them (PROTOCOL.md, "Partition Value
 * Serialization"): text, `null` for null. Numbers and booleans in their canonical text.
 */
export function serializePartitionValue(value: PartitionValue): string | null {
  return value === null ? null : String(value)
}

/** The kind of a partition column inferred from the values a table's first write gives it. */
export function partitionColumnType(values: readonly PartitionValue[]): Exclude<ColumnType, 'null'> {
  let type: Exclude<ColumnType, 'null'> | undefined
  for (const value of values) {
    if (value === null) continue
    const kind = typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : Number.isInteger(value) ? 'int' : 'float'
    if (type === undefined || type === kind) type = kind
    else if ((type === 'int' && kind === 'float') || (type === 'float' && kind === 'int')) type = 'float'
    else type = 'string'
  }
  return type ?? 'string'
}

/** Whether a partition column of `type` holds `value` exactly, and the value it stores then. */
export function fitPartitionValue(type: ColumnType | undefined, value: PartitionValue): PartitionValue | undefined {
  if (value === null) return null
  switch (type) {
    case 'string':
      return String(value)
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined
    case 'int':
    case 'bigint': {
      const n = typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value) ? Number(value) : value
      return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined
    }
    case 'float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined
    }
    default:
      return undefined
  }
}

/** A logged partition value read back as the column's kind (text for kinds we do not convert). */
export function parsePartitionValue(type: ColumnType | undefined, text: string | null | undefined): PartitionValue {
  if (text === null || text === undefined) return null
  if (type === 'int' || type === 'bigint' || type === 'float') {
    const n = Number(text)
    return text.trim() !== '' && Number.isFinite(n) && (type === 'float' || Number.isSafeInteger(n)) ? n : text
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text
  return text
}
