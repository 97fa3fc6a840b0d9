import { randomUUID } from 'node:crypto'
import { encodeParquetColumns } from '../codecs/parquet.js'
import { type ColumnType, type ColumnValues, columnValues } from '../codecs/column-values.js'
import { inferColumns, type TableSchema } from '../codecs/schema.js'
import { mapConcurrent } from '../store/concurrency.js'
import { StorageError } from '../errors.js'
import { normalizeKey } from '../keys/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import type { Partition } from '../partition/partition.js'
import type { Action, AddFile, RemoveFile } from '../table/actions.js'
import { assertCanCommit, commit, outcomeUnknown, StaleWrite } from '../table/commit.js'
import { columnOf, type DeltaField, mismatch, schemaString, type TableColumn } from '../table/delta-schema.js'
import { keyOfPath, pathOfKey } from '../table/log-files.js'
import { fitPartitionValue, parsePartitionValue, serializePartitionValue } from '../table/partition-values.js'
import { statsJson } from '../table/stats.js'
import { checkWritable, type TableState } from '../table/table-state.js'
import { newDataFileName } from './data-file-names.js'
import { assertNoPlainData } from './plain-folders.js'
import type { TableCache } from './table-cache.js'
import { removesSuperseded, type TableOptions, tableConfiguration } from './table-options.js'
import { resolveWriteSchema, type WriteSchema } from './write-schema.js'

type Row = Record<string, unknown>

/** An idempotent write: applied once per `appId` and increasing `version` (Delta's `txn` action). */
export interface WriteTxn {
  appId: string
  version: number
}

export interface TableWrite {
  entity: string
  partitionKeys: readonly string[]
  groups: readonly { partition: Partition; records: readonly Row[] }[]
  overwrite: boolean
  concurrency: number
  schema?: TableSchema
  txn?: WriteTxn
  table?: TableOptions
  /** The caller vouches that no other process writes this table (stores without conditional create). */
  singleWriter?: boolean
}

interface WrittenFile {
  key: string
  add: AddFile
  rows: number
}

/** Restarts of a write whose files no longer fit the table after the commits it missed. */
const MAX_RESTARTS = 5

/**
 * Writes partitions as one table version: data files first, under unique names, then the commit.
 * An overwrite removes what is live in its partitions at the version it commits on.
 */
export async function writeTable(store: ObjectStore, tables: TableCache, write: TableWrite): Promise<number> {
  assertCanCommit(store, write.entity, write.singleWriter)
  for (let restart = 0; ; restart++) {
    const state = await tables.latest(write.entity)
    if (state) checkWritable(state, write.overwrite)
    else await assertNoPlainData(store, write.entity)
    if (write.txn && applied(state, write.txn)) return 0
    const nonEmpty = write.groups.filter((g) => g.records.length > 0)
    // A first pass learns each partition's columns; values are collected partition by partition
    // while encoding, so a write holds only the partitions it is encoding at once. A write with no
    // more partitions than it encodes at once holds them all anyway: it collects in the first pass.
    const collect = nonEmpty.length <= write.concurrency
    const found = nonEmpty.map((g) => inferColumns(g.records, collect, write.partitionKeys))
    const inferred = nonEmpty.map((g, i) => ({ partition: g.partition, schema: found[i]!.schema }))
    if (!state && inferred.length === 0 && !write.schema) return 0
    // Nothing to add and nothing to replace: no version for it.
    if (state && inferred.length === 0 && (!write.overwrite || superseded(state, write, 0).length === 0)) return 0
    const schema = resolveWriteSchema(write.entity, state, inferred, write.partitionKeys, state ? undefined : write.schema)
    const put: string[] = []
    const files = await mapConcurrent(nonEmpty, write.concurrency, (g, i) =>
      writeFile(store, write.entity, g, schema, put, collect ? found[i] : undefined),
    ).catch(
      async (error: unknown) => {
        // A partition that cannot be stored fails the whole write: nothing of it stays behind.
        await store.delete(put).catch(() => undefined)
        throw error
      },
    )
    try {
      const committed = await commit(store, write.entity, state, (current) => actionsFor(write, schema, files, state, current), {
        singleWriter: write.singleWriter,
      })
      tables.remember(committed.state)
      if (write.overwrite && removesSuperseded(committed.state.metadata.configuration)) {
        const removed = committed.actions.flatMap((a) => ('remove' in a ? [keyOfPath(write.entity, a.remove.path)] : []))
        // Best effort: the log no longer lists them, and vacuum removes what is left.
        await store.delete(removed).catch(() => undefined)
      }
      return files.reduce((sum, f) => sum + f.rows, 0)
    } catch (error) {
      // Files no version names are removed at once, unless the version's own write failed
      // unseen (it may have landed); vacuum removes those if it did not.
      if (!outcomeUnknown(error)) await store.delete(files.map((f) => f.key)).catch(() => undefined)
      if (!(error instanceof StaleWrite || error instanceof TxnApplied)) throw error
      if (error instanceof TxnApplied) return 0
      if (restart === MAX_RESTARTS) {
        throw new StorageError('CONFLICT', `${write.entity} kept changing its schema under this write; write again`)
      }
    }
  }
}

class TxnApplied extends Error {}

function applied(state: TableState | undefined, txn: WriteTxn): boolean {
  const done = state?.txns.get(txn.appId)
  return done !== undefined && done.version >= txn.version
}

/** Encodes one partition's records under the table schema and puts the file. */
async function writeFile(
  store: ObjectStore,
  entity: string,
  group: { partition: Partition; records: readonly Row[] },
  schema: WriteSchema,
  put: string[],
  collected: ReturnType<typeof inferColumns> | undefined,
): Promise<WrittenFile> {
  const rows = group.records.length
  const partitionKeys = group.partition.keys
  const suffix = group.partition.pathSuffix()
  const key = `${suffix === '' ? entity : `${entity}/${suffix}`}/${newDataFileName()}`
  normalizeKey(key)
  const found = collected ?? inferColumns(group.records, true, partitionKeys)
  const byName = new Map(found.schema.columns.map((c, j) => [c.name, { type: c.type, values: found.values[j]! }]))
  const columns: { name: string; type: ColumnType; values: ColumnValues }[] = []
  for (const column of schema.columns) {
    if (partitionKeys.includes(column.name) || !column.writable) continue
    const given = byName.get(column.name)
    columns.push({ name: column.name, type: column.type as ColumnType, values: fit(entity, column, given, rows) })
  }
  const fileSchema: TableSchema = { columns: columns.map(({ name, type }) => ({ name, type })) }
  const bytes = encodeParquetColumns(
    columns.map((c) => c.values),
    rows,
    fileSchema,
  )
  put.push(key)
  await store.put(key, bytes)
  const partitionValues: Record<string, string | null> = {}
  for (const name of partitionKeys) {
    const column = schema.columns.find((c) => c.name === name)!
    partitionValues[name] = serializePartitionValue(fitPartitionValue(column.type, group.partition.values[name] ?? null) ?? null)
  }
  return {
    key,
    rows,
    add: {
      path: pathOfKey(entity, key),
      partitionValues,
      size: bytes.length,
      modificationTime: Date.now(),
      dataChange: true,
      stats: statsJson(columns, rows),
    },
  }
}

/** A column's collected values in the form its table type encodes from. */
function fit(entity: string, column: TableColumn, given: { type: ColumnType; values: ColumnValues } | undefined, rows: number): ColumnValues {
  const type = column.type as ColumnType
  if (!given || given.type === 'null') return columnValues(type, rows)
  if (given.type === type || (type === 'float' && given.type === 'int')) return given.values
  const out = columnValues(type, rows)
  const { defined, numbers, items } = given.values
  for (let i = 0; i < rows; i++) {
    if (defined[i] !== 1) continue
    out.defined[i] = 1
    if (type === 'bigint') out.items![i] = BigInt(numbers![i]!)
    else {
      const n = Number(items![i] as bigint)
      if (!Number.isSafeInteger(n)) throw mismatch(entity, column.name, 'integer (long, within ±2^53)', `bigint ${items![i]}`)
      out.numbers![i] = n
    }
  }
  return out
}

/** The next version's actions, built on `current` (which may be newer than the state we encoded for). */
function actionsFor(
  write: TableWrite,
  schema: WriteSchema,
  files: readonly WrittenFile[],
  encodedFor: TableState | undefined,
  current: TableState | undefined,
): Action[] {
  if (current !== encodedFor) {
    if (write.txn && applied(current, write.txn)) throw new TxnApplied()
    if (!stillFits(schema, current)) throw new StaleWrite()
  }
  const now = Date.now()
  const actions: Action[] = []
  const removes = write.overwrite && current ? superseded(current, write, now) : []
  const rows = files.reduce((sum, f) => sum + f.rows, 0)
  actions.push({
    commitInfo: {
      timestamp: now,
      operation: 'WRITE',
      operationParameters: { mode: write.overwrite ? 'Overwrite' : 'Append', partitionBy: JSON.stringify(write.partitionKeys) },
      ...(current ? { readVersion: current.version } : {}),
      isBlindAppend: !write.overwrite,
      operationMetrics: {
        numFiles: String(files.length),
        numOutputRows: String(rows),
        numOutputBytes: String(files.reduce((sum, f) => sum + f.add.size, 0)),
        numRemovedFiles: String(removes.length),
        numRemovedRows: String(removes.reduce((sum, r) => sum + rowsOf(r.stats), 0)),
      },
      engineInfo: '@cfb/storage',
      txnId: randomUUID(),
    },
  })
  const fields = current ? mergeFields(current.fields, schema.fields) : schema.fields
  if (!current) {
    actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } })
    actions.push({
      metaData: {
        id: randomUUID(),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(fields),
        partitionColumns: schema.partitionColumns,
        createdTime: now,
        configuration: tableConfiguration(write.table ?? {}),
      },
    })
  } else if (schemaString(fields) !== schemaString(current.fields)) {
    actions.push({ metaData: { ...current.metadata, schemaString: schemaString(fields) } })
  }
  if (write.txn) actions.push({ txn: { appId: write.txn.appId, version: write.txn.version, lastUpdated: now } })
  for (const remove of removes) actions.push({ remove })
  for (const file of files) actions.push({ add: file.add })
  return actions
}

function rowsOf(stats: string | null | undefined): number {
  const match = stats ? /"numRecords":(\d+)/.exec(stats) : null
  return match ? Number(match[1]) : 0
}

/** Our files still fit a table that others changed: same partitioning, same types for our columns. */
function stillFits(schema: WriteSchema, current: TableState | undefined): boolean {
  if (!current) return true
  if (current.metadata.partitionColumns.join('/') !== schema.partitionColumns.join('/')) return false
  const theirs = new Map(current.columns.map((c) => [c.name, c]))
  return schema.columns.every((c) => {
    const other = theirs.get(c.name)
    return other === undefined || other.type === 'null' || c.type === 'null' || (other.type === c.type && other.deltaType === c.deltaType)
  })
}

/** The current fields, with columns we typed that are still untyped there, and our new columns. */
function mergeFields(current: readonly DeltaField[], ours: readonly DeltaField[]): DeltaField[] {
  const mine = new Map(ours.map((f) => [f.name, f]))
  const merged = current.map((f) => (columnOf(f).type === 'null' && mine.has(f.name) ? mine.get(f.name)! : f))
  const names = new Set(current.map((f) => f.name))
  return [...merged, ...ours.filter((f) => !names.has(f.name))]
}

/** Removes for every live file in the partitions this overwrite writes. */
function superseded(current: TableState, write: TableWrite, now: number): RemoveFile[] {
  const columns = new Map(current.columns.map((c) => [c.name, c]))
  const targets = write.groups.map((g) =>
    write.partitionKeys.map((k) => fitPartitionValue(columns.get(k)?.type, g.partition.values[k] ?? null) ?? null),
  )
  const removes: RemoveFile[] = []
  for (const add of current.files.values()) {
    const values = write.partitionKeys.map((k) => parsePartitionValue(columns.get(k)?.type, add.partitionValues[k]))
    if (!targets.some((t) => t.every((v, i) => v === values[i]))) continue
    removes.push({
      path: add.path,
      deletionTimestamp: now,
      dataChange: true,
      extendedFileMetadata: true,
      partitionValues: add.partitionValues,
      size: add.size,
      ...(add.stats ? { stats: add.stats } : {}),
    })
  }
  return removes
}
