import { type ColumnType, type TableSchema, unifyTypes } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import type { Partition } from '../partition/partition.js'
import { accepts, columnOf, type DeltaField, fieldOf, mismatch, type TableColumn } from '../table/delta-schema.js'
import { fitPartitionValue, partitionColumnType } from '../table/partition-values.js'

/** What a write found in its records: per partition, each column's kind (`null`: no value). */
export interface InferredGroup {
  partition: Partition
  schema: TableSchema
}

export interface WriteSchema {
  /** The table's fields after this write (new columns appended). */
  fields: DeltaField[]
  columns: TableColumn[]
  partitionColumns: string[]
}

/**
 * The table schema a write commits under: the table's own, plus any new nullable columns the
 * records bring. A value of another kind than its column is SCHEMA_MISMATCH naming the column.
 * A new table takes its schema from the declared one or from every record of its first write; a
 * column with no value anywhere yet is recorded untyped (a string tagged `cfb.type: null`, held
 * by no file) until a write gives it values, whose kind it then takes. `state` is the table's
 * fields and partitioning (or a schema this write already resolved), undefined for a new table.
 */
export function resolveWriteSchema(
  entity: string,
  state: { readonly fields: readonly DeltaField[]; readonly partitionColumns: readonly string[] } | undefined,
  groups: readonly InferredGroup[],
  partitionKeys: readonly string[],
  declared: TableSchema | undefined,
): WriteSchema {
  const partitionColumns = state ? [...state.partitionColumns] : [...partitionKeys]
  if (partitionColumns.join('/') !== partitionKeys.join('/')) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${entity} is partitioned by (${partitionColumns.join(', ')}), not (${partitionKeys.join(', ')})`,
    )
  }
  const fields: DeltaField[] = state ? [...state.fields] : []
  const known = new Map(fields.map((f) => [f.name, columnOf(f)]))
  const added = new Map<string, ColumnType>()
  const settled = new Map<string, ColumnType>()
  if (!state) {
    for (const column of declared?.columns ?? []) {
      fields.push(fieldOf(column.name, column.type))
      known.set(column.name, columnOf(fields[fields.length - 1]!))
    }
  }
  // A new table's partition columns come after its data columns, where rows carry them.
  const newPartitionFields: DeltaField[] = []
  if (!state) {
    for (const key of partitionKeys) {
      if (known.has(key)) continue
      newPartitionFields.push(fieldOf(key, partitionColumnType(groups.map((g) => g.partition.values[key] ?? null))))
      known.set(key, columnOf(newPartitionFields[newPartitionFields.length - 1]!))
    }
  }
  for (const group of groups) {
    for (const key of partitionKeys) {
      const column = known.get(key)!
      if (fitPartitionValue(column.type, group.partition.values[key] ?? null) === undefined) {
        throw mismatch(entity, key, column.deltaType, `${typeof group.partition.values[key]} partition`)
      }
    }
    for (const { name, type } of group.schema.columns) {
      const column = known.get(name)
      if (column?.type === 'null') {
        // No file holds this column yet: the first values give it its type.
        if (type !== 'null') settled.set(name, settled.has(name) ? unifyTypes(settled.get(name)!, type, name) : type)
        continue
      }
      if (column) {
        if (!column.writable && type !== 'null') {
          throw new StorageError('NOT_SUPPORTED', `column ${JSON.stringify(name)} of ${entity} is ${column.deltaType}, which this library cannot write`)
        }
        if (column.type !== undefined && column.writable && !accepts(column.type, type)) throw mismatch(entity, name, describe(column), type)
        continue
      }
      const before = added.get(name)
      added.set(name, before === undefined ? type : unifyTypes(before, type, name))
    }
  }
  for (const [name, type] of settled) fields[fields.findIndex((f) => f.name === name)] = fieldOf(name, type)
  for (const [name, type] of added) fields.push(fieldOf(name, type))
  fields.push(...newPartitionFields)
  return { fields, columns: fields.map(columnOf), partitionColumns }
}

function describe(column: TableColumn): string {
  return column.type === 'int' ? 'integer (long)' : column.type === 'json' ? 'JSON (string)' : `${column.type} (${column.deltaType})`
}

/** A new table's partition columns after its data columns, where rows carry them. */
export function partitionFieldsLast(schema: WriteSchema): WriteSchema {
  const isPartition = (f: DeltaField) => schema.partitionColumns.includes(f.name)
  const fields = [...schema.fields.filter((f) => !isPartition(f)), ...schema.fields.filter(isPartition)]
  return { ...schema, fields, columns: fields.map(columnOf) }
}

/**
 * The schema of a write whose records are encoded in parts. The first part fixes the table's
 * own columns (or the declared ones) and the partition columns' types; columns this write adds
 * take the type of all their values so far, so a column of integers that later meets a fraction
 * widens to float (the files encoded before then are rewritten, see `narrowFiles`).
 */
export class GrowingSchema {
  current: WriteSchema
  private readonly base: { fields: DeltaField[]; partitionColumns: string[] }
  private readonly seen = new Map<string, ColumnType>()

  constructor(
    private readonly entity: string,
    state: { readonly fields: readonly DeltaField[]; readonly partitionColumns: readonly string[] } | undefined,
    first: readonly InferredGroup[],
    private readonly partitionKeys: readonly string[],
    declared: TableSchema | undefined,
  ) {
    this.current = resolveWriteSchema(entity, state, first, partitionKeys, declared)
    const fixed = new Set([...(state?.fields ?? declared?.columns ?? []).map((f) => f.name), ...partitionKeys])
    this.base = { fields: this.current.fields.filter((f) => fixed.has(f.name)), partitionColumns: this.current.partitionColumns }
    for (const group of first) this.note(group.schema)
  }

  /** The schema after one more part's columns. */
  add(partition: Partition, schema: TableSchema): WriteSchema {
    this.note(schema)
    const columns = [...this.seen].map(([name, type]) => ({ name, type }))
    this.current = resolveWriteSchema(this.entity, this.base, [{ partition, schema: { columns } }], this.partitionKeys, undefined)
    return this.current
  }

  private note(schema: TableSchema): void {
    for (const { name, type } of schema.columns) {
      const before = this.seen.get(name)
      this.seen.set(name, before === undefined ? type : unifyTypes(before, type, name))
    }
  }
}
