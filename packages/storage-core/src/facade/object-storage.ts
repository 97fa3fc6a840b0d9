import type {
  ByteReadOptions,
  DataFiles,
  ReadOptions,
  Records,
  Row,
  ScanOptions,
  StorageBackend,
  TableInfo,
  TableOptions,
  TableVersion,
  VacuumOptions,
  VacuumResult,
  WriteOptions,
  WritePartitionedOptions,
} from './storage-backend.js'
import { decodeCsv, encodeCsv } from '../codecs/csv.js'
import { decodeParquet, encodeParquet } from '../codecs/parquet.js'
import type { ColumnSlice } from '../codecs/parquet-pages.js'
import { inferSchema } from '../codecs/schema.js'
import { Dataset, SourceFailure } from '../dataset/dataset.js'
import { LOG_DIR } from '../table/log-files.js'
import { StorageError, withContext } from '../errors.js'
import type { Filters } from '../filters/filters.js'
import { normalizeKey, normalizePrefix, validateEntity } from '../keys/keys.js'
import { compareText } from '../keys/key-order.js'
import type { ObjectStore, StoreCapabilities } from '../store/object-store.js'
import type { Partition, PartitionInput } from '../partition/partition.js'

export interface ObjectStorageOptions {
  /**
   * On a store without conditional create (`capabilities.conditionalPut` false), table writes are
   * refused unless this process declares itself each table's only writer: two writers there could
   * lose each other's commits. Ignored where the store has conditional create.
   */
  singleWriter?: boolean
}

/**
 * The `StorageBackend` every adapter gives users, built on an adapter's `ObjectStore`.
 * Keys are normalised here, at the edge; errors leave with the backend name and key filled in.
 */
export class ObjectStorage implements StorageBackend {
  readonly name: string
  readonly capabilities: StoreCapabilities
  private readonly dataset: Dataset

  constructor(
    readonly store: ObjectStore,
    options: ObjectStorageOptions = {},
  ) {
    this.name = store.name
    this.capabilities = store.capabilities
    this.dataset = new Dataset(store, options.singleWriter === true)
  }

  /** Runs `fn`, re-throwing any failure as a `StorageError` carrying this backend and `key`. */
  /**
   * A path-API change inside a table's `_delta_log/` is an edit of its history this process did
   * not commit: the table's cached state is dropped, so the next read sees the log as it is.
   */
  private touched(keys: readonly string[]): void {
    for (const key of keys) {
      const cut = key.indexOf(`/${LOG_DIR}/`)
      if (cut > 0) this.dataset.forget(key.slice(0, cut))
    }
  }

  private async guard<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw withContext(error, this.name, key)
    }
  }

  /** A write: its records source's own errors, and its signal's abort, reach the caller as they were. */
  private async guardWrite(options: WriteOptions, fn: () => Promise<number>): Promise<number> {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof SourceFailure) throw error.error
      if (options.signal?.aborted && error === options.signal.reason) throw error
      throw withContext(error, this.name)
    }
  }

  // ---------------------------------------------------------------- entity API

  readIndex(entity: string, filters?: Filters, options: ReadOptions = {}): Promise<Row[]> {
    return this.guard(undefined, () => this.dataset.readIndex(entity, filters, options))
  }

  async *scan(entity: string, filters?: Filters, options: ScanOptions = {}): AsyncGenerator<Row[]> {
    try {
      yield* this.dataset.scan(entity, filters, options)
    } catch (error) {
      throw withContext(error, this.name)
    }
  }

  /** `scan` by column, a slice of one file at a time: for readers that pass values on without row objects. */
  async *scanColumns(entity: string, filters?: Filters, options: ScanOptions = {}): AsyncGenerator<ColumnSlice> {
    try {
      yield* this.dataset.scanColumns(entity, filters, options)
    } catch (error) {
      throw withContext(error, this.name)
    }
  }

  write(
    entity: string,
    records: Records,
    partition: Partition | PartitionInput,
    options: WriteOptions = {},
  ): Promise<number> {
    return this.guardWrite(options, () => this.dataset.write(entity, records, partition, options))
  }

  async writePartitioned(
    entity: string,
    records: Records,
    partitionBy: readonly string[],
    options: WritePartitionedOptions = {},
  ): Promise<number> {
    return this.guardWrite(options, () => this.dataset.writePartitioned(entity, records, partitionBy, options))
  }

  /**
   * The data files a read of `filters` opens (partitions and files pruned as a read prunes them),
   * in the order it reads them: the positions a scan's `files` names, and what a caller sizes a read by.
   */
  dataFiles(entity: string, filters?: Filters, options: ReadOptions = {}): Promise<DataFiles> {
    return this.guard(undefined, () => this.dataset.dataFiles(entity, filters, options))
  }

  listPartitions(entity: string, filters?: Filters): Promise<Partition[]> {
    return this.guard(undefined, () => this.dataset.listPartitions(entity, filters))
  }

  schema(entity: string): Promise<TableInfo> {
    return this.guard(undefined, () => this.dataset.schema(entity))
  }

  createTable(entity: string, options: TableOptions): Promise<void> {
    return this.guard(undefined, () => this.dataset.createTable(entity, options))
  }

  history(entity: string): Promise<TableVersion[]> {
    return this.guard(undefined, () => this.dataset.history(entity))
  }

  convertToDelta(entity: string): Promise<{ version: number; files: number }> {
    return this.guard(undefined, () => this.dataset.convert(entity))
  }

  vacuum(entity?: string, options: VacuumOptions = {}): Promise<VacuumResult> {
    return this.guard(undefined, async () => {
      const entities = entity === undefined ? await this.dataset.entities() : [validateEntity(entity)]
      const deleted: string[] = []
      for (const name of entities) deleted.push(...(await this.dataset.vacuum(name, options)).deleted)
      return { deleted }
    })
  }

  // ------------------------------------------------------------------ path API

  readParquet(path: string, options: ReadOptions = {}): Promise<Row[]> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      const bytes = await this.store.get(key)
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
      try {
        return await decodeParquet(buffer, { columns: options.columns })
      } catch (cause) {
        throw new StorageError('CORRUPT_DATA', `cannot read Parquet ${key}: ${(cause as Error).message}`, {
          key,
          cause,
        })
      }
    })
  }

  writeParquet(path: string, rows: readonly Row[]): Promise<number> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      const list = checkRows(rows)
      await this.store.put(key, encodeParquet(list, inferSchema(list)))
      return list.length
    })
  }

  readCsv(path: string): Promise<Row[]> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      return decodeCsv(await this.store.get(key), undefined, key)
    })
  }

  writeCsv(path: string, rows: readonly Row[]): Promise<number> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      const list = checkRows(rows)
      await this.store.put(key, encodeCsv(list, inferSchema(list)), { contentType: 'text/csv' })
      return list.length
    })
  }

  readBytes(path: string, options: ByteReadOptions = {}): Promise<Uint8Array> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      for (const [name, value] of Object.entries(options)) {
        if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
          throw new StorageError('INVALID_ARGUMENT', `${name} must be a non-negative integer, got ${value}`)
        }
      }
      if (options.start !== undefined && options.end !== undefined && options.end < options.start) {
        throw new StorageError('INVALID_ARGUMENT', `end (${options.end}) is before start (${options.start})`)
      }
      return this.store.get(key, options)
    })
  }

  writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      if (!(bytes instanceof Uint8Array)) throw new StorageError('INVALID_ARGUMENT', 'bytes must be a Uint8Array')
      await this.store.put(key, bytes)
      this.touched([key])
    })
  }

  exists(path: string): Promise<boolean> {
    return this.guard(path, async () => {
      const key = normalizeKey(path)
      try {
        await this.store.head(key)
        return true
      } catch (error) {
        if (error instanceof StorageError && error.code === 'NOT_FOUND') return false
        throw error
      }
    })
  }

  listFiles(prefix = ''): Promise<string[]> {
    return this.guard(prefix, async () => {
      const normalized = normalizePrefix(prefix)
      const keys: string[] = []
      for await (const entry of this.store.list(normalized)) {
        if (entry.kind === 'object') keys.push(entry.key)
      }
      // S3 lists in UTF-8 byte order; not every S3-compatible server does, so make it so here.
      return keys.sort(compareText)
    })
  }

  delete(pathOrPaths: string | readonly string[]): Promise<void> {
    const paths = typeof pathOrPaths === 'string' ? [pathOrPaths] : pathOrPaths
    return this.guard(typeof pathOrPaths === 'string' ? pathOrPaths : undefined, async () => {
      if (!Array.isArray(paths)) throw new StorageError('INVALID_ARGUMENT', 'expected a path or an array of paths')
      const keys = paths.map(normalizeKey)
      await this.store.delete(keys)
      this.touched(keys)
    })
  }

  getFullPath(path: string): string {
    try {
      return this.store.fullPath(normalizeKey(path))
    } catch (error) {
      throw withContext(error, this.name, path)
    }
  }

  root(): string {
    return this.store.root()
  }
}

function checkRows(rows: readonly Row[]): Row[] {
  if (!Array.isArray(rows)) throw new StorageError('INVALID_ARGUMENT', 'rows must be an array of objects')
  return rows as Row[]
}
