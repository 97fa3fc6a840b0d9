import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { type Action, checkAction, type RemoveFile } from './actions.js'
import { type CheckpointRow, encodeCheckpointFile } from './checkpoint-file.js'
import { checkpointValues, UnsupportedShape } from './checkpoint-rows.js'
import { checkpointKey, lastCheckpointKey } from './log-files.js'
import { retentionMs } from './table-options.js'
import type { TableState } from './table-state.js'

/*
 * Checkpoints (PROTOCOL.md, "Checkpoints"): the state at a version as one Parquet file of actions,
 * one action per row, so readers start there instead of replaying every commit. A commit writes
 * one every `delta.checkpointInterval` versions (table-options.ts).
 */

/** The checkpoint file of `state`: protocol, metadata, app transactions, live files and tombstones. */
export function encodeCheckpoint(state: TableState): Uint8Array {
  return encodeCheckpointFile(checkpointRows(state), '@cfb/storage')
}

/** The checkpoint's rows of `state`, one action each, in the order `encodeCheckpoint` writes them. */
export function checkpointRows(state: TableState): CheckpointRow[] {
  const rows: CheckpointRow[] = []
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
      createdTime: metadata.createdTime ?? null,
    },
  })
  for (const txn of state.txns.values()) {
    rows.push({ txn: { appId: txn.appId, version: txn.version, lastUpdated: txn.lastUpdated ?? null } })
  }
  for (const add of state.files.values()) {
    rows.push({
      add: {
        path: add.path,
        partitionValues: add.partitionValues,
        size: add.size,
        modificationTime: add.modificationTime,
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
        deletionTimestamp: remove.deletionTimestamp ?? null,
        dataChange: false,
        extendedFileMetadata: remove.extendedFileMetadata ?? null,
        partitionValues: remove.partitionValues ?? null,
        size: remove.size ?? null,
      },
    })
  }
  return rows
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
  // The commit that wrote this version waits for it.
  await store.put(checkpointKey(state.table, state.version), bytes, { mayBlock: true })
  const size = 2 + state.txns.size + state.files.size + state.tombstones.size
  const pointer = JSON.stringify({ version: state.version, size, sizeInBytes: bytes.length, numOfAddFiles: state.files.size })
  await store.put(lastCheckpointKey(state.table), new TextEncoder().encode(`${pointer}\n`), { contentType: 'application/json' })
}

/** The actions of a checkpoint file, as a commit file's would be. */
export async function readCheckpoint(store: ObjectStore, key: string): Promise<Action[]> {
  const bytes = await store.get(key)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const actions: Action[] = []
  const take = (kind: string, value: Record<string, unknown>) => {
    const action = checkAction(ACTION_OF[kind]!(normalize(kind, value)))
    if (action === false) throw new StorageError('CORRUPT_DATA', `checkpoint ${key} holds a malformed ${kind} action`, { key })
    if (action) actions.push(action)
  }
  try {
    const metadata = parquetMetadata(buffer)
    const present = new Set(metadata.schema.map((e) => e.name))
    const columns = ['txn', 'add', 'remove', 'metaData', 'protocol'].filter((c) => present.has(c))
    try {
      checkpointValues(buffer, metadata, columns, (column, value) => take(columns[column]!, value as Record<string, unknown>))
    } catch (error) {
      if (!(error instanceof UnsupportedShape)) throw error
      actions.length = 0
      for (const row of await parquetReadObjects({ file: buffer, metadata, columns, compressors })) {
        for (const kind of columns) if (row[kind] != null) take(kind, withNumbers(row[kind]))
      }
    }
  } catch (cause) {
    if (cause instanceof StorageError) throw cause
    throw new StorageError('CORRUPT_DATA', `cannot read checkpoint ${key}: ${(cause as Error).message}`, { key, cause })
  }
  return actions
}

/** An action of each kind around its value, as object literals: one shape per kind. */
const ACTION_OF: Record<string, (value: Record<string, unknown>) => Record<string, unknown>> = {
  txn: (txn) => ({ txn }),
  add: (add) => ({ add }),
  remove: (remove) => ({ remove }),
  metaData: (metaData) => ({ metaData }),
  protocol: (protocol) => ({ protocol }),
}

/** hyparquet's action value with its top-level INT64 fields as numbers, as commit files hold them. */
function withNumbers(value: Record<string, unknown>): Record<string, unknown> {
  for (const field in value) {
    const v = value[field]
    if (typeof v === 'bigint') value[field] = Number(v)
  }
  return value
}

/** Absent maps as a commit file's JSON has them. The value's objects were decoded for this read alone. */
function normalize(kind: string, value: Record<string, unknown>): Record<string, unknown> {
  if ((kind === 'add' || kind === 'remove') && value.partitionValues == null) value.partitionValues = {}
  if (kind === 'metaData' && value.format && typeof value.format === 'object') {
    const format = value.format as Record<string, unknown>
    value.format = { provider: format.provider, options: format.options ?? {} }
  }
  return value
}
