// Concurrency checks shared by the local and s3 tests.
import { isStorageError, Partition, type Row, type StorageBackend } from '@cfb/storage-core'
import { type PlannedOp, spawnWriter, type WriterBackend, type WriterRun } from './crash-trials.js'

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
          const code = isStorageError(error) ? error.code : String(error)
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

/** What concurrent appends left behind, as a test compares it with `CLEAN_APPENDS`. */
export interface AppendOutcome {
  readBack: ReturnType<typeof briefly>
  commits: number
  readErrors: Record<string, number>
  badReads: string[]
}

/** The outcome of `WRITERS` x `APPENDS_PER_WRITER` appends that lost, doubled and broke nothing. */
export const CLEAN_APPENDS: AppendOutcome = {
  readBack: { complete: WRITERS * APPENDS_PER_WRITER, missing: [], duplicated: [], broken: [] },
  commits: WRITERS * APPENDS_PER_WRITER,
  readErrors: {},
  badReads: [],
}

/** Reads the partition back once after the appends, and counts its commits. */
export async function appendOutcome(
  reader: StorageBackend,
  entity: string,
  partition: Record<string, string | number>,
  reads: ReadReport,
): Promise<AppendOutcome> {
  const dir = `${entity}/${new Partition(partition).pathSuffix()}`
  return {
    readBack: briefly(checkBatches(await reader.readIndex(entity, partition), WRITERS, APPENDS_PER_WRITER)),
    commits: (await reader.listFiles(`${dir}/_commits/`)).length,
    readErrors: reads.errors,
    badReads: reads.problems,
  }
}

/** `writers` append all at once while `readers` read the partition, then one reader reads it all. */
export async function appendWhileReading(options: {
  writers: readonly StorageBackend[]
  readers: readonly StorageBackend[]
  entity: string
  partition: Record<string, string | number>
}): Promise<{ outcome: AppendOutcome; reads: ReadReport }> {
  const { entity, partition } = options
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
}): Promise<RaceReport> {
  const { entity, partition } = options
  await options.writers[0]!.write(entity, setRows(0), partition)
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
  const reads = await readWhile(options.readers, entity, partition, writing, (rows) => {
    const verdict = classifyRead(rows)
    if ('problem' in verdict) return verdict.problem
    if (!written.has(verdict.set)) return `set ${verdict.set} was never written`
    seen.add(verdict.set)
    return undefined
  })
  await writing
  return { ...reads, writes, writeErrors, firstWriteErrors, setsSeen: seen.size }
}

/** What a race of overwrites with reads came to, as a test compares it with `cleanRace`. */
export function raceOutcome(report: RaceReport) {
  return {
    writes: report.writes,
    writeErrors: report.writeErrors,
    badReads: report.problems,
    readErrors: report.errors,
    everyReadGood: report.good === report.reads,
    // Readers saw the partition change under them, so the race really happened.
    severalSetsSeen: report.setsSeen > 1,
  }
}

/** The outcome of `writers` x `overwrites` racing with readers when nothing went wrong. */
export function cleanRace(writers: number, overwrites: number): ReturnType<typeof raceOutcome> {
  return { writes: 1 + writers * overwrites, writeErrors: {}, badReads: [], readErrors: {}, everyReadGood: true, severalSetsSeen: true }
}

/** The set that writer `writer` writes on its `n`th overwrite (n from 1). */
export function overwriteSet(writer: number, n: number): number {
  return (writer + 1) * 1000 + n
}

/**
 * Starts one writer process per op list (`writer-process.mjs`, built package), waits until every
 * one is ready, then lets them all go at once. Resolves with each writer's run when all have exited.
 */
export async function startWriterProcesses(
  backend: WriterBackend,
  entity: string,
  partition: Record<string, string | number>,
  opLists: readonly PlannedOp[][],
): Promise<{ finished: Promise<WriterRun[]> }> {
  const runs = opLists.map((ops) => {
    let signalReady: () => void = () => {}
    const ready = new Promise<void>((resolve) => {
      signalReady = resolve
    })
    const config = { backend, entity, partition, ops, waitForGo: true, exitWhenDone: true }
    const spawned = spawnWriter(config, (line) => {
      if (line === 'ready') signalReady()
    })
    return { ...spawned, ready }
  })
  await Promise.all(runs.map((r) => Promise.race([r.ready, r.finished])))
  for (const run of runs) run.child.stdin!.write('go\n')
  return { finished: Promise.all(runs.map((r) => r.finished)) }
}

/** What went wrong in writer processes: non-zero exits, stderr, `error` lines. */
export function writerFailures(runs: readonly WriterRun[]): string[] {
  return runs.flatMap((run, i) => [
    ...(run.exitCode === 0 ? [] : [`writer ${i} exited with ${run.exitCode ?? run.signal}`]),
    ...(run.stderr === '' ? [] : [`writer ${i} stderr: ${run.stderr.slice(0, 300)}`]),
    ...run.lines.filter((l) => l.startsWith('error ')).map((l) => `writer ${i}: ${l.slice(0, 400)}`),
  ])
}

/** Writer `writer`'s appends, as ops for a writer process. */
export function appendOps(writer: number, batches: number): PlannedOp[] {
  return Array.from({ length: batches }, (_, batch) => ({
    op: writer * 1000 + batch,
    mode: 'append' as const,
    rows: batchRows(writer, batch),
  }))
}

/** Writer `writer`'s overwrites with sets 1..count, as ops for a writer process. */
export function overwriteOps(writer: number, count: number): PlannedOp[] {
  return Array.from({ length: count }, (_, i) => ({
    op: overwriteSet(writer, i + 1),
    mode: 'overwrite' as const,
    rows: setRows(overwriteSet(writer, i + 1)),
  }))
}
