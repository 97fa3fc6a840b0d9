import type { ColumnType, TableSchema } from '../codecs/schema.js'
import type { Filters } from '../filters/filters.js'
import type { StoreCapabilities } from '../store/object-store.js'
import type { Partition, PartitionInput } from '../partition/partition.js'

/** One record: column name to value. */
export type Row = Record<string, unknown>

/**
 * Records to write: an array, or batches as they come (an async generator, parsed rows of a
 * stream), held at most `bufferRows` at a time.
 */
export type Records = readonly Row[] | AsyncIterable<readonly Row[]>

export type FileFormat = 'parquet' | 'csv'

export interface ReadOptions {
  /** Only these columns are decoded (partition columns included when named). */
  columns?: readonly string[]
  /** Read the table as it was at this version (time travel); the latest when absent. */
  version?: number
}

export interface ScanOptions extends ReadOptions {
  /** Rows per yielded batch (default 4,096). */
  batchSize?: number
  /**
   * Read only the files at these positions of the read's file order (the order `dataFiles` lists
   * them), ascending; a position past the last file ends the read. They are taken one at a time
   * as the read reaches them, so readers can share one counter and each take the next file when
   * it is ready for one. Give every reader the same `version`, so that they read one snapshot.
   */
  files?: Iterable<number>
}

/** The data files a read opens, in the order it reads them. */
export interface DataFiles {
  /** The table version they belong to (absent for a plain Hive folder). */
  version: number | undefined
  /** Keys relative to the root, and sizes in bytes. */
  files: { path: string; size: number }[]
}

export interface WriteOptions {
  /** `true` (default) replaces the partition; `false` appends to it. */
  overwrite?: boolean
  /** Tables hold Parquet; `csv` is refused (write CSV files with `writeCsv`). */
  format?: FileFormat
  /** The table's schema, declared up front, when this write creates the table. */
  schema?: TableSchema
  /**
   * An idempotency id (Delta's `txn` action): a write whose `appId` already committed this
   * `version` or a later one is not applied again, and returns 0.
   */
  txn?: { appId: string; version: number }
  /** Options of the table this write creates (ignored when it exists); see `TableOptions`. */
  table?: { keepRemovedFilesMs?: number; checkpointInterval?: number }
  /**
   * Records given in batches: how many rows are held before the partitions the input has moved
   * past (then the largest) are written out as files (default 100,000). Each write-out may add a
   * file to a partition; all of them commit as one version. Records given as an array are
   * written one file per partition.
   */
  bufferRows?: number
  /**
   * Stops the write when aborted, as the AWS SDK's `abortSignal` does: before the commit, it
   * removes the files it put and rejects with the signal's reason; after, the version stands.
   */
  signal?: AbortSignal
}

export interface TableOptions {
  schema: TableSchema
  /** Partition columns, in folder order; each must be in `schema`. */
  partitionBy?: readonly string[]
  /**
   * Keep files an overwrite replaces for this many milliseconds (time travel, scans that outlive
   * an overwrite), instead of deleting them right after the commit.
   */
  keepRemovedFilesMs?: number
  /**
   * Write a checkpoint every this many versions (Delta's `delta.checkpointInterval`, default 10):
   * a larger interval makes commits to a table of many files cheaper, and readers replay more
   * commits after the last checkpoint.
   */
  checkpointInterval?: number
}

/** A table's schema as `schema()` returns it. */
export interface TableInfo {
  columns: { name: string; type: ColumnType | undefined; deltaType: string; nullable: boolean }[]
  partitionBy: string[]
  version: number
}

/** One version of a table, as `history()` lists it. */
export interface TableVersion {
  version: number
  timestamp: Date
  operation: string
  mode?: string
  rowsAdded: number
  rowsRemoved: number
}

export interface WritePartitionedOptions extends WriteOptions {
  /** Partitions written at once (default 8): their file-system or network waits overlap. */
  concurrency?: number
}

export interface VacuumOptions {
  /** Only remove uncommitted files older than this many milliseconds (default one hour). */
  olderThanMs?: number
}

export interface VacuumResult {
  /** Keys removed. */
  deleted: string[]
}

export interface ByteReadOptions {
  start?: number
  end?: number
}

/** The facade every adapter gives users: an entity/partition API and a path API over one root. */
export interface StorageBackend {
  /** Backend name: `memory`, `local`, `s3`, `r2`. */
  readonly name: string
  /** What the underlying store can do; the conformance suite gates optional groups on it. */
  readonly capabilities: StoreCapabilities

  // Entity API
  readIndex(entity: string, filters?: Filters, options?: ReadOptions): Promise<Row[]>
  scan(entity: string, filters?: Filters, options?: ScanOptions): AsyncIterable<Row[]>
  write(
    entity: string,
    records: Records,
    partition: Partition | PartitionInput,
    options?: WriteOptions,
  ): Promise<number>
  /**
   * Splits `records` by the values of the `partitionBy` columns, as DuckDB's `PARTITION_BY` and
   * pyarrow's `write_dataset(partitioning=...)` do, and writes each partition as `write` would,
   * all of them as one table version. Returns the rows written.
   *
   * Records given in batches are held `bufferRows` at a time, so a write of any size needs
   * memory for that many rows. The schema is fixed by the rows held when the first files are
   * written. Integers that later meet fractions widen to float (the files written with integers
   * are written again); any other later value that does not fit its column is SCHEMA_MISMATCH.
   */
  writePartitioned(
    entity: string,
    records: Records,
    partitionBy: readonly string[],
    options?: WritePartitionedOptions,
  ): Promise<number>
  listPartitions(entity: string, filters?: Filters): Promise<Partition[]>
  /** Removes files no version needs: crashed writers' files, and replaced files past retention. */
  vacuum(entity?: string, options?: VacuumOptions): Promise<VacuumResult>
  /** The table's schema and partition columns; NOT_FOUND when `entity` is not a table. */
  schema(entity: string): Promise<TableInfo>
  /** Creates an empty table with a declared schema; CONFLICT when it exists. */
  createTable(entity: string, options: TableOptions): Promise<void>
  /** Every version in the log, oldest first. */
  history(entity: string): Promise<TableVersion[]>
  /** Makes a plain Hive folder a Delta table in place, no data copied. */
  convertToDelta(entity: string): Promise<{ version: number; files: number }>

  // Path API (the Python pipeline's)
  readParquet(path: string, options?: ReadOptions): Promise<Row[]>
  writeParquet(path: string, rows: readonly Row[]): Promise<number>
  readCsv(path: string): Promise<Row[]>
  writeCsv(path: string, rows: readonly Row[]): Promise<number>
  readBytes(path: string, options?: ByteReadOptions): Promise<Uint8Array>
  writeBytes(path: string, bytes: Uint8Array): Promise<void>
  exists(path: string): Promise<boolean>
  /** Every key under `prefix` (all pages), relative to the root, in lexical order. */
  listFiles(prefix?: string): Promise<string[]>
  delete(pathOrPaths: string | readonly string[]): Promise<void>
  getFullPath(path: string): string
  root(): string
}
