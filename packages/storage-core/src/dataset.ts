import { webcrypto } from 'node:crypto'
import type {
  FileFormat,
  Row,
  ScanOptions,
  VacuumOptions,
  VacuumResult,
  WriteOptions,
  WritePartitionedOptions,
} from './backend.js'
import { decodeCsv, encodeCsv } from './codecs/csv.js'
import { encodeParquetColumns, footerOf, parquetColumnNames, readParquetMetadata } from './codecs/parquet.js'
import { schemaFromManifest } from './codecs/manifest.js'
import { checkCompatible, inferColumns, type TableSchema } from './codecs/schema.js'
import {
  type Commit,
  type CommitFileEntry,
  commitKey,
  dataFileName,
  encodeCommit,
  parseCommit,
  writeIdOfDataFile,
} from './commit.js'
import { mapConcurrent } from './concurrency.js'
import { StorageError } from './errors.js'
import {
  type FilterRange,
  type Filters,
  matchesAll,
  matchesCondition,
  normalizeFilters,
  pinnedValues,
  toParquetFilter,
} from './filters.js'
import { normalizeKey, validateEntity } from './keys.js'
import { classifyKey, segmentKeys } from './layout.js'
import type { ObjectInfo, ObjectStore } from './object-store.js'
import {
  canonicalText,
  encodeSegment,
  encodeValue,
  Partition,
  type PartitionInput,
  type PartitionValue,
} from './partition.js'
import { readParquetRows } from './codecs/parquet-pages.js'
import { rangedFile } from './ranged-file.js'
import { newWriteId, writeIdTime } from './write-id.js'

/** Requests in flight at once for the files of one read or one cleanup. */
const IO_CONCURRENCY = 16
const DEFAULT_BATCH_SIZE = 10_000
const DEFAULT_WRITE_CONCURRENCY = 8
/**
 * Rows made into objects at a time. A read holds one slice of objects and one decoded page per
 * column (our writer cuts pages at as many rows), so its memory does not grow with the dataset.
 */
const ROWS_PER_SLICE = 4096
const DEFAULT_VACUUM_AGE_MS = 60 * 60 * 1000
/**
 * Listings retried when they catch a concurrent writer half-way (see `fresh`), with these pauses:
 * 20 listings over about 4.8 s. Under steady overwrites each listing has the same chance to win,
 * so many short pauses serve a reader better than a few long ones (with 10 over 3.3 s, one read
 * in about 150 lost every race on a loaded 2-core machine at 16 overwrites/s).
 */
const RELIST_PAUSES_MS = [5, 15, 40, 80, 160, ...Array<number>(14).fill(320)]
const LAST_ATTEMPT = RELIST_PAUSES_MS.length
/** Listings that may see our part files with no commit before believing it (a crashed writer). */
const ORPHAN_RELISTS = 3
/** A part file this young may belong to a writer still running. */
const RECENT_MS = 10_000
const COMMIT_CACHE_LIMIT = 50_000

/** A listing that caught another writer mid-way: a commit without its file, a file whose commit vanished. */
class StaleListing extends Error {}

function isStale(error: unknown): boolean {
  return error instanceof StaleListing || (error instanceof StorageError && error.code === 'NOT_FOUND')
}

/** One data file a reader will read, with what it needs to type its rows. */
interface VisibleFile {
  key: string
  size: number
  format: 'parquet' | 'csv'
  schema?: TableSchema
  /** Parquet footer from the commit, when it carried one. */
  footer?: Uint8Array
}

/** The committed state of one partition folder, as a reader sees it. */
interface PartitionState {
  dir: string
  partition: Partition
  files: VisibleFile[]
  /** Commits from the newest overwrite on, oldest first. Empty for legacy folders. */
  commits: Commit[]
  /** Every data file and commit key in the folder, visible or not (for cleanup). */
  listed: ObjectInfo[]
  /** Commit keys with their write ids. */
  commitKeys: { key: string; writeId: string }[]
}

interface FolderListing {
  dir: string
  segments: string[]
  data: (ObjectInfo & { name: string; format: 'parquet' | 'csv' })[]
  commits: (ObjectInfo & { writeId: string })[]
  /** A legacy `manifest.json`, whose dtypes type a legacy CSV. */
  manifest?: ObjectInfo
}

/** The partitioned-dataset engine: pruning, projection, row filters and the commit protocol. */
export class Dataset {
  /** Partition key order per entity, learned from writes and reads (it never changes). */
  private readonly partitionKeysCache = new Map<string, string[]>()
  /** Parsed commit files by key: they are immutable, so each is fetched once per instance. */
  private readonly commitCache = new Map<string, Commit>()

  /**
   * Runs a listing-based operation, listing again when it caught a concurrent writer half-way:
   * an overwrite deleting what was just listed, or a listing that saw a commit before its file.
   * On the last attempt what is still inconsistent is reported as it is.
   */
  private async fresh<T>(operation: (attempt: number) => Promise<T>): Promise<T> {
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation(attempt)
      } catch (error) {
        if (!isStale(error)) throw error
        if (attempt === LAST_ATTEMPT) {
          // Every listing raced an overwrite that removed what it listed: the data is there, but
          // it changed faster than it could be read, so say that rather than "not found".
          const key = error instanceof StorageError ? error.key : undefined
          throw new StorageError(
            'CONFLICT',
            `the data kept changing while it was read (${attempt + 1} listings over ${Date.now() - started} ms each raced a concurrent overwrite); read again`,
            { key, cause: error },
          )
        }
        await new Promise((resolve) => setTimeout(resolve, RELIST_PAUSES_MS[attempt]))
      }
    }
  }

  constructor(private readonly store: ObjectStore) {}

  // ---------------------------------------------------------------- write

  async write(
    entity: string,
    records: readonly Row[],
    partitionInput: Partition | PartitionInput,
    options: WriteOptions = {},
  ): Promise<number> {
    validateEntity(entity)
    return this.writePartition(entity, records, Partition.from(partitionInput), options, true)
  }

  /** `write`, where `checkRecords` says whether records carrying partition columns must be checked. */
  private async writePartition(
    entity: string,
    records: readonly Row[],
    partition: Partition,
    options: WriteOptions,
    checkRecords: boolean,
  ): Promise<number> {
    const overwrite = options.overwrite ?? true
    const format: FileFormat = options.format ?? 'parquet'
    if (format !== 'parquet' && format !== 'csv') {
      throw new StorageError('INVALID_ARGUMENT', `unknown format ${JSON.stringify(format)}: use parquet or csv`)
    }
    if (!Array.isArray(records)) throw new StorageError('INVALID_ARGUMENT', 'records must be an array of objects')
    const rows = records as Row[]
    const known = await this.partitionKeys(entity)
    if (known !== undefined && known.join('/') !== partition.keys.join('/')) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `${entity} is partitioned by (${known.join(', ')}), not (${partition.keys.join(', ')})`,
      )
    }

    const dir = partitionDir(entity, partition)
    const writeId = newWriteId()
    const dataKey = `${dir}/${dataFileName(writeId, 0, format)}`
    // Both keys are checked before anything is put, so a key over the limits leaves nothing behind.
    normalizeKey(dataKey)
    normalizeKey(commitKey(dir, writeId))
    const state = await this.fresh((attempt) => this.readState(dir, partition, attempt))
    // One pass over the records infers the schema without the partition columns and, for Parquet,
    // collects the values by column to encode from. Records that carry partition columns are then
    // checked against the partition (the encoders take only the schema's columns). Done after the
    // listings above and encoded at once: the column arrays never outlive an await, so they die
    // young instead of filling the old generation when many partitions are written at once.
    const { schema, values, skipped } = inferColumns(records, format === 'parquet', partition.keys)
    if (skipped && checkRecords) checkPartitionColumns(records, partition)
    if (!overwrite) {
      for (const commit of state.commits) checkCompatible(commit.schema, schema)
    }
    const bytes =
      rows.length === 0 ? undefined : format === 'parquet' ? encodeParquetColumns(values, rows.length, schema) : encodeCsv(rows, schema)

    const files: CommitFileEntry[] = []
    if (bytes) {
      const [digest] = await Promise.all([sha256(bytes), this.store.put(dataKey, bytes)])
      const footer = format === 'parquet' ? footerOf(bytes) : undefined
      files.push({
        name: dataKey.slice(dir.length + 1),
        rows: rows.length,
        bytes: bytes.length,
        sha256: digest,
        ...(footer ? { footer: Buffer.from(footer).toString('base64') } : {}),
      })
    }
    // An append to a legacy folder adopts its files, so the first commit does not hide them.
    const adopted =
      !overwrite && state.commits.length === 0
        ? state.files.map((f) => ({ name: f.key.slice(dir.length + 1), rows: -1, bytes: f.size, legacy: true }))
        : []
    const commit: Commit = {
      version: 1,
      writeId,
      mode: overwrite ? 'overwrite' : 'append',
      format,
      entity,
      partition: { values: { ...partition.values }, types: partition.types() },
      rows: rows.length,
      files: [...adopted, ...files],
      schema,
      createdAt: new Date(writeIdTime(writeId)).toISOString(),
    }
    await this.putCommit(commitKey(dir, writeId), encodeCommit(commit))
    this.partitionKeysCache.set(entity, partition.keys)
    if (overwrite) await this.removeSuperseded(state, writeId)
    return rows.length
  }

  /**
   * Groups `records` by their `partitionBy` values and writes each group as one partition. Every
   * record's partition values are checked before anything is written; each partition then infers
   * its schema and commits on its own, so a failure there (values of two types in one column, a
   * schema conflict on append) can leave other partitions written, never one half.
   */
  async writePartitioned(
    entity: string,
    records: readonly Row[],
    partitionBy: readonly string[],
    options: WritePartitionedOptions = {},
  ): Promise<number> {
    validateEntity(entity)
    if (!Array.isArray(partitionBy) || partitionBy.length === 0 || !partitionBy.every((k) => typeof k === 'string')) {
      throw new StorageError('INVALID_ARGUMENT', 'partitionBy must name at least one column')
    }
    if (!Array.isArray(records)) throw new StorageError('INVALID_ARGUMENT', 'records must be an array of objects')
    const { concurrency = DEFAULT_WRITE_CONCURRENCY, ...writeOptions } = options
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new StorageError('INVALID_ARGUMENT', `concurrency must be a positive integer, got ${concurrency}`)
    }
    // Records are grouped by their raw values in nested maps (cheap per record); groups whose
    // values name the same folder (2024 and "2024") are merged afterwards.
    const root = new Map<unknown, unknown>()
    const leaves: { values: unknown[]; rows: Row[] }[] = []
    const last = partitionBy.length - 1
    // Data often comes in partition order: a record with the same values as the one before joins
    // its group without the lookups.
    let previous: { values: unknown[]; rows: Row[] } | undefined
    for (let index = 0; index < records.length; index++) {
      const record = records[index]
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
      }
      if (previous !== undefined && sameValues(record, partitionBy, previous.values)) {
        previous.rows.push(record)
        continue
      }
      let level = root
      for (let k = 0; k <= last; k++) {
        const key = partitionBy[k]!
        const value = record[key]
        if (value === undefined && !(key in record)) {
          throw new StorageError('INVALID_ARGUMENT', `record ${index} has no ${key}`)
        }
        let next = level.get(value)
        if (next === undefined) {
          next = k === last ? { values: partitionBy.map((c) => record[c]), rows: [] } : new Map()
          if (k === last) leaves.push(next as (typeof leaves)[number])
          level.set(value, next)
        }
        if (k === last) {
          previous = next as (typeof leaves)[number]
          previous.rows.push(record)
        } else {
          level = next as Map<unknown, unknown>
        }
      }
    }
    const groups = new Map<string, { partition: Partition; rows: Row[] }>()
    for (const leaf of leaves) {
      const partition = new Partition(Object.fromEntries(partitionBy.map((c, i) => [c, leaf.values[i]])) as PartitionInput)
      const same = groups.get(partition.pathSuffix())
      if (same) same.rows.push(...leaf.rows)
      else groups.set(partition.pathSuffix(), { partition, rows: leaf.rows })
    }
    // Every record of a group carries exactly its partition's values: no need to check them again.
    const counts = await mapConcurrent([...groups.values()], concurrency, (group) =>
      this.writePartition(entity, group.rows, group.partition, writeOptions, false),
    )
    return counts.reduce((sum, n) => sum + n, 0)
  }

  /**
   * Puts a commit file, create-only where the store can. A retried PUT whose first answer was lost
   * meets its own commit (412): identical bytes there mean the commit is ours and it landed.
   */
  private async putCommit(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.store.put(key, bytes, {
        ifNoneMatch: this.store.capabilities.conditionalPut ? '*' : undefined,
        contentType: 'application/json',
      })
    } catch (error) {
      if (!(error instanceof StorageError && error.code === 'CONFLICT')) throw error
      const there = await this.store.get(key).catch(() => undefined)
      if (!there || Buffer.compare(Buffer.from(there), Buffer.from(bytes)) !== 0) throw error
    }
  }

  /** After an overwrite commit: delete older data files and commits, best effort (vacuum retries). */
  private async removeSuperseded(state: PartitionState, writeId: string): Promise<void> {
    const stale: string[] = []
    for (const info of state.listed) {
      const name = info.key.slice(info.key.lastIndexOf('/') + 1)
      const id = writeIdOfDataFile(name) ?? state.commitKeys.find((c) => c.key === info.key)?.writeId
      // Files of writers newer than us may belong to a commit still in flight: never touch them.
      if (id === undefined || id < writeId) stale.push(info.key)
    }
    try {
      await this.store.delete(stale)
    } catch {
      // Readers already ignore superseded files; `vacuum` removes whatever is left.
    }
  }

  // ----------------------------------------------------------------- read

  async readIndex(entity: string, filters?: Filters, columns?: readonly string[]): Promise<Row[]> {
    return this.fresh(async (attempt) => {
      const plan = await this.plan(entity, filters, columns, attempt)
      const perFile = await mapConcurrent(plan.files, IO_CONCURRENCY, (file) => this.readFile(file, plan))
      checkColumnsFound(plan, perFile)
      const rows = perFile.flatMap((r) => r.rows)
      if (!columns) fillMissingColumns(rows, perFile)
      return rows
    })
  }

  async *scan(entity: string, filters?: Filters, options: ScanOptions = {}): AsyncGenerator<Row[]> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new StorageError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`)
    }
    const plan = await this.fresh((attempt) => this.plan(entity, filters, options.columns, attempt))
    let batch: Row[] = []
    const results: FileRows[] = []
    for (const file of plan.files) {
      for await (const chunk of this.changedDuringScan(file, this.readFileChunks(file, plan))) {
        results.push({ rows: [], columns: chunk.columns })
        for (const row of chunk.rows) {
          batch.push(row)
          if (batch.length >= batchSize) {
            yield batch
            batch = []
          }
        }
      }
    }
    checkColumnsFound(plan, results)
    if (batch.length > 0) yield batch
  }

  /** A file an overwrite removed mid-scan: the rows already yielded cannot be taken back, so say so. */
  private async *changedDuringScan<T>(file: PlannedFile, chunks: AsyncGenerator<T>): AsyncGenerator<T> {
    try {
      yield* chunks
    } catch (error) {
      if (!(error instanceof StorageError && error.code === 'NOT_FOUND')) throw error
      throw new StorageError(
        'CONFLICT',
        `${file.partition.pathSuffix()} was overwritten while it was being scanned; scan it again`,
        { key: file.key, cause: error },
      )
    }
  }

  async listPartitions(entity: string, filters?: Filters): Promise<Partition[]> {
    const conditions = normalizeFilters(filters)
    const states = await this.fresh((attempt) => this.partitionStates(entity, conditions, attempt))
    const keys = this.partitionKeysCache.get(entity) ?? []
    for (const column of conditions.keys()) {
      if (!keys.includes(column)) {
        throw new StorageError('INVALID_ARGUMENT', `${column} is not a partition key of ${entity}`)
      }
    }
    return states.map((s) => s.partition)
  }

  // --------------------------------------------------------------- vacuum

  async vacuum(entity: string, options: VacuumOptions = {}): Promise<VacuumResult> {
    validateEntity(entity)
    const cutoff = Date.now() - (options.olderThanMs ?? DEFAULT_VACUUM_AGE_MS)
    const folders = await this.listFolders(`${entity}/`, entity)
    const deleted: string[] = []
    for (const folder of folders) {
      // The listing already made serves the first look; a stale one is listed again.
      let looks = 0
      const state = await this.fresh((attempt) =>
        looks++ === 0 ? this.stateOf(folder, attempt) : this.readState(folder.dir, undefined, attempt),
      )
      const visible = new Set(state.files.map((f) => f.key))
      const firstVisible = state.commits[0]?.writeId
      for (const info of state.listed) {
        const name = info.key.slice(info.key.lastIndexOf('/') + 1)
        const commitId = state.commitKeys.find((c) => c.key === info.key)?.writeId
        if (commitId !== undefined) {
          if (firstVisible !== undefined && commitId < firstVisible && writeIdTime(commitId) < cutoff) {
            deleted.push(info.key)
          }
          continue
        }
        if (visible.has(info.key)) continue
        const id = writeIdOfDataFile(name)
        // Without commits, files not named by us are legacy data; ours are a crashed first writer's.
        if (id === undefined ? state.commits.length > 0 : writeIdTime(id) < cutoff) deleted.push(info.key)
      }
    }
    await this.store.delete(deleted)
    deleted.push(...((await this.store.removeLeftovers?.(`${entity}/`, options.olderThanMs ?? DEFAULT_VACUUM_AGE_MS)) ?? []))
    return { deleted }
  }

  /** Entities at the root: first-level folders. */
  async entities(): Promise<string[]> {
    const names = new Set<string>()
    // Without trustworthy delimiter listings, a full listing gives the same first segments.
    const delimiter = this.store.capabilities.delimiterListing ? '/' : undefined
    for await (const entry of this.store.list('', { delimiter })) {
      const key = entry.kind === 'prefix' ? entry.prefix : entry.key
      const cut = key.indexOf('/')
      if (cut > 0) names.add(key.slice(0, cut))
    }
    return [...names].filter((n) => !n.startsWith('_') && !n.startsWith('.'))
  }

  // ------------------------------------------------------------- planning

  /**
   * The partition key order of an entity: from the cache, else from the first data or commit key
   * under it (one listing request for one key). Undefined when the entity has no data.
   */
  private async partitionKeys(entity: string): Promise<string[] | undefined> {
    const cached = this.partitionKeysCache.get(entity)
    if (cached) return cached
    for await (const entry of this.store.list(`${entity}/`, { limit: 8 })) {
      if (entry.kind !== 'object') continue
      const role = classifyKey(entity, entry.key)
      if (role.kind === 'other') continue
      return this.learnKeys(entity, role.segments)
    }
    return undefined
  }

  private learnKeys(entity: string, segments: readonly string[]): string[] {
    const keys = segmentKeys(segments)
    this.partitionKeysCache.set(entity, keys)
    return keys
  }

  /** Listing prefixes for the leading `keys` that the conditions pin to values (cartesian product). */
  private pinnedPrefixes(entity: string, keys: readonly string[], conditions: Map<string, FilterRange>) {
    let prefixes = [`${entity}/`]
    const used: string[] = []
    for (const key of keys) {
      const range = conditions.get(key)
      const pinned = range && pinnedValues(range)
      if (!pinned) break
      const values = [...new Set(pinned.map(folderValue).filter((v): v is string => v !== undefined))]
      prefixes = prefixes.flatMap((p) => values.map((v) => `${p}${encodeSegment(key)}=${v}/`))
      used.push(key)
    }
    return { prefixes, used }
  }

  private async listPrefixes(entity: string, prefixes: readonly string[]): Promise<FolderListing[]> {
    const listings = await mapConcurrent(prefixes, IO_CONCURRENCY, (p) => this.listFolders(p, entity))
    return listings.flat()
  }

  /**
   * Folders that may hold matching partitions, listing only pinned prefixes. With the key order
   * unknown, the filter's own key order is tried first: when it matches the layout (the usual
   * case), a read of one partition costs one listing of that partition's prefix and nothing else.
   */
  private async candidateFolders(
    entity: string,
    conditions: Map<string, FilterRange>,
  ): Promise<{ keys: string[]; folders: FolderListing[] } | undefined> {
    const cached = this.partitionKeysCache.get(entity)
    if (!cached) {
      const guess = this.pinnedPrefixes(entity, [...conditions.keys()], conditions)
      if (guess.used.length > 0) {
        const folders = await this.listPrefixes(entity, guess.prefixes)
        if (folders.length > 0) return { keys: this.learnKeys(entity, folders[0]!.segments), folders }
      }
    }
    const keys = await this.partitionKeys(entity)
    if (keys === undefined) return undefined
    const plan = this.pinnedPrefixes(entity, keys, conditions)
    return { keys, folders: await this.listPrefixes(entity, plan.prefixes) }
  }

  private async listFolders(prefix: string, entity: string): Promise<FolderListing[]> {
    const folders = new Map<string, FolderListing>()
    for await (const entry of this.store.list(prefix)) {
      if (entry.kind !== 'object') continue
      const role = classifyKey(entity, entry.key)
      if (role.kind === 'other') continue
      let folder = folders.get(role.dir)
      if (!folder) {
        folder = { dir: role.dir, segments: role.segments, data: [], commits: [] }
        folders.set(role.dir, folder)
      }
      const { kind: _kind, ...info } = entry
      if (role.kind === 'commit') folder.commits.push({ ...info, writeId: role.writeId })
      else if (role.kind === 'manifest') folder.manifest = info
      else folder.data.push({ ...info, name: role.name, format: role.format })
    }
    return [...folders.values()]
  }

  private async partitionStates(
    entity: string,
    conditions: Map<string, FilterRange>,
    attempt: number,
  ): Promise<PartitionState[]> {
    validateEntity(entity)
    const candidates = await this.candidateFolders(entity, conditions)
    if (candidates === undefined) return []
    const { keys } = candidates
    const folders = candidates.folders.filter((folder) => {
      const values = Partition.parse(folder.segments.join('/')).values
      return keys.every((k) => {
        const range = conditions.get(k)
        return range === undefined || matchesCondition(values[k], range)
      })
    })
    folders.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))
    const states = await mapConcurrent(folders, IO_CONCURRENCY, (f) => this.stateOf(f, attempt))
    return states.filter((s) => s.commits.length > 0 || s.files.length > 0)
  }

  private async readState(dir: string, partition: Partition | undefined, attempt: number): Promise<PartitionState> {
    const entity = dir.split('/')[0]!
    const folders = await this.listFolders(`${dir}/`, entity)
    const exact = folders.find((f) => f.dir === dir)
    const segments = dir.split('/').slice(1)
    const state = await this.stateOf(exact ?? { dir, segments, data: [], commits: [] }, attempt)
    return partition ? { ...state, partition } : state
  }

  /** Applies the commit protocol to one folder's listing. */
  private async stateOf(folder: FolderListing, attempt: number): Promise<PartitionState> {
    const listed: ObjectInfo[] = [...folder.data, ...folder.commits, ...(folder.manifest ? [folder.manifest] : [])]
    const commitKeys = folder.commits.map((c) => ({ key: c.key, writeId: c.writeId }))
    if (folder.commits.length === 0) {
      // Legacy or foreign folder: its data files are data, Parquet preferred over a CSV fallback.
      // Our own part files with no commit are a writer's in flight (or a crashed one's): invisible.
      const foreign = folder.data.filter((d) => writeIdOfDataFile(d.name) === undefined)
      // Our own files with no commit beside them: a crashed writer's, or a listing that raced an
      // overwrite deleting the commit it superseded. Listing again tells which: a crashed writer's
      // file stays alone, a racing overwriter's commit shows up.
      if (foreign.length < folder.data.length && attempt < LAST_ATTEMPT) {
        // A recent file may be a writer's still in flight or a racing overwriter's: keep looking.
        const recent = folder.data.some((d) => writeIdTime(writeIdOfDataFile(d.name) ?? '0') > Date.now() - RECENT_MS)
        if (attempt < ORPHAN_RELISTS || recent || (await this.anyCommitOf(folder))) throw new StaleListing(folder.dir)
      }
      const parquet = foreign.filter((d) => d.format === 'parquet')
      const chosen = parquet.length > 0 ? parquet : foreign
      const schema = parquet.length === 0 && folder.manifest ? await this.manifestSchema(folder.manifest.key) : undefined
      return {
        dir: folder.dir,
        partition: Partition.parse(folder.segments.join('/')),
        files: chosen.map((d) => ({ key: d.key, size: d.size, format: d.format, schema })),
        commits: [],
        listed,
        commitKeys,
      }
    }
    const sorted = [...folder.commits].sort((a, b) => (a.writeId < b.writeId ? -1 : 1))
    const parsed = await mapConcurrent(sorted, IO_CONCURRENCY, (c) => this.commit(c.key))
    let start = 0
    parsed.forEach((commit, i) => {
      if (commit.mode === 'overwrite') start = i
    })
    const visible = parsed.slice(start)
    const newest = visible[visible.length - 1]!
    const byName = new Map(folder.data.map((d) => [d.name, d]))
    const needsManifest = visible.some((c) => c.files.some((f) => f.legacy && f.name.endsWith('.csv')))
    const legacySchema = needsManifest && folder.manifest ? await this.manifestSchema(folder.manifest.key) : undefined
    const files: VisibleFile[] = []
    for (const commit of visible) {
      for (const entry of commit.files) {
        const key = `${folder.dir}/${entry.name}`
        // Data files land before their commit, so a listing that shows a commit but not its file
        // raced the writer (a listing is no snapshot on every backend): ask for the file itself.
        const found = byName.get(entry.name) ?? (await this.headOrUndefined(key))
        if (!found) {
          // Gone meanwhile: an overwrite removed it, and a fresh listing shows the newer state.
          if (attempt < LAST_ATTEMPT) throw new StaleListing(key)
          throw new StorageError('CORRUPT_DATA', `commit ${commit.writeId} lists a missing file: ${key}`, { key })
        }
        if (!entry.legacy && entry.bytes !== found.size) {
          throw new StorageError(
            'CORRUPT_DATA',
            `${key} has ${found.size} bytes, but commit ${commit.writeId} recorded ${entry.bytes}`,
            { key },
          )
        }
        const format = entry.name.endsWith('.csv') ? 'csv' : 'parquet'
        const schema = entry.legacy ? (format === 'csv' ? legacySchema : undefined) : commit.schema
        const footer = entry.footer && format === 'parquet' ? new Uint8Array(Buffer.from(entry.footer, 'base64')) : undefined
        files.push({ key, size: found.size, format, schema, footer })
      }
    }
    return {
      dir: folder.dir,
      partition: Partition.parse(folder.segments.join('/'), newest.partition.types),
      files,
      commits: visible,
      listed,
      commitKeys,
    }
  }

  /** Whether a commit exists for any of the folder's part files: then a listing missed it. */
  private async anyCommitOf(folder: FolderListing): Promise<boolean> {
    const ids = folder.data.map((d) => writeIdOfDataFile(d.name)).filter((id): id is string => id !== undefined)
    const found = await mapConcurrent(ids, IO_CONCURRENCY, (id) => this.headOrUndefined(commitKey(folder.dir, id)))
    return found.some((info) => info !== undefined)
  }

  private async headOrUndefined(key: string): Promise<ObjectInfo | undefined> {
    try {
      return await this.store.head(key)
    } catch (error) {
      if (error instanceof StorageError && error.code === 'NOT_FOUND') return undefined
      throw error
    }
  }

  private async commit(key: string): Promise<Commit> {
    const cached = this.commitCache.get(key)
    if (cached) return cached
    const commit = parseCommit(await this.store.get(key), key)
    if (this.commitCache.size >= COMMIT_CACHE_LIMIT) this.commitCache.clear()
    this.commitCache.set(key, commit)
    return commit
  }

  /** The column types a legacy manifest records; advisory, so an unreadable one is ignored. */
  private async manifestSchema(key: string): Promise<TableSchema | undefined> {
    try {
      return schemaFromManifest(JSON.parse(new TextDecoder().decode(await this.store.get(key))))
    } catch {
      return undefined
    }
  }

  private async plan(
    entity: string,
    filters: Filters | undefined,
    columns: readonly string[] | undefined,
    attempt: number,
  ) {
    if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) {
      throw new StorageError('INVALID_ARGUMENT', 'columns must be an array of column names')
    }
    const conditions = normalizeFilters(filters)
    const states = await this.partitionStates(entity, conditions, attempt)
    const partitionKeys = new Set(this.partitionKeysCache.get(entity) ?? [])
    const rowConditions = new Map([...conditions].filter(([k]) => !partitionKeys.has(k)))
    const files = states.flatMap((s) => s.files.map((f) => ({ ...f, partition: s.partition })))
    // Columns every row gets (null where a file lacks one), e.g. after an append added a column.
    const knownColumns = [...new Set(files.flatMap((f) => f.schema?.columns.map((c) => c.name) ?? []))]
    return {
      entity,
      files,
      knownColumns,
      partitionKeys,
      rowConditions,
      parquetFilter: toParquetFilter(rowConditions),
      columns: columns ? [...columns] : undefined,
    }
  }

  // ---------------------------------------------------------------- files

  private async readFile(file: PlannedFile, plan: Plan): Promise<FileRows> {
    const rows: Row[] = []
    let columns: string[] = []
    for await (const chunk of this.readFileChunks(file, plan)) {
      columns = chunk.columns
      for (const row of chunk.rows) rows.push(row)
    }
    return { rows, columns }
  }

  /** Rows of one file, a slice of a row group at a time, filtered, projected, with partition columns added. */
  private async *readFileChunks(file: PlannedFile, plan: Plan): AsyncGenerator<FileRows> {
    const wanted = plan.columns
    const dataColumns = wanted?.filter((c) => !plan.partitionKeys.has(c))
    const filterColumns = [...plan.rowConditions.keys()]
    const finish = (raw: Row[], fileColumns: string[]): FileRows => {
      const out: Row[] = []
      for (const row of raw) {
        for (const column of filterColumns) if (!(column in row)) row[column] = null
        if (!wanted) for (const column of plan.knownColumns) if (!(column in row)) row[column] = null
        if (plan.rowConditions.size > 0 && !matchesAll(row, plan.rowConditions)) continue
        out.push(shapeRow(row, wanted, file.partition))
      }
      return { rows: out, columns: fileColumns }
    }
    try {
      if (file.format === 'csv') {
        const raw = decodeCsv(await this.store.get(file.key), file.schema, file.key)
        yield finish(raw, raw[0] ? Object.keys(raw[0]) : (file.schema?.columns.map((c) => c.name) ?? []))
        return
      }
      const buffer = rangedFile(this.store, file.key, file.size)
      const metadata = await readParquetMetadata(buffer, file.footer)
      const present = parquetColumnNames(metadata)
      const read = dataColumns
        ? [...new Set([...dataColumns, ...filterColumns])].filter((c) => present.includes(c))
        : undefined
      const filter = pruneFilter(plan.parquetFilter, present)
      let empty = true
      for await (const rows of readParquetRows(buffer, { metadata, columns: read, filter, sliceRows: ROWS_PER_SLICE })) {
        empty = false
        yield finish(rows, present)
      }
      // Even a file whose every row group the statistics ruled out tells which columns it has.
      if (empty) yield finish([], present)
    } catch (cause) {
      if (cause instanceof StorageError) throw cause
      throw new StorageError('CORRUPT_DATA', `cannot read ${file.key}: ${(cause as Error).message}`, {
        key: file.key,
        cause,
      })
    }
  }
}

type Plan = Awaited<ReturnType<Dataset['plan']>>
type PlannedFile = Plan['files'][number]
interface FileRows {
  rows: Row[]
  columns: string[]
}

function partitionDir(entity: string, partition: Partition): string {
  const suffix = partition.pathSuffix()
  return suffix === '' ? entity : `${entity}/${suffix}`
}

/** A filter value as a folder name, or undefined when no folder can hold it. */
function folderValue(value: unknown): string | undefined {
  if (value === null) return encodeValue(null)
  if (typeof value === 'string' || typeof value === 'boolean') return encodeValue(value)
  if (typeof value === 'number' && Number.isFinite(value)) return encodeValue(value)
  if (typeof value === 'bigint') return encodeValue(value.toString())
  return undefined
}

/**
 * Whether `record` has exactly `values` (as ===) under `keys`. A missing key can only match an
 * undefined value, and a group with one is refused as a partition anyway.
 */
function sameValues(record: Row, keys: readonly string[], values: readonly unknown[]): boolean {
  for (let k = 0; k < keys.length; k++) if (record[keys[k]!] !== values[k]) return false
  return true
}

/** Hashed off the main thread (WebCrypto runs on libuv's pool), beside the upload. */
async function sha256(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex')
}

/**
 * Checks that records carrying partition columns agree with the partition. They are not copied:
 * the encoders take only the schema's columns, which never include the partition's.
 */
function checkPartitionColumns(records: readonly Row[], partition: Partition): void {
  const keys = partition.keys
  records.forEach((record, index) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new StorageError('INVALID_ARGUMENT', 'every record must be a plain object')
    }
    for (const key of keys) {
      if (!(key in record)) continue
      const expected: PartitionValue | undefined = partition.values[key]
      if (canonicalText(record[key]) !== canonicalText(expected)) {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `record ${index} has ${key}=${JSON.stringify(String(record[key]))}, but the partition has ${key}=${JSON.stringify(String(expected))}`,
        )
      }
    }
  })
}

/** Keeps the requested columns (all when none requested), data columns first, then partition columns. */
function shapeRow(row: Row, wanted: readonly string[] | undefined, partition: Partition): Row {
  if (wanted === undefined) {
    for (const key of partition.keys) delete row[key]
    return Object.assign(row, partition.values)
  }
  const out: Row = {}
  for (const column of wanted) {
    out[column] = column in partition.values ? partition.values[column] : (row[column] ?? null)
  }
  return out
}

/** Only filter columns the file has can be pushed down; the rest are matched after decoding. */
function pruneFilter(filter: Record<string, unknown> | undefined, present: readonly string[]) {
  if (!filter) return undefined
  const kept = Object.entries(filter).filter(([column]) => present.includes(column))
  return kept.length > 0 ? Object.fromEntries(kept) : undefined
}

/** Legacy files carry no schema up front: give every row the columns any file had. */
function fillMissingColumns(rows: Row[], results: readonly FileRows[]): void {
  const all = new Set(results.flatMap((r) => r.columns))
  if (results.every((r) => r.columns.length === all.size)) return
  for (const row of rows) for (const column of all) if (!(column in row)) row[column] = null
}

/** A projected column that no file and no partition has is a mistake worth an error, as in SQL. */
function checkColumnsFound(plan: Plan, results: readonly FileRows[]): void {
  if (!plan.columns || results.length === 0) return
  const seen = new Set(results.flatMap((r) => r.columns))
  for (const column of plan.columns) {
    if (!seen.has(column) && !plan.partitionKeys.has(column)) {
      throw new StorageError('INVALID_ARGUMENT', `unknown column ${JSON.stringify(column)} in ${plan.entity}`)
    }
  }
}
