// The concurrency scenarios that run writers in separate processes, shared by the adapters' tests.
import type { StorageBackend } from '@cfb/storage-core'
import {
  APPENDS_PER_WRITER,
  appendOutcome,
  batchRows,
  batchTable,
  checkAppendSnapshot,
  oneWrittenSet,
  overwriteSet,
  type RaceReport,
  readWhile,
  setRows,
  WRITERS,
} from './concurrent-writes.js'
import type { PlannedOp } from './crash-plan.js'
import { startWriterProcesses, type WriterBackend, type WriterRun, writerFailures } from './writer-processes.js'

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

interface ProcessScenario {
  /** What each writer process opens. */
  backend: WriterBackend
  /** A backend of this process on the same root, for setup and the final read. */
  open: () => StorageBackend
  readers: readonly StorageBackend[]
  entity: string
  partition: Record<string, string | number>
}

/** Writes that returned, by the `done` lines the writers printed. */
function writesDone(runs: readonly WriterRun[]): number {
  return runs.reduce((n, run) => n + run.lines.filter((l) => l.startsWith('done ')).length, 0)
}

/**
 * `WRITERS` processes each append `APPENDS_PER_WRITER` batches to a created table, started
 * together, while `readers` read the partition; then one read of it all.
 */
export async function appendFromProcesses(scenario: ProcessScenario) {
  const { entity, partition } = scenario
  await scenario.open().createTable(entity, batchTable(partition))
  const opLists = Array.from({ length: WRITERS }, (_, writer) => appendOps(writer, APPENDS_PER_WRITER))
  const { finished } = await startWriterProcesses(scenario.backend, entity, partition, opLists)
  const reads = await readWhile(scenario.readers, entity, partition, finished, checkAppendSnapshot)
  const runs = await finished
  const outcome = await appendOutcome(scenario.open(), entity, partition, reads)
  return { writerFailures: writerFailures(runs), appendsDone: writesDone(runs), outcome, reads }
}

/**
 * `writers` processes each overwrite the partition `overwrites` times with distinct full sets,
 * after a first set written here, while `readers` check every read is one set that was written.
 */
export async function overwriteFromProcesses(
  scenario: ProcessScenario & { writers: number; overwrites: number; keepRemovedFilesMs?: number },
): Promise<{ writerFailures: string[]; report: RaceReport }> {
  const { entity, partition, keepRemovedFilesMs } = scenario
  await scenario.open().write(entity, setRows(0), partition, keepRemovedFilesMs === undefined ? {} : { table: { keepRemovedFilesMs } })
  const opLists = Array.from({ length: scenario.writers }, (_, writer) => overwriteOps(writer, scenario.overwrites))
  const written = new Set([0, ...opLists.flat().map((op) => op.op)])
  const { finished } = await startWriterProcesses(scenario.backend, entity, partition, opLists)
  const seen = new Set<number>()
  const reads = await readWhile(scenario.readers, entity, partition, finished, oneWrittenSet(written, seen))
  const runs = await finished
  const writes = 1 + writesDone(runs)
  return { writerFailures: writerFailures(runs), report: { ...reads, writes, writeErrors: {}, firstWriteErrors: [], setsSeen: seen.size } }
}
