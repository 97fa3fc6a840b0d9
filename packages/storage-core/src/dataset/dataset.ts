import type { DataFiles, ReadOptions, Records, Row, ScanOptions, TableInfo, TableOptions as CreateOptions, TableVersion, VacuumOptions, VacuumResult, WriteOptions, WritePartitionedOptions } from '../facade/storage-backend.js'
import { concatAhead, mapConcurrent } from '../store/concurrency.js'
import { StorageError } from '../errors.js'
import { type Filters, matchesCondition, normalizeFilters } from '../filters/filters.js'
import { validateEntity } from '../keys/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import { Partition, type PartitionInput } from '../partition/partition.js'
import { tableHistory } from '../table/history.js'
import { keyOfPath } from '../table/log-files.js'
import type { TableState } from '../table/table-state.js'
import { unreferencedFiles } from '../table/vacuum.js'
import { convertToDelta } from './convert.js'
import { groupRecords, groupRuns } from './group-records.js'
import { Regroup } from '../codecs/schema.js'
import { orphansWithoutLog, plainFiles } from './plain-folders.js'
import type { ColumnSlice } from '../codecs/parquet-pages.js'
import { type FileColumns, type FileRows, ROWS_PER_SLICE, type ReadPlan, readFileChunks, readFileColumns } from './read-file.js'
import { partitionOf, planPlainRead, planTableRead } from './read-plan.js'
import { TableCache } from './table-cache.js'
import { checkTableOptions, removesSuperseded, retentionMs } from '../table/table-options.js'
import type { PartitionRows } from './write-buffer.js'
import { type TableWrite, writeTable } from './write-table.js'

/** Requests in flight at once for the files of one read. */
const IO_CONCURRENCY = 16
/**
 * Rows per batch: as many as a file read makes into objects at a time. A larger batch keeps rows
 * alive while later slices are decoded, long enough for V8 to move them to its old generation.
 */
const DEFAULT_BATCH_SIZE = ROWS_PER_SLICE
/** Batches up to this size are made whole at once; a larger one grows as rows arrive. */
const MAX_PRESIZED_BATCH = 1 << 16
/** Arrays joined by one `concat` call. */
const CONCAT_PARTS = 1024
/**
 * Files a scan reads ahead of the one it decodes: each is fetched (its first row group's bytes)
 * but not decoded. As many as hold about one whole file's columns, so a narrow scan keeps more
 * reads in flight than a wide one: a 1-column scan of the bench's 1M plays (12 columns) took
 * 240-325 ms with one file ahead and 137-160 ms with eight; a full scan with eight peaked at
 * 170-225 MB RSS at 4M rows against 135 MB with one, for no speed.
 */
function filesAhead(plan: ReadPlan): number {
  const wanted = plan.columns?.filter((c) => !plan.partitionKeys.has(c)).length
  if (!wanted || plan.dataColumns.length === 0) return 1
  return Math.max(1, Math.min(MAX_FILES_AHEAD, Math.floor(plan.dataColumns.length / wanted)))
}
const MAX_FILES_AHEAD = 8
const DEFAULT_WRITE_CONCURRENCY = 8
const DEFAULT_BUFFER_ROWS = 100_000
const DEFAULT_VACUUM_AGE_MS = 60 * 60 * 1000

/**
 * The entity engine: each entity a Delta table (or, with no log, a plain Hive folder read as it
 * is). Writes commit versions; reads read one snapshot.
 */
export class Dataset {
  private readonly tables: TableCache

  constructor(
    private readonly store: ObjectStore,
    private readonly singleWriter = false,
  ) {
    this.tables = new TableCache(store)
  }

  async write(entity: string, records: Records, partition: Partition | PartitionInput, options: WriteOptions = {}): Promise<number> {
    validateEntity(entity)
    const target = Partition.from(partition)
    checkWriteOptions(options)
    const group = (batch: readonly Row[]): PartitionRows[] => [{ partition: target, records: batch }]
    // The partition is written even when no record comes: an overwrite with none empties it.
    const source = isBatches(records) ? withFirst([{ partition: target, records: [] }], groupBatches(records, group)) : group(checkArray(records))
    // Partition columns the records carry are checked as they are read for the files.
    return this.writeGroups(entity, target.keys, source, options, DEFAULT_WRITE_CONCURRENCY, 'partition')
  }

  /** Every partition in one version: all of them are visible, or none. */
  async writePartitioned(entity: string, records: Records, partitionBy: readonly string[], options: WritePartitionedOptions = {}): Promise<number> {
    validateEntity(entity)
    if (!Array.isArray(partitionBy) || partitionBy.length === 0 || !partitionBy.every((k) => typeof k === 'string')) {
      throw new StorageError('INVALID_ARGUMENT', 'partitionBy must name at least one column')
    }
    const { concurrency = DEFAULT_WRITE_CONCURRENCY, ...writeOptions } = options
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new StorageError('INVALID_ARGUMENT', `concurrency must be a positive integer, got ${concurrency}`)
    }
    checkWriteOptions(writeOptions)
    if (isBatches(records)) {
      const group = (batch: readonly Row[], offset: number) => groupRecords(batch, partitionBy, offset)
      return this.writeGroups(entity, partitionBy, groupBatches(records, group), writeOptions, concurrency)
    }
    const array = checkArray(records)
    // Records in partition order are grouped from a few of them and checked as they are read for
    // their files; a record out of place sends the write back to grouping them one by one.
    const runs = groupRuns(array, partitionBy)
    if (runs) {
      try {
        return await this.writeGroups(entity, partitionBy, runs, writeOptions, concurrency, 'sampled')
      } catch (error) {
        if (!(error instanceof Regroup)) throw error
      }
    }
    return this.writeGroups(entity, partitionBy, groupRecords(array, partitionBy), writeOptions, concurrency)
  }

  private writeGroups(
    entity: string,
    partitionKeys: readonly string[],
    source: TableWrite['source'],
    options: WriteOptions,
    concurrency: number,
    check?: TableWrite['check'],
  ): Promise<number> {
    return writeTable(this.store, this.tables, {
      entity,
      partitionKeys,
      source,
      check,
      bufferRows: options.bufferRows ?? DEFAULT_BUFFER_ROWS,
      overwrite: options.overwrite ?? true,
      concurrency,
      schema: options.schema,
      txn: options.txn,
      table: options.table,
      singleWriter: this.singleWriter,
      signal: options.signal,
    })
  }

  /** Creates an empty table with a declared schema; CONFLICT when the entity already is one. */
  async createTable(entity: string, options: CreateOptions): Promise<void> {
    validateEntity(entity)
    if (!options?.schema || !Array.isArray(options.schema.columns)) throw new StorageError('INVALID_ARGUMENT', 'createTable needs a schema')
    const partitionBy = options.partitionBy ?? []
    checkTableOptions(options)
    if ((await this.tables.latest(entity)) !== undefined) throw new StorageError('CONFLICT', `${entity} is already a table`)
    const missing = partitionBy.filter((k) => !options.schema.columns.some((c) => c.name === k))
    if (missing.length > 0) throw new StorageError('INVALID_ARGUMENT', `partition columns missing from the schema: ${missing.join(', ')}`)
    await writeTable(this.store, this.tables, {
      entity,
      partitionKeys: partitionBy,
      source: [],
      overwrite: false,
      concurrency: 1,
      schema: options.schema,
      table: { keepRemovedFilesMs: options.keepRemovedFilesMs, checkpointInterval: options.checkpointInterval },
      singleWriter: this.singleWriter,
    })
  }

  async readIndex(entity: string, filters?: Filters, options: ScanOptions = {}): Promise<Row[]> {
    for (let attempt = 0; ; attempt++) {
      const { plan, state } = await this.plan(entity, filters, options)
      try {
        const perFile = await mapConcurrent(plan.files, IO_CONCURRENCY, (file) => collectFile(this.store, file, plan))
        if (!state) checkPlainColumns(plan, perFile)
        const rows = concatRows(perFile.map((result) => result.rows))
        if (!state && !plan.columns) fillMissingColumns(rows, perFile)
        return rows
      } catch (error) {
        // A file an overwrite removed under this read: the newer version is read once instead.
        if (!vanished(error) || !state || options.version !== undefined || attempt > 0) throw await this.gone(error, state, options.version)
        const latest = await this.tables.latest(entity)
        if (latest?.version === state.version) throw await this.gone(error, state, options.version)
      }
    }
  }

  async *scan(entity: string, filters?: Filters, options: ScanOptions = {}): AsyncGenerator<Row[]> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new StorageError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`)
    }
    const { plan, state } = await this.plan(entity, filters, options)
    // Made at their size, not grown a push at a time: growing one took a twentieth of a scan's allocation.
    const newBatch = (): Row[] => new Array(Math.min(batchSize, MAX_PRESIZED_BATCH))
    let batch = newBatch()
    let filled = 0
    const results: FileRows[] = []
    try {
      // The next file's first read is under way while this one is decoded.
      const files = mapLazily(chosenFiles(plan, options), ({ file }) => () => readFileChunks(this.store, file, plan))
      for await (const chunk of concatAhead(files, filesAhead(plan))) {
        if (!state) results.push({ rows: [], columns: chunk.columns })
        for (const row of chunk.rows) {
          batch[filled++] = row
          if (filled === batchSize) {
            yield batch
            batch = newBatch()
            filled = 0
          }
        }
      }
    } catch (error) {
      throw await this.gone(error, state, options.version)
    }
    // A read of some of a plain folder's files cannot tell a column the others have from a typo.
    if (!state && options.files === undefined) checkPlainColumns(plan, results)
    if (filled > 0) {
      batch.length = filled
      yield batch
    }
  }

  /**
   * `scan` by column: the same rows as slices of one file each (no `batchSize`), every slice's
   * columns named in the order a scanned row's keys are. Empty slices are not yielded.
   */
  async *scanColumns(entity: string, filters?: Filters, options: ScanOptions = {}): AsyncGenerator<ColumnSlice> {
    const { plan, state } = await this.plan(entity, filters, options)
    const results: FileRows[] = []
    try {
      const files = mapLazily(chosenFiles(plan, options), ({ file, at }) => () => numbered(readFileColumns(this.store, file, plan), at))
      for await (const { slice, columns, at } of concatAhead(files, filesAhead(plan))) {
        if (!state) results.push({ rows: [], columns })
        if (slice.length > 0) yield { names: slice.names, values: slice.values, length: slice.length, file: at }
      }
    } catch (error) {
      throw await this.gone(error, state, options.version)
    }
    // A read of some of a plain folder's files cannot tell a column the others have from a typo.
    if (!state && options.files === undefined) checkPlainColumns(plan, results)
  }

  async dataFiles(entity: string, filters?: Filters, options: ReadOptions = {}): Promise<DataFiles> {
    const { plan, state } = await this.plan(entity, filters, options)
    return { version: state?.version, files: plan.files.map((file) => ({ path: file.key, size: file.size })) }
  }

  async listPartitions(entity: string, filters?: Filters): Promise<Partition[]> {
    validateEntity(entity)
    const conditions = normalizeFilters(filters)
    const state = await this.tables.latest(entity)
    const keys = state ? state.metadata.partitionColumns : (await plainFiles(this.store, entity, new Map())).keys
    for (const column of conditions.keys()) {
      if (!keys.includes(column)) throw new StorageError('INVALID_ARGUMENT', `${column} is not a partition key of ${entity}`)
    }
    const found = new Map<string, Partition>()
    if (state) {
      for (const add of state.files.values()) {
        const partition = new Partition(partitionOf(state, add.partitionValues))
        found.set(partition.pathSuffix(), partition)
      }
    } else {
      for (const file of (await plainFiles(this.store, entity, new Map())).files) found.set(file.partition.pathSuffix(), file.partition)
    }
    return [...found.keys()]
      .sort()
      .map((k) => found.get(k)!)
      .filter((p) => [...conditions].every(([k, range]) => matchesCondition(p.values[k], range)))
  }

  async schema(entity: string): Promise<TableInfo> {
    validateEntity(entity)
    const state = await this.tables.latest(entity)
    if (!state) throw new StorageError('NOT_FOUND', `${entity} is not a table`, { key: `${entity}/` })
    return {
      columns: state.columns.map((c) => ({ name: c.name, type: c.type, deltaType: c.deltaType, nullable: c.nullable })),
      partitionBy: [...state.metadata.partitionColumns],
      version: state.version,
    }
  }

  async history(entity: string): Promise<TableVersion[]> {
    validateEntity(entity)
    return tableHistory(this.store, entity)
  }

  async convert(entity: string): Promise<{ version: number; files: number }> {
    validateEntity(entity)
    if ((await this.tables.latest(entity)) !== undefined) throw new StorageError('CONFLICT', `${entity} is already a Delta table`)
    return convertToDelta(this.store, entity, this.singleWriter)
  }

  async vacuum(entity: string, options: VacuumOptions = {}): Promise<VacuumResult> {
    validateEntity(entity)
    const olderThanMs = options.olderThanMs ?? DEFAULT_VACUUM_AGE_MS
    const state = await this.tables.latest(entity)
    const deleted: string[] = []
    if (state) {
      const config = state.metadata.configuration
      const keep = removesSuperseded(config) ? 0 : retentionMs(config)
      deleted.push(...(await unreferencedFiles(this.store, state, { olderThanMs, retentionMs: keep, now: Date.now() })))
    } else {
      deleted.push(...(await orphansWithoutLog(this.store, entity, Date.now() - olderThanMs)))
    }
    await this.store.delete(deleted)
    deleted.push(...((await this.store.removeLeftovers?.(`${entity}/`, olderThanMs)) ?? []))
    return { deleted }
  }

  /** Drops the cached state of a table whose log was changed behind the engine's back. */
  forget(entity: string): void {
    this.tables.forget(entity)
  }

  /** Entities at the root: first-level folders. */
  async entities(): Promise<string[]> {
    const names = new Set<string>()
    const delimiter = this.store.capabilities.delimiterListing ? '/' : undefined
    for await (const entry of this.store.list('', { delimiter })) {
      const key = entry.kind === 'prefix' ? entry.prefix : entry.key
      const cut = key.indexOf('/')
      if (cut > 0) names.add(key.slice(0, cut))
    }
    return [...names].filter((n) => !n.startsWith('_') && !n.startsWith('.'))
  }

  /**
   * A data file of the snapshot is gone. Still listed by the latest version: the log is corrupt.
   * Removed by a later version: say so, and how to keep replaced files for reads like this.
   */
  private async gone(error: unknown, state: TableState | undefined, version: number | undefined): Promise<unknown> {
    if (!vanished(error) || !state) return error
    const key = (error as StorageError).key
    const latest = await this.tables.latest(state.table).catch(() => undefined)
    const path = [...state.files.values()].find((add) => keyOfPath(state.table, add.path) === key)?.path
    if (path !== undefined && latest?.files.has(path)) {
      return new StorageError('CORRUPT_DATA', `${state.table} version ${latest.version} lists ${key}, which is missing`, { key, cause: error })
    }
    if (version !== undefined) {
      return new StorageError('NOT_FOUND', `the files of ${state.table} version ${version} are gone (${key}); a table created with keepRemovedFilesMs keeps them`, {
        key,
        cause: error,
      })
    }
    return new StorageError(
      'CONFLICT',
      `${state.table} was overwritten while it was read (${key} is gone); read again, or create the table with keepRemovedFilesMs to keep replaced files for reads like this`,
      { key, cause: error },
    )
  }

  private async plan(entity: string, filters: Filters | undefined, options: ScanOptions): Promise<{ plan: ReadPlan; state?: TableState }> {
    validateEntity(entity)
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      // read_index(entity, filters, columns) took the columns positionally: say where they go now.
      throw new StorageError('INVALID_ARGUMENT', 'read options must be an object, such as { columns: ["id"] }, not an array or a value')
    }
    const { columns, version } = options
    checkFiles(options.files)
    if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) {
      throw new StorageError('INVALID_ARGUMENT', 'columns must be an array of column names')
    }
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
      throw new StorageError('INVALID_ARGUMENT', `version must be a non-negative integer, got ${version}`)
    }
    const conditions = normalizeFilters(filters)
    const wanted = columns ? [...columns] : undefined
    const state = version === undefined ? await this.tables.latest(entity) : await this.tables.at(entity, version)
    if (state) return { plan: planTableRead(state, conditions, wanted), state }
    if (version !== undefined) throw new StorageError('NOT_FOUND', `${entity} is not a table, so it has no version ${version}`)
    return { plan: await planPlainRead(this.store, entity, conditions, wanted) }
  }
}

function checkFiles(files: ScanOptions['files']): void {
  if (files !== undefined && typeof (files as Partial<Iterable<number>> | null)?.[Symbol.iterator] !== 'function') {
    throw new StorageError('INVALID_ARGUMENT', 'files must be an iterable of file positions, such as [0, 2, 4]')
  }
}

/**
 * The files of a plan a read opens, each with its position in the whole plan: all of them, or
 * those `files` names, taken from it one at a time as the read reaches them.
 */
function* chosenFiles(plan: ReadPlan, { files }: ScanOptions): Generator<{ file: ReadPlan['files'][number]; at: number }> {
  if (files === undefined) {
    for (let at = 0; at < plan.files.length; at++) yield { file: plan.files[at]!, at }
    return
  }
  let last = -1
  for (const at of files) {
    if (!Number.isSafeInteger(at) || at <= last) {
      throw new StorageError('INVALID_ARGUMENT', `files must name file positions in ascending order, whole numbers from 0; got ${String(at)} after ${last}`)
    }
    if (at >= plan.files.length) return
    last = at
    yield { file: plan.files[at]!, at }
  }
}

function* mapLazily<T, U>(items: Iterable<T>, fn: (item: T) => U): Generator<U> {
  for (const item of items) yield fn(item)
}

async function* numbered(reads: AsyncGenerator<FileColumns>, at: number): AsyncGenerator<FileColumns & { at: number }> {
  for await (const read of reads) yield { ...read, at }
}

function checkWriteOptions(options: WriteOptions): void {
  const { bufferRows, signal } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new StorageError('INVALID_ARGUMENT', 'signal must be an AbortSignal')
  if (bufferRows !== undefined && (!Number.isSafeInteger(bufferRows) || bufferRows < 1)) {
    throw new StorageError('INVALID_ARGUMENT', `bufferRows must be a positive integer, got ${bufferRows}`)
  }
  checkTableOptions(options.table)
  const format = options.format ?? 'parquet'
  if (format === 'csv') {
    throw new StorageError('NOT_SUPPORTED', 'tables hold Parquet (Delta Lake); write a CSV file with writeCsv(path) instead')
  }
  if (format !== 'parquet') throw new StorageError('INVALID_ARGUMENT', `unknown format ${JSON.stringify(format)}: use parquet`)
  if (options.txn !== undefined) {
    const { appId, version } = options.txn
    if (typeof appId !== 'string' || appId === '' || !Number.isSafeInteger(version) || version < 0) {
      throw new StorageError('INVALID_ARGUMENT', 'txn needs an appId string and a non-negative integer version')
    }
  }
}

function isBatches(records: Records): records is AsyncIterable<readonly Row[]> {
  return !Array.isArray(records) && records !== null && typeof records === 'object' && Symbol.asyncIterator in records
}

function checkArray(records: unknown): readonly Row[] {
  if (!Array.isArray(records)) throw new StorageError('INVALID_ARGUMENT', 'records must be an array of objects, or an async iterable of such arrays')
  return records
}

/** An error the caller's own records source threw: the facade gives it back as it was. */
export class SourceFailure extends Error {
  constructor(readonly error: unknown) {
    super('the records source failed')
  }
}

/** Each batch of records as partition groups; `group` is told how many records came before. */
async function* groupBatches(
  batches: AsyncIterable<readonly Row[]>,
  group: (batch: readonly Row[], offset: number) => PartitionRows[],
): AsyncGenerator<PartitionRows[]> {
  let offset = 0
  const iterator = batches[Symbol.asyncIterator]()
  try {
    for (;;) {
      let next: IteratorResult<readonly Row[]>
      try {
        next = await iterator.next()
      } catch (error) {
        throw new SourceFailure(error)
      }
      if (next.done) return
      yield group(checkArray(next.value), offset)
      offset += next.value.length
    }
  } finally {
    // A write that stops early (a refused record) lets the source close its files.
    await iterator.return?.()
  }
}

async function* withFirst<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first
  yield* rest
}

async function collectFile(store: ObjectStore, file: ReadPlan['files'][number], plan: ReadPlan): Promise<FileRows> {
  const parts: Row[][] = []
  let columns: string[] = []
  for await (const chunk of readFileChunks(store, file, plan)) {
    columns = chunk.columns
    parts.push(chunk.rows)
  }
  return { rows: concatRows(parts), columns }
}

/** Arrays of rows as one, copied by the engine's own concat rather than a row at a time. */
function concatRows(parts: readonly Row[][]): Row[] {
  if (parts.length === 1) return parts[0]!
  let rows: Row[] = []
  // A bounded number of arguments per call: a spread of every part could exceed the stack.
  for (let at = 0; at < parts.length; at += CONCAT_PARTS) rows = rows.concat(...parts.slice(at, at + CONCAT_PARTS))
  return rows
}

function vanished(error: unknown): boolean {
  return error instanceof StorageError && error.code === 'NOT_FOUND'
}

/** Plain folders carry no schema up front: give every row the columns any file had. */
function fillMissingColumns(rows: Row[], results: readonly FileRows[]): void {
  const all = new Set(results.flatMap((r) => r.columns))
  if (results.every((r) => r.columns.length === all.size)) return
  for (const row of rows) for (const column of all) if (!(column in row)) row[column] = null
}

/** A projected column that no file and no partition of a plain folder has is a mistake, as in SQL. */
function checkPlainColumns(plan: ReadPlan, results: readonly FileRows[]): void {
  if (!plan.columns || results.length === 0) return
  const seen = new Set(results.flatMap((r) => r.columns))
  for (const column of plan.columns) {
    if (!seen.has(column) && !plan.partitionKeys.has(column)) {
      throw new StorageError('INVALID_ARGUMENT', `unknown column ${JSON.stringify(column)} in ${plan.entity}`)
    }
  }
}
