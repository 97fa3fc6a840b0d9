import { type FileMetaData, parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { snappyCompress } from '../codecs/parquet/snappy.js'
import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { type Action, checkAction, type RemoveFile } from './actions.js'
import { checkpointRows, UnsupportedShape } from './checkpoint-rows.js'
import { checkpointKey, lastCheckpointKey } from './log-files.js'
import { retentionMs } from './table-options.js'
import type { TableState } from './table-state.js'

/**
 * Checkpoints (PROTOCOL.md, "Checkpoints"): the state at a version as one Parquet file of actions,
 * one action per row, so readers start there instead of replaying every commit. Written with
 * hyparquet-writer, which handles the nested columns (structs, maps, lists).
 */
export const CHECKPOINT_INTERVAL = 10

type SchemaElement = Record<string, unknown>

const str = (name: string, required = false): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
})
const i64 = (name: string): SchemaElement => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' })
const i32 = (name: string): SchemaElement => ({ name, type: 'INT32', repetition_type: 'OPTIONAL' })
const bool = (name: string): SchemaElement => ({ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' })
const group = (name: string, children: number): SchemaElement => ({ name, repetition_type: 'OPTIONAL', num_children: children })
const stringMap = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  str('key', true),
  str('value'),
]
const stringList = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  str('element'),
]

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 5 },
  group('txn', 3),
  str('appId'),
  i64('version'),
  i64('lastUpdated'),
  group('add', 7),
  str('path'),
  ...stringMap('partitionValues'),
  i64('size'),
  i64('modificationTime'),
  bool('dataChange'),
  str('stats'),
  ...stringMap('tags'),
  group('remove', 6),
  str('path'),
  i64('deletionTimestamp'),
  bool('dataChange'),
  bool('extendedFileMetadata'),
  ...stringMap('partitionValues'),
  i64('size'),
  group('metaData', 8),
  str('id'),
  str('name'),
  str('description'),
  group('format', 2),
  str('provider'),
  ...stringMap('options'),
  str('schemaString'),
  ...stringList('partitionColumns'),
  ...stringMap('configuration'),
  i64('createdTime'),
  group('protocol', 2),
  i32('minReaderVersion'),
  i32('minWriterVersion'),
]

const big = (n: number | null | undefined) => (typeof n === 'number' ? BigInt(n) : null)

/** The checkpoint file of `state`: protocol, metadata, app transactions, live files and tombstones. */
export function encodeCheckpoint(state: TableState): Uint8Array {
  const rows: Record<string, unknown>[] = []
  const { protocol, metadata } = state
  rows.push({ protocol: { minReaderVersion: protocol.minReaderVersion, minWriterVersion: protocol.minWriterVersion } })
  rows.push({
    metaData: {
      id: metadata.id,
      name: metadata.name ?? null,
      description: metadata.description ?? null,
      format: { provider: metadata.format.provider, options: metadata.format.options ?? {} },
      schemaString: metadata.schemaString,
      partitionColumns: metadata.partitionColumns,
      configuration: metadata.configuration,
      createdTime: big(metadata.createdTime),
    },
  })
  for (const txn of state.txns.values()) {
    rows.push({ txn: { appId: txn.appId, version: BigInt(txn.version), lastUpdated: big(txn.lastUpdated) } })
  }
  for (const add of state.files.values()) {
    rows.push({
      add: {
        path: add.path,
        partitionValues: add.partitionValues,
        size: BigInt(add.size),
        modificationTime: BigInt(add.modificationTime),
        dataChange: false,
        stats: add.stats ?? null,
        tags: add.tags ?? null,
      },
    })
  }
  for (const remove of state.tombstones.values()) {
    rows.push({
      remove: {
        path: remove.path,
        deletionTimestamp: big(remove.deletionTimestamp),
        dataChange: false,
        extendedFileMetadata: remove.extendedFileMetadata ?? null,
        partitionValues: remove.partitionValues ?? null,
        size: big(remove.size),
      },
    })
  }
  const names = ['txn', 'add', 'remove', 'metaData', 'protocol']
  const buffer = parquetWriteBuffer({
    columnData: names.map((name) => ({ name, data: rows.map((row) => row[name] ?? null) })),
    schema: SCHEMA as never,
    codec: 'SNAPPY',
    // The WebAssembly snappy our data files use: hyparquet-writer's own is JavaScript.
    compressors: { SNAPPY: snappyCompress },
  } as never)
  return new Uint8Array(buffer)
}

/**
 * `state` without the tombstones older than the table's retention, as Delta's writers checkpoint
 * it: past the retention a removed file may be gone (ours are gone at once unless the table keeps
 * them), and only vacuum and time travel within the retention use its tombstone. A table
 * overwritten again and again keeps checkpoints, and its cached state, as large as its live files.
 */
export function withoutExpiredTombstones(state: TableState, now: number): TableState {
  const horizon = now - retentionMs(state.metadata.configuration)
  const kept = new Map<string, RemoveFile>()
  for (const [path, remove] of state.tombstones) if ((remove.deletionTimestamp ?? 0) > horizon) kept.set(path, remove)
  return kept.size === state.tombstones.size ? state : { ...state, tombstones: kept }
}

/** Writes the checkpoint of `state` and then `_last_checkpoint`, which points readers at it. */
export async function writeCheckpoint(store: ObjectStore, state: TableState): Promise<void> {
  const bytes = encodeCheckpoint(state)
  await store.put(checkpointKey(state.table, state.version), bytes)
  const size = 2 + state.txns.size + state.files.size + state.tombstones.size
  const pointer = JSON.stringify({ version: state.version, size, sizeInBytes: bytes.length, numOfAddFiles: state.files.size })
  await store.put(lastCheckpointKey(state.table), new TextEncoder().encode(`${pointer}\n`), { contentType: 'application/json' })
}

/** The actions of a checkpoint file, as a commit file's would be. */
export async function readCheckpoint(store: ObjectStore, key: string): Promise<Action[]> {
  const bytes = await store.get(key)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  let rows: Record<string, any>[]
  let columns: string[]
  try {
    const metadata = parquetMetadata(buffer)
    const present = new Set(metadata.schema.map((e) => e.name))
    columns = ['txn', 'add', 'remove', 'metaData', 'protocol'].filter((c) => present.has(c))
    rows = await checkpointRowsOrGeneral(buffer, metadata, columns)
  } catch (cause) {
    throw new StorageError('CORRUPT_DATA', `cannot read checkpoint ${key}: ${(cause as Error).message}`, { key, cause })
  }
  const actions: Action[] = []
  for (const row of rows) {
    for (const kind of columns) {
      const value = row[kind]
      if (value === null || value === undefined) continue
      const action = checkAction(ACTION_OF[kind]!(normalize(kind, value)))
      if (action === false) throw new StorageError('CORRUPT_DATA', `checkpoint ${key} holds a malformed ${kind} action`, { key })
      if (action) actions.push(action)
    }
  }
  return actions
}

async function checkpointRowsOrGeneral(buffer: ArrayBuffer, metadata: FileMetaData, columns: string[]): Promise<Record<string, any>[]> {
  try {
    return checkpointRows(buffer, metadata, columns)
  } catch (error) {
    if (!(error instanceof UnsupportedShape)) throw error
    return parquetReadObjects({ file: buffer, metadata, columns, compressors })
  }
}

/** An action of each kind around its value, as object literals: one shape per kind. */
const ACTION_OF: Record<string, (value: Record<string, unknown>) => Record<string, unknown>> = {
  txn: (txn) => ({ txn }),
  add: (add) => ({ add }),
  remove: (remove) => ({ remove }),
  metaData: (metaData) => ({ metaData }),
  protocol: (protocol) => ({ protocol }),
}

/**
 * Checkpoint rows hold int64 as bigint and absent fields as null; commit files hold numbers. The
 * row's own objects (decoded for this read alone) are changed in place.
 */
function normalize(kind: string, value: Record<string, unknown>): Record<string, unknown> {
  for (const field in value) {
    const v = value[field]
    if (typeof v === 'bigint') value[field] = Number(v)
  }
  if ((kind === 'add' || kind === 'remove') && value.partitionValues == null) value.partitionValues = {}
  if (kind === 'metaData' && value.format && typeof value.format === 'object') {
    const format = value.format as Record<string, unknown>
    value.format = { provider: format.provider, options: format.options ?? {} }
  }
  return value
}
