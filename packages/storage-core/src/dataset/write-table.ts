import { decodeParquet } from '../codecs/parquet.js'
import { inferColumns, type PartitionAgreement, type TableSchema } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import type { Partition } from '../partition/partition.js'
import { mapConcurrent, Slots } from '../store/concurrency.js'
import type { ObjectStore } from '../store/object-store.js'
import { assertCanCommit, commit, outcomeUnknown, StaleWrite } from '../table/commit.js'
import { keyOfPath } from '../table/log-files.js'
import { checkWritable, type TableState } from '../table/table-state.js'
import { assertNoPlainData } from './plain-folders.js'
import type { TableCache } from './table-cache.js'
import { removesSuperseded } from '../table/table-options.js'
import { actionsFor, superseded, TxnApplied, txnApplied, type WriteCommit, type WrittenFile } from './write-actions.js'
import { PartitionBuffers, type PartitionRows } from './write-buffer.js'
import { writeFile } from './write-file.js'
import { GrowingSchema, partitionFieldsLast, resolveWriteSchema, type WriteSchema } from './write-schema.js'

export type { WriteTxn } from './write-actions.js'

export interface TableWrite extends Omit<WriteCommit, 'partitions'> {
  entity: string
  /**
   * The records by partition: all at once (held by the caller, so a write that must start over
   * reads them again), or in batches as they come, held at most `bufferRows` at a time.
   */
  source: readonly PartitionRows[] | AsyncIterable<readonly PartitionRows[]>
  /** Rows a streamed write holds before it writes some partitions out (default: all of them). */
  bufferRows?: number
  /**
   * How the records' partition columns are checked as they are read for their files: `partition`,
   * the caller named the partition and columns the records carry must agree with it; `sampled`,
   * the records were grouped by `groupRuns`, and one out of place throws `Regroup`.
   */
  check?: 'partition' | 'sampled'
  concurrency: number
  schema?: TableSchema
  /** The caller vouches that no other process writes this table (stores without conditional create). */
  singleWriter?: boolean
  signal?: AbortSignal
}

/** What a write put, ready to commit. */
interface Written {
  schema: WriteSchema
  files: WrittenFile[]
  partitions: Partition[]
}

const NO_COLUMNS: TableSchema = { columns: [] }

/** Files collected or encoding at once when the worker thread shares the encoding: one there, one here. */
const ENCODING_AHEAD = 2

/** Restarts of a write whose files no longer fit the table after the commits it missed. */
const MAX_RESTARTS = 5

/**
 * Writes partitions as one table version: data files first, under unique names, then the commit.
 * An overwrite removes what is live in its partitions at the version it commits on. Whatever
 * fails, the files the write put are removed (unless the commit's own outcome is unknown).
 */
export async function writeTable(store: ObjectStore, tables: TableCache, write: TableWrite): Promise<number> {
  assertCanCommit(store, write.entity, write.singleWriter)
  for (let restart = 0; ; restart++) {
    // Records given at once are encoded for the cached state while one HEAD confirms it (a write
    // that missed versions builds on them at commit, or starts over); a stream, which cannot start
    // over, waits for the latest state.
    const latest = tables.latest(write.entity)
    latest.catch(() => undefined) // awaited below
    const cached = restart === 0 && Array.isArray(write.source) ? tables.probed(write.entity) : undefined
    const state = cached ?? (await latest)
    if (state) checkWritable(state, write.overwrite)
    else await assertNoPlainData(store, write.entity)
    if (write.txn && txnApplied(state, write.txn)) return 0
    const put: string[] = []
    let written: Written | undefined
    let current: TableState | undefined
    try {
      written = await writeFiles(store, state, write, put)
      current = await latest
      write.signal?.throwIfAborted()
    } catch (error) {
      // A partition that cannot be stored fails the whole write: nothing of it stays behind.
      await store.delete(put).catch(() => undefined)
      throw error
    }
    if (written === undefined) return 0
    const { schema, files } = written
    const change: WriteCommit = { ...write, partitions: written.partitions }
    try {
      const committed = await commit(store, write.entity, current, (base) => actionsFor(change, schema, files, state, base), {
        singleWriter: write.singleWriter,
      })
      tables.remember(committed.state)
      if (write.overwrite && removesSuperseded(committed.state.metadata.configuration)) {
        const removed = committed.actions.flatMap((a) => ('remove' in a ? [keyOfPath(write.entity, a.remove.path)] : []))
        // Best effort: the log no longer lists them, and vacuum removes what is left.
        await store.delete(removed).catch(() => undefined)
      }
      return files.reduce((sum, f) => sum + f.rows, 0)
    } catch (error) {
      // Files no version names are removed at once, unless the version's own write failed
      // unseen (it may have landed); vacuum removes those if it did not.
      if (!outcomeUnknown(error)) await store.delete(put).catch(() => undefined)
      if (error instanceof TxnApplied) return 0
      if (!(error instanceof StaleWrite)) throw error
      if (!Array.isArray(write.source)) {
        throw new StorageError('CONFLICT', `${write.entity} changed its schema or partitioning while this streamed write was under way; nothing was written, write again`)
      }
      if (restart === MAX_RESTARTS) {
        throw new StorageError('CONFLICT', `${write.entity} kept changing its schema under this write; write again`)
      }
    }
  }
}

/**
 * Puts the data files: partitions are written out as the buffer overflows and at the end. The
 * schema grows as partitions are read: a later partition may add columns and widen this write's
 * integer columns to float (files encoded before then are written again at the end), but other
 * values that do not fit a column already written are refused.
 */
async function writeFiles(store: ObjectStore, state: TableState | undefined, write: TableWrite, put: string[]): Promise<Written | undefined> {
  const { entity, partitionKeys } = write
  const declared = state ? undefined : write.schema
  const buffers = new PartitionBuffers()
  const files: WrittenFile[] = []
  let growing: GrowingSchema | undefined
  // Rows of each partition written out before: a refused record is named by its place in the write.
  const before = new Map<Partition, number>()
  const agreement = (g: PartitionRows): PartitionAgreement | undefined =>
    write.check
      ? { values: partitionKeys.map((key) => g.partition.values[key]), offset: before.get(g.partition) ?? 0, sampled: write.check === 'sampled' }
      : undefined
  const writeOut = async (groups: readonly PartitionRows[]): Promise<void> => {
    const nonEmpty = groups.filter((g) => g.records.length > 0)
    if (growing === undefined && nonEmpty.length > 0) {
      // The partition columns' types come from every partition given so far; the other columns
      // are typed as each partition is read for its file (once: a pass that read every record
      // ahead to fix the schema made a write of many partitions read them all twice).
      const given = buffers.all().concat(groups).map((g) => ({ partition: g.partition, schema: NO_COLUMNS }))
      growing = new GrowingSchema(entity, baseOf(state), given, partitionKeys, declared)
    }
    // Files written alongside each other share the encoding with the worker thread. Only a few
    // are collected and encoding at a time, however many PUTs are in flight: values that wait
    // live on into the old generation, and collecting it with the caller's records is costly.
    const alongside = nonEmpty.length > 1 && write.concurrency > 1
    const encoding = new Slots(alongside ? ENCODING_AHEAD : write.concurrency)
    const done = await mapConcurrent(nonEmpty, write.concurrency, async (g) => {
      await encoding.take()
      let held = true
      const encoded = () => {
        if (held) encoding.give()
        held = false
      }
      try {
        const columns = inferColumns(g.records, true, partitionKeys, agreement(g))
        const schema = growing!.add(g.partition, columns.schema)
        return await writeFile(store, entity, { partition: g.partition, records: g.records, found: columns }, schema, put, { alongside, encoded })
      } finally {
        encoded()
      }
    })
    files.push(...done)
    for (const g of nonEmpty) before.set(g.partition, (before.get(g.partition) ?? 0) + g.records.length)
  }
  for await (const groups of batchesOf(write.source)) {
    write.signal?.throwIfAborted()
    buffers.add(groups)
    const full = buffers.overflow(write.bufferRows ?? Number.POSITIVE_INFINITY)
    if (full.length > 0) await writeOut(full)
  }
  await writeOut(buffers.drain())
  const partitions = buffers.partitions()
  let schema: WriteSchema
  if (growing) schema = growing.current
  else {
    // Nothing to add and nothing to replace: no version for it.
    if (!state && !declared) return undefined
    if (state && (!write.overwrite || superseded(state, { ...write, partitions }, 0).length === 0)) return undefined
    schema = resolveWriteSchema(entity, baseOf(state), [], partitionKeys, declared)
  }
  const narrow = narrowFiles(files, schema)
  if (narrow.length > 0) {
    const again = await mapConcurrent(narrow, write.concurrency, (file) => rewriteFile(store, write, file, schema, put))
    await store.delete(narrow.map((f) => f.key))
    for (const [i, file] of narrow.entries()) files[files.indexOf(file)] = again[i]!
  }
  return { schema: state ? schema : partitionFieldsLast(schema), files, partitions }
}

/** Files encoded before one of their columns widened from integers to float. */
function narrowFiles(files: readonly WrittenFile[], schema: WriteSchema): WrittenFile[] {
  const types = new Map(schema.columns.map((c) => [c.name, c.type]))
  return files.filter((f) => f.columns.some((c) => types.get(c.name) !== c.type))
}

/** A file of this write, read back and written again under the final schema. */
async function rewriteFile(store: ObjectStore, write: TableWrite, file: WrittenFile, schema: WriteSchema, put: string[]): Promise<WrittenFile> {
  const bytes = await store.get(file.key)
  const records = await decodeParquet(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  const found = inferColumns(records, true, write.partitionKeys)
  return writeFile(store, write.entity, { partition: file.partition, records, found }, schema, put)
}

function baseOf(state: TableState | undefined): { fields: WriteSchema['fields']; partitionColumns: readonly string[] } | undefined {
  return state ? { fields: state.fields, partitionColumns: state.metadata.partitionColumns } : undefined
}

async function* batchesOf(source: TableWrite['source']): AsyncGenerator<readonly PartitionRows[]> {
  if (Array.isArray(source)) yield source as readonly PartitionRows[]
  else yield* source as AsyncIterable<readonly PartitionRows[]>
}
