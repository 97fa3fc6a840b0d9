import { randomUUID } from 'node:crypto'
import type { Partition } from '../partition/partition.js'
import type { Action, AddFile, RemoveFile } from '../table/actions.js'
import { StaleWrite } from '../table/commit.js'
import { columnOf, type DeltaField, schemaString } from '../table/delta-schema.js'
import { fitPartitionValue, parsePartitionValue } from '../table/partition-values.js'
import type { PartitionValue } from '../partition/partition.js'
import { checkWritable, type TableState } from '../table/table-state.js'
import { type TableOptions, tableConfiguration } from '../table/table-options.js'
import type { WriteSchema } from './write-schema.js'

/** An idempotent write: applied once per `appId` and increasing `version` (Delta's `txn` action). */
export interface WriteTxn {
  appId: string
  version: number
}

/** What a write commits: its files, and the partitions an overwrite replaces. */
export interface WriteCommit {
  partitionKeys: readonly string[]
  /** Every partition the write was given, with rows or without. */
  partitions: readonly Partition[]
  overwrite: boolean
  txn?: WriteTxn
  table?: TableOptions
}

export interface WrittenFile {
  key: string
  add: AddFile
  rows: number
  partition: Partition
  /** The columns the file holds, as encoded. */
  columns: readonly { name: string; type: string }[]
}

/** Thrown by `actionsFor` when the versions a write missed applied its `txn` already. */
export class TxnApplied extends Error {}

export function txnApplied(state: TableState | undefined, txn: WriteTxn): boolean {
  const done = state?.txns.get(txn.appId)
  return done !== undefined && done.version >= txn.version
}

/** The next version's actions, built on `current` (which may be newer than the state we encoded for). */
export function actionsFor(
  write: WriteCommit,
  schema: WriteSchema,
  files: readonly WrittenFile[],
  encodedFor: TableState | undefined,
  current: TableState | undefined,
): Action[] {
  if (current !== encodedFor) {
    // Versions this write did not see may have made the table one it cannot write.
    if (current) checkWritable(current, write.overwrite)
    if (write.txn && txnApplied(current, write.txn)) throw new TxnApplied()
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
  } else if (fields !== current.fields && schemaString(fields) !== schemaString(current.fields)) {
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

/**
 * The current fields, with columns we typed that are still untyped there, and our new columns;
 * `current` itself when that changes nothing (most writes), so no schema need be compared.
 */
function mergeFields(current: readonly DeltaField[], ours: readonly DeltaField[]): readonly DeltaField[] {
  const mine = new Map(ours.map((f) => [f.name, f]))
  const merged = current.map((f) => (columnOf(f).type === 'null' && mine.has(f.name) ? mine.get(f.name)! : f))
  const names = new Set(current.map((f) => f.name))
  const added = ours.filter((f) => !names.has(f.name))
  return added.length === 0 && merged.every((f, i) => f === current[i]) ? current : [...merged, ...added]
}

/** Removes for every live file in the partitions this overwrite writes. */
export function superseded(current: TableState, write: WriteCommit, now: number): RemoveFile[] {
  const isWritten = writtenPartitions(current, write)
  const removes: RemoveFile[] = []
  for (const add of current.files.values()) {
    if (!isWritten(add.partitionValues)) continue
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

/** Whether a file's partition values (as the log holds them) are those of a partition `write` writes. */
function writtenPartitions(current: TableState, write: WriteCommit): (values: Record<string, string | null>) => boolean {
  const keys = write.partitionKeys
  // An unpartitioned table is one partition: its overwrite replaces every file.
  if (keys.length === 0) {
    const all = write.partitions.length > 0
    return () => all
  }
  const columns = new Map(current.columns.map((c) => [c.name, c]))
  const types = keys.map((k) => columns.get(k)?.type)
  // The partitions written, by the value of their first key: most live files are passed over on
  // that one value (every file is visited, so a large table's overwrite stays a light walk).
  const byFirst = new Map<unknown, PartitionValue[][]>()
  for (const p of write.partitions) {
    const target = keys.map((k, i) => fitPartitionValue(types[i], p.values[k] ?? null) ?? null)
    const same = byFirst.get(target[0])
    if (same) same.push(target)
    else byFirst.set(target[0], [target])
  }
  return (values) => {
    const targets = byFirst.get(parsePartitionValue(types[0], values[keys[0]!]))
    return targets?.some((t) => t.every((v, i) => i === 0 || v === parsePartitionValue(types[i], values[keys[i]!]))) ?? false
  }
}
