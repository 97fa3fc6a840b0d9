import type { ColumnType } from '../codecs/schema.js'
import { StorageError } from '../errors.js'

/**
 * A table's schema as the Delta log records it (`metaData.schemaString`, a Spark StructType), and
 * its mapping to the value kinds this library reads and writes. Our own kinds that share a Delta
 * type (a JS number holding integers and a bigint are both `long`; JSON is a `string`) are told
 * apart by the field's `cfb.type` metadata, which other engines ignore.
 */
export interface DeltaField {
  name: string
  type: string | Record<string, unknown>
  nullable: boolean
  metadata: Record<string, unknown>
}

/** One column of a table: its Delta field and what it holds for us. */
export interface TableColumn {
  name: string
  /** The kind of JS value it reads as; undefined for Delta types with no such kind. */
  type: ColumnType | undefined
  /** Whether this library writes the column's Delta type (its kind maps back to it). */
  writable: boolean
  /** The Delta type, as `schemaString` spells it (`long`, `decimal(10,2)`, a nested type as JSON). */
  deltaType: string
  nullable: boolean
}

const TYPE_KEY = 'cfb.type'

/** A column no write has given a value yet: typed by the first that does (its files hold none). */
const DELTA_TYPE: Record<ColumnType, string> = {
  null: 'string',
  int: 'long',
  float: 'double',
  bigint: 'long',
  boolean: 'boolean',
  string: 'string',
  timestamp: 'timestamp',
  json: 'string',
  binary: 'binary',
}

/** Our kinds that need a `cfb.type` tag to be told apart from the Delta type's default reading. */
const TAGGED = new Set<ColumnType>(['int', 'json', 'null'])

const FROM_DELTA: Record<string, ColumnType> = {
  long: 'bigint',
  integer: 'int',
  short: 'int',
  byte: 'int',
  double: 'float',
  float: 'float',
  boolean: 'boolean',
  string: 'string',
  timestamp: 'timestamp',
  binary: 'binary',
}

export function fieldOf(name: string, type: ColumnType): DeltaField {
  return { name, type: DELTA_TYPE[type], nullable: true, metadata: TAGGED.has(type) ? { [TYPE_KEY]: type } : {} }
}

export function columnOf(field: DeltaField): TableColumn {
  const deltaType = typeof field.type === 'string' ? field.type : JSON.stringify(field.type)
  const tagged = field.metadata?.[TYPE_KEY]
  let type: ColumnType | undefined = typeof field.type === 'string' ? FROM_DELTA[field.type] : undefined
  if (tagged === 'int' && field.type === 'long') type = 'int'
  if (tagged === 'json' && field.type === 'string') type = 'json'
  if (tagged === 'null' && field.type === 'string') type = 'null'
  const writable = type !== undefined && type !== 'null' && DELTA_TYPE[type] === field.type
  return { name: field.name, type, writable, deltaType, nullable: field.nullable !== false }
}

export function parseSchemaString(text: string, key: string): DeltaField[] {
  let value: any
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new StorageError('CORRUPT_DATA', `the table schema in ${key} is not JSON`, { key, cause })
  }
  if (value?.type !== 'struct' || !Array.isArray(value.fields)) {
    throw new StorageError('CORRUPT_DATA', `the table schema in ${key} is not a struct`, { key })
  }
  for (const field of value.fields) {
    if (typeof field?.name !== 'string' || field.type === undefined) {
      throw new StorageError('CORRUPT_DATA', `the table schema in ${key} has a malformed field`, { key })
    }
  }
  return value.fields.map((f: any) => ({ name: f.name, type: f.type, nullable: f.nullable !== false, metadata: f.metadata ?? {} }))
}

export function schemaString(fields: readonly DeltaField[]): string {
  return JSON.stringify({ type: 'struct', fields })
}

/**
 * Whether a value of kind `found` can be stored in a column of kind `column` exactly: the same
 * kind, an integer in a float column, or an integer and a bigint in each other's columns.
 */
export function accepts(column: ColumnType, found: ColumnType): boolean {
  if (found === 'null' || column === found) return true
  if (column === 'float' && found === 'int') return true
  return (column === 'bigint' && found === 'int') || (column === 'int' && found === 'bigint')
}

export function mismatch(entity: string, column: string, tableType: string, found: string): StorageError {
  return new StorageError(
    'SCHEMA_MISMATCH',
    `column ${JSON.stringify(column)} of ${entity} is ${tableType}, but the records hold ${found} values; nothing was written`,
  )
}
