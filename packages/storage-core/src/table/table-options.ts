/**
 * Table configuration this library sets and reads (`metaData.configuration`). By default an
 * overwrite deletes the files it replaces right after its commit, so folder readers (pandas,
 * pyarrow.dataset, DuckDB read_parquet) see exactly the latest rows; a table that keeps them for
 * a retention period instead allows time travel and long scans under overwrites.
 */
export const REMOVE_SUPERSEDED = 'cfb.removeSupersededFiles'
export const DELETED_FILE_RETENTION = 'delta.deletedFileRetentionDuration'
const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000

export interface TableOptions {
  /** Keep files an overwrite replaces for this many milliseconds (time travel), instead of deleting them at once. */
  keepRemovedFilesMs?: number
}

export function tableConfiguration(options: TableOptions): Record<string, string> {
  if (options.keepRemovedFilesMs === undefined) return { [REMOVE_SUPERSEDED]: 'true' }
  return { [REMOVE_SUPERSEDED]: 'false', [DELETED_FILE_RETENTION]: `interval ${Math.round(options.keepRemovedFilesMs)} milliseconds` }
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
