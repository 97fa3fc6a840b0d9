import type { Filters } from './filters.js'
import type { StoreCapabilities } from './object-store.js'
import type { Partition, PartitionInput } from './partition.js'

/** One record: column name to value. */
export type Row = Record<string, unknown>

export type FileFormat = 'parquet' | 'csv'

export interface ReadOptions {
  /** Only these columns are decoded (partition columns included when named). */
  columns?: readonly string[]
}

export interface ScanOptions extends ReadOptions {
  /** Rows per yielded batch (default 10,000). */
  batchSize?: number
}

export interface WriteOptions {
  /** `true` (default) replaces the partition; `false` appends to it. */
  overwrite?: boolean
  format?: FileFormat
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
    records: readonly Row[],
    partition: Partition | PartitionInput,
    options?: WriteOptions,
  ): Promise<number>
  /**
   * Splits `records` by the values of the `partitionBy` columns, as DuckDB's `PARTITION_BY` and
   * pyarrow's `write_dataset(partitioning=...)` do, and writes each partition as `write` would.
   * Returns the rows written.
   */
  writePartitioned(
    entity: string,
    records: readonly Row[],
    partitionBy: readonly string[],
    options?: WritePartitionedOptions,
  ): Promise<number>
  listPartitions(entity: string, filters?: Filters): Promise<Partition[]>
  vacuum(entity?: string, options?: VacuumOptions): Promise<VacuumResult>

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
