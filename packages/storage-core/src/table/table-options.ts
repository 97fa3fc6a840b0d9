import { StorageError } from '../errors.js'

/**
 * Table configuration this library sets and reads (`metaData.configuration`). By default an
 * overwrite deletes the files it replaces right after its commit, so folder readers (pandas,
 * pyarrow.dataset, DuckDB read_parquet) see exactly the latest rows; a table that keeps them for
 * a retention period instead allows time travel and long scans under overwrites.
 */
export const REMOVE_SUPERSEDED = 'cfb.removeSupersededFiles'
export const DELETED_FILE_RETENTION = 'delta.deletedFileRetentionDuration'
export const CHECKPOINT_INTERVAL = 'delta.checkpointInterval'
const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000
/** Versions between checkpoints when the table does not say: Delta's default, as Spark and delta-rs take it. */
const DEFAULT_CHECKPOINT_INTERVAL = 10

export interface TableOptions {
  /** Keep files an overwrite replaces for this many milliseconds (time travel), instead of deleting them at once. */
  keepRemovedFilesMs?: number
  /**
   * Write a checkpoint every this many versions (default 10): more makes each commit cheaper in a
   * table of many files, and readers replay more commits after the last checkpoint.
   */
  checkpointInterval?: number
}

/** Refuses table options that no table configuration can hold. */
export function checkTableOptions(options: TableOptions | undefined): void {
  const { keepRemovedFilesMs, checkpointInterval } = options ?? {}
  if (keepRemovedFilesMs !== undefined && !(typeof keepRemovedFilesMs === 'number' && Number.isFinite(keepRemovedFilesMs) && keepRemovedFilesMs >= 0)) {
    throw new StorageError('INVALID_ARGUMENT', `keepRemovedFilesMs must be a number of milliseconds (0 or more), got ${String(keepRemovedFilesMs)}`)
  }
  if (checkpointInterval !== undefined && !(Number.isSafeInteger(checkpointInterval) && checkpointInterval > 0)) {
    throw new StorageError('INVALID_ARGUMENT', `checkpointInterval must be a positive integer, got ${String(checkpointInterval)}`)
  }
}

export function tableConfiguration(options: TableOptions): Record<string, string> {
  const configuration: Record<string, string> =
    options.keepRemovedFilesMs === undefined
      ? { [REMOVE_SUPERSEDED]: 'true' }
      : { [REMOVE_SUPERSEDED]: 'false', [DELETED_FILE_RETENTION]: `interval ${Math.round(options.keepRemovedFilesMs)} milliseconds` }
  if (options.checkpointInterval !== undefined) configuration[CHECKPOINT_INTERVAL] = String(options.checkpointInterval)
  return configuration
}

/**
 * Versions between checkpoints: the table's `delta.checkpointInterval` (set by us, Spark or
 * delta-rs) when it is a positive integer, else 10.
 */
export function checkpointInterval(configuration: Record<string, string>): number {
  const text = configuration[CHECKPOINT_INTERVAL]
  const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL
}

export function removesSuperseded(configuration: Record<string, string>): boolean {
  return configuration[REMOVE_SUPERSEDED] === 'true'
}

/** How long removed files are kept: the table's `delta.deletedFileRetentionDuration`, else Delta's week. */
export function retentionMs(configuration: Record<string, string>): number {
  const text = configuration[DELETED_FILE_RETENTION]
  const match = text && /^interval\s+(\d+)\s+(millisecond|second|minute|hour|day|week)s?$/i.exec(text.trim())
  if (!match) return removesSuperseded(configuration) ? 0 : DEFAULT_RETENTION_MS
  const unit = { millisecond: 1, second: 1e3, minute: 6e4, hour: 3.6e6, day: 8.64e7, week: 6.048e8 }[match[2]!.toLowerCase() as 'day']
  return Number(match[1]) * unit
}
