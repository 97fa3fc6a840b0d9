// Concurrency checks shared by the local and s3 tests.
import { isStorageError, type Row, type StorageBackend } from '@cfb/storage-core'
import { logVersions } from './delta-log.js'

export const WRITERS = 8
export const APPENDS_PER_WRITER = 25

/** The rows of batch `batch` of writer `writer`: 1 to 4 rows, each naming its batch. */
export function batchRows(writer: number, batch: number): Row[] {
  const count = 1 + ((writer * 3 + batch) % 4)
  return Array.from({ length: count }, (_, i) => ({ writer, batch, i, tag: `w${writer}-b${batch}-r${i}-of${count}` }))
}

export interface BatchReport {
  rows: number
  /** Batches read back whole, exactly once. */
  complete: number
  missing: string[]
  duplicated: string[]
  broken: string[]
}

/** Checks that every batch of every writer is in `rows` exactly once, whole. */
export function checkBatches(rows: readonly Row[], writers: number, batches: number): BatchReport {
  const byBatch = new Map<string, string[]>()
  for (const row of rows) {
    const id = `w${row.writer}-b${row.batch}`
    byBatch.set(id, [...(byBatch.get(id) ?? []), String(row.tag)])
  }
  const report: BatchReport = { rows: rows.length, complete: 0, missing: [], duplicated: [], broken: [] }
  for (let w = 0; w < writers; w++) {
    for (let b = 0; b < batches; b++) {
      const id = `w${w}-b${b}`
      const got = byBatch.get(id)
      byBatch.delete(id)
      const expected = batchRows(w, b).map((r) => String(r.tag))
      if (!got) report.missing.push(id)
      else if (got.length === expected.length * 2 && got.sort().join() === [...expected, ...expected].sort().join()) {
        report.duplicated.push(id)
      } else if (got.sort().join() !== expected.sort().join()) report.broken.push(`${id}: ${got.join(' ')}`)
      else report.complete++
    }
  }
  for (const id of byBatch.keys()) report.broken.push(`${id}: not a planned batch`)
  return report
}

/** A report short enough to print and compare: counts, and the first few offenders. */
export function briefly(report: BatchReport) {
  const few = (list: string[]) => (list.length <= 5 ? list : [...list.slice(0, 5), `... ${list.length - 5} more`])
  return {
    complete: report.complete,
    missing: few(report.missing),
    duplicated: few(report.duplicated),
    broken: few(report.broken),
  }
}

/** `writers` backends each appending `batches` batches, all at once, each batch one write. */
export async function appendConcurrently(
  backends: readonly StorageBackend[],
  entity: string,
  partition: Record<string, string | number>,
  batches: number,
): Promise<void> {
  await Promise.all(
    backends.map(async (backend, writer) => {
      for (let batch = 0; batch < batches; batch++) {
        await backend.write(entity, batchRows(writer, batch), partition, { overwrite: false })
      }
    }),
  )
}

/** Full row set number `set` (sets differ in size as well as content; none is empty). */
export function setRows(set: number): Row[] {
  const count = 1 + ((set * 7) % 23)
  return Array.from({ length: count }, (_, i) => ({ set, i, tag: `s${set}-r${i}-of${count}` }))
}

/** Which written set `rows` is, or what is wrong with them. */
export function classifyRead(rows: readonly Row[]): { set: number } | { problem: string } {
  if (rows.length === 0) return { problem: 'empty read (no empty set was ever written)' }
  const sets = [...new Set(rows.map((r) => r.set))]
  if (sets.length !== 1 || typeof sets[0] !== 'number') return { problem: `a mix of sets ${sets.join(', ')}` }
  const set = sets[0]
  const expected = setRows(set)
    .map((r) => String(r.tag))
    .sort()
    .join()
  const got = rows
    .map((r) => String(r.tag))
    .sort()
    .join()
  return got === expected ? { set } : { problem: `set ${set} incomplete or doubled: ${rows.length} rows` }
}

/**
 * Whether one read taken while writers append is a committed state: whole batches, none twice,
 * and for each writer (whose appends run one after another) batches 0..k with no gap.
 */
export function checkAppendSnapshot(rows: readonly Row[]): string | undefined {
  const byBatch = new Map<string, string[]>()
  const batchesOf = new Map<number, Set<number>>()
  for (const row of rows) {
    const writer = Number(row.writer)
    const batch = Number(row.batch)
    const id = `w${writer}-b${batch}`
    byBatch.set(id, [...(byBatch.get(id) ?? []), String(row.tag)])
    if (!batchesOf.has(writer)) batchesOf.set(writer, new Set())
    batchesOf.get(writer)!.add(batch)
  }
  for (const [id, tags] of byBatch) {
    const [, w, b] = /^w(\d+)-b(\d+)$/.exec(id) ?? []
    const expected = batchRows(Number(w), Number(b)).map((r) => String(r.tag))
    if (tags.sort().join() !== expected.sort().join()) return `batch ${id} is not whole and single: ${tags.length} rows`
  }
  for (const [writer, batches] of batchesOf) {
    if (Math.max(...batches) !== batches.size - 1) {
      return `writer ${writer}: batches ${[...batches].sort((a, b) => a - b).join(',')} have a gap`
    }
  }
  return undefined
}

/** How a read failed: its error code, with CONFLICT split by whether it names the option that avoids it. */
export function readErrorKind(error: unknown): string {
  if (!isStorageError(error)) return String(error)
  if (error.code === 'CONFLICT' && /keepRemovedFilesMs/.test(error.message)) return READ_CONFLICT
  return error.code
}

/** A read check: the rows are exactly one set of `written`; the sets found are added to `seen`. */
export function oneWrittenSet(written: ReadonlySet<number>, seen: Set<number>) {
  return (rows: readonly Row[]): string | undefined => {
    const verdict = classifyRead(rows)
    if ('problem' in verdict) return verdict.problem
    if (!written.has(verdict.set)) return `set ${verdict.set} was never written`
    seen.add(verdict.set)
    return undefined
  }
}

/** The one way a read of a table with the default configuration may fail under overwrites. */
export const READ_CONFLICT = 'CONFLICT naming keepRemovedFilesMs'

export interface ReadReport {
  reads: number
  /** Reads that passed the check. */
  good: number
  /** Read errors by error code (or message for non-StorageErrors). */
  errors: Record<string, number>
  /** Reads that returned something other than a committed state. */
  problems: string[]
  firstErrors: string[]
}

/**
 * Each reader reads the partition in a loop, at least `minReads` times and on until `done`
 * settles; `check` says what is wrong with a read's rows, if anything.
 */
export async function readWhile(
  readers: readonly StorageBackend[],
  entity: string,
  partition: Record<string, string | number>,
  done: Promise<unknown>,
  check: (rows: Row[]) => string | undefined,
  minReads = 5,
): Promise<ReadReport> {
  const report: ReadReport = { reads: 0, good: 0, errors: {}, problems: [], firstErrors: [] }
  let running = true
  const stop = () => {
    running = false
  }
  done.then(stop, stop)
  await Promise.all(
    readers.map(async (backend) => {
      for (let i = 0; running || i < minReads; i++) {
        report.reads++
        let rows: Row[]
        try {
          rows = await backend.readIndex(entity, partition)
        } catch (error) {
          const code = readErrorKind(error)
          report.errors[code] = (report.errors[code] ?? 0) + 1
          if (report.firstErrors.length < 3) report.firstErrors.push(String(error))
          continue
        }
        const problem = check(rows)
        if (problem === undefined) report.good++
        else if (report.problems.length < 20) report.problems.push(problem)
      }
    }),
  )
  return report
}

/** What `history()` says of a table of appended batches: each append's rows, and any other version. */
async function appendHistory(reader: StorageBackend, entity: string) {
  const history = await reader.history(entity)
  const appends = history.filter((h) => h.operation === 'WRITE' && h.mode === 'Append' && h.rowsAdded > 0 && h.rowsRemoved === 0)
  return {
    appends: appends.length,
    rowsAppended: appends.reduce((sum, h) => sum + h.rowsAdded, 0),
    // Table creation (a version of no rows) is the only other version there may be.
    others: history.filter((h) => !appends.includes(h)).map((h) => `${h.version}: ${h.operation} ${h.mode ?? ''} +${h.rowsAdded} -${h.rowsRemoved}`),
  }
}

/** What concurrent appends left behind, as a test compares it with `cleanAppends`. */
export interface AppendOutcome {
  readBack: ReturnType<typeof briefly>
  /** The table's log versions (`logVersions`). */
  versions: string
  history: Awaited<ReturnType<typeof appendHistory>>
  readErrors: Record<string, number>
  badReads: string[]
}

/** Rows in all `WRITERS` x `APPENDS_PER_WRITER` batches. */
const ALL_BATCH_ROWS = Array.from({ length: WRITERS }, (_, w) =>
  Array.from({ length: APPENDS_PER_WRITER }, (_, b) => batchRows(w, b).length).reduce((a, b) => a + b, 0),
).reduce((a, b) => a + b, 0)

/**
 * The outcome of `WRITERS` x `APPENDS_PER_WRITER` appends that lost, doubled and broke nothing:
 * one version per append, numbered without a gap, after version 0 when the table was created first
 * (`createTable`), and from version 0 when the first appends raced to create it.
 */
export function cleanAppends(createdFirst: boolean): AppendOutcome {
  const appends = WRITERS * APPENDS_PER_WRITER
  return {
    readBack: { complete: appends, missing: [], duplicated: [], broken: [] },
    versions: `0..${createdFirst ? appends : appends - 1}`,
    history: { appends, rowsAppended: ALL_BATCH_ROWS, others: createdFirst ? ['0: WRITE Append +0 -0'] : [] },
    readErrors: {},
    badReads: [],
  }
}

/** The schema of `batchRows` in a table partitioned by `partition`'s keys, for `createTable`. */
export function batchTable(partition: Record<string, string | number>) {
  const keys = Object.keys(partition)
  const columns = [
    { name: 'writer', type: 'int' as const },
    { name: 'batch', type: 'int' as const },
    { name: 'i', type: 'int' as const },
    { name: 'tag', type: 'string' as const },
    ...keys.map((name) => ({ name, type: typeof partition[name] === 'number' ? ('int' as const) : ('string' as const) })),
  ]
  return { schema: { columns }, partitionBy: keys }
}

/** Reads the partition back once after the appends, and reads the table's log and history. */
export async function appendOutcome(
  reader: StorageBackend,
  entity: string,
  partition: Record<string, string | number>,
  reads: ReadReport,
): Promise<AppendOutcome> {
  return {
    readBack: briefly(checkBatches(await reader.readIndex(entity, partition), WRITERS, APPENDS_PER_WRITER)),
    versions: await logVersions(reader, entity),
    history: await appendHistory(reader, entity),
    readErrors: reads.errors,
    badReads: reads.problems,
  }
}

/**
 * `writers` append all at once while `readers` read the partition, then one reader reads it all.
 * With `createFirst`, the table is created (`createTable`) before; else the first appends race to create it.
 */
export async function appendWhileReading(options: {
  writers: readonly StorageBackend[]
  readers: readonly StorageBackend[]
  entity: string
  partition: Record<string, string | number>
  createFirst: boolean
}): Promise<{ outcome: AppendOutcome; reads: ReadReport }> {
  const { entity, partition } = options
  if (options.createFirst) await options.writers[0]!.createTable(entity, batchTable(partition))
  const writing = appendConcurrently(options.writers, entity, partition, APPENDS_PER_WRITER)
  const reads = await readWhile(options.readers, entity, partition, writing, checkAppendSnapshot)
  await writing
  return { outcome: await appendOutcome(options.readers[0]!, entity, partition, reads), reads }
}

export interface RaceReport extends ReadReport {
  /** Overwrites that returned (the initial one included). */
  writes: number
  /** Overwrites that threw, by error code: a writer keeps going after one. */
  writeErrors: Record<string, number>
  firstWriteErrors: string[]
  /** Distinct sets readers saw. */
  setsSeen: number
}

/**
 * `writers` backends overwrite the partition again and again with distinct full sets while
 * `readers` backends read it in a loop; every read must be exactly one set that was written.
 * The partition starts with set 0, so a read never legitimately finds nothing.
 */
export async function raceOverwritesWithReads(options: {
  writers: readonly StorageBackend[]
  readers: readonly StorageBackend[]
  entity: string
  partition: Record<string, string | number>
  overwritesPerWriter: number
  /** Creates the table keeping replaced files this long (`keepRemovedFilesMs`); default: deleted at commit. */
  keepRemovedFilesMs?: number
}): Promise<RaceReport> {
  const { entity, partition, keepRemovedFilesMs } = options
  const table = keepRemovedFilesMs === undefined ? {} : { table: { keepRemovedFilesMs } }
  await options.writers[0]!.write(entity, setRows(0), partition, table)
  const written = new Set<number>([0])
  const seen = new Set<number>()
  let writes = 1
  const writeErrors: Record<string, number> = {}
  const firstWriteErrors: string[] = []
  const writing = Promise.all(
    options.writers.map(async (backend, w) => {
      for (let n = 1; n <= options.overwritesPerWriter; n++) {
        const set = overwriteSet(w, n)
        written.add(set) // before the write starts: a reader may see it as soon as it commits
        try {
          await backend.write(entity, setRows(set), partition)
          writes++
        } catch (error) {
          const code = isStorageError(error) ? error.code : String(error)
          writeErrors[code] = (writeErrors[code] ?? 0) + 1
          if (firstWriteErrors.length < 3) firstWriteErrors.push(String(error))
        }
      }
    }),
  )
  const reads = await readWhile(options.readers, entity, partition, writing, oneWrittenSet(written, seen))
  await writing
  return { ...reads, writes, writeErrors, firstWriteErrors, setsSeen: seen.size }
}

/**
 * What a race of overwrites with reads came to, as a test compares it with `cleanRace`. On a table
 * that deletes replaced files at commit, a read whose files an overwrite deleted twice (in its
 * snapshot and in the newer one it reads instead) fails with CONFLICT naming keepRemovedFilesMs.
 */
export function raceOutcome(report: RaceReport, options: { conflictsAllowed: boolean }) {
  const conflicts = report.errors[READ_CONFLICT] ?? 0
  const otherErrors = Object.fromEntries(Object.entries(report.errors).filter(([kind]) => !(options.conflictsAllowed && kind === READ_CONFLICT)))
  return {
    writes: report.writes,
    writeErrors: report.writeErrors,
    badReads: report.problems,
    readErrors: otherErrors,
    everyReadOneSet: report.good + (options.conflictsAllowed ? conflicts : 0) === report.reads,
    // Readers saw the partition change under them, so the race really happened.
    severalSetsSeen: report.setsSeen > 1,
  }
}

/** The outcome of `writers` x `overwrites` racing with readers when nothing went wrong. */
export function cleanRace(writers: number, overwrites: number): ReturnType<typeof raceOutcome> {
  return { writes: 1 + writers * overwrites, writeErrors: {}, badReads: [], readErrors: {}, everyReadOneSet: true, severalSetsSeen: true }
}

/** The set that writer `writer` writes on its `n`th overwrite (n from 1). */
export function overwriteSet(writer: number, n: number): number {
  return (writer + 1) * 1000 + n
}
