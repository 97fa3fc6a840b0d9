/**
 * CSV of a large read on two cores: this thread and a worker each take the read's next file from
 * one shared counter, read and encode it, and this thread writes the lines of every file in the
 * order one reader would, so the bytes are the same. Neither thread waits for the other's files:
 * lines that come early are held until the files before them are written.
 */
import { Worker } from 'node:worker_threads'
import { CsvColumnsEncoder, type Env, type Filters, type ObjectStorage, StorageError, type StorageErrorCode } from '@cfb/storage-core'
import type { ByteSink } from './row-output.js'

/**
 * Reads smaller than this stay on one thread. A worker sends its first lines about 0.5 s after it
 * is started (an isolate, the modules, the table's snapshot, a file), and the main thread reads
 * alone until then: on this repository's 2-core machine, 8 MB of the bench's plays (8.3 MB, three
 * seasons) were no faster on two threads, 14 MB were 10-15% faster, 25 MB 25% faster.
 */
export const TWO_THREADS_MIN_BYTES = 16 * 1024 * 1024
/** Lines of one thread held unwritten, past which it waits (the worker for this thread's word). */
const HELD_BYTES = 16 * 1024 * 1024

export interface CsvRead {
  spec: string
  env: Env
  entity: string
  filters: Filters
  columns: string[] | undefined
  version: number
}

/** What the worker is given. */
export interface CsvShardJob extends CsvRead {
  /** The next file position to take, shared by both threads. */
  counter: Int32Array
  /** Bytes sent and not yet written, past which the worker waits. */
  heldBytes: number
}

/** What the worker sends: CSV lines of one file, its end, or why it stopped. */
export type CsvShardMessage =
  | { file: number; names: string[]; bytes: Uint8Array }
  | { end: true }
  | { error: { code: string | undefined; message: string; key: string | undefined } }

/** File positions taken from `counter` one at a time, as a read reaches them (a scan's `files`). */
function* claims(counter: Int32Array): Generator<number> {
  for (;;) yield Atomics.add(counter, 0, 1)
}

/** CSV lines of the files this thread takes from `counter`, a slice at a time: what both threads run. */
export async function* csvOfTakenFiles(backend: ObjectStorage, read: CsvRead, counter: Int32Array): AsyncGenerator<{ file: number; names: string[]; bytes: Uint8Array }> {
  let encoder: CsvColumnsEncoder | undefined
  const { entity, filters, columns, version } = read
  for await (const slice of backend.scanColumns(entity, filters, { columns, version, files: claims(counter) })) {
    encoder ??= new CsvColumnsEncoder(slice.names)
    yield { file: slice.file!, names: slice.names, bytes: encoder.encode(slice) }
  }
}

const HERE = 0
const WORKER = 1
type Lines = { file: number; names: string[]; bytes: Uint8Array; from: typeof HERE | typeof WORKER }

/** Writes the read's rows to `sink` as CSV, a header first (none when there are no rows). */
export async function csvOnTwoThreads(backend: ObjectStorage, read: CsvRead, sink: ByteSink): Promise<void> {
  const counter = new Int32Array(new SharedArrayBuffer(4))
  const job: CsvShardJob = { ...read, env: { ...read.env }, counter, heldBytes: HELD_BYTES }
  const worker = new Worker(new URL('./csv-worker.js', import.meta.url), { workerData: job })
  // Lines by file; the next file to write; each thread's last file with lines (Infinity once it
  // is done): a thread's files before that one are complete, as each takes its files in order.
  const waiting = new Map<number, Lines[]>()
  let next = 0
  const latest = [-1, -1]
  // This thread's lines held unwritten (the worker counts its own from the bytes acknowledged).
  let heldHere = 0
  let failure: Error | undefined
  let heard: (() => void) | undefined
  const hear = () => new Promise<void>((resolve) => (heard = resolve))
  const woken = () => {
    heard?.()
    heard = undefined
  }
  const add = (lines: Lines) => {
    // Each thread takes its files in order, so none sends lines of a file already written past.
    if (lines.file < next) failure ??= new Error(`lines of file ${lines.file} came after file ${next} was written`)
    latest[lines.from] = lines.file
    if (lines.from === HERE) heldHere += lines.bytes.length
    const list = waiting.get(lines.file)
    if (list) list.push(lines)
    else waiting.set(lines.file, [lines])
  }
  worker.on('message', (message: CsvShardMessage) => {
    if ('error' in message) failure ??= asError(message.error)
    else if ('end' in message) latest[WORKER] = Number.POSITIVE_INFINITY
    else add({ ...message, from: WORKER })
    woken()
  })
  worker.on('error', (error) => {
    failure ??= error
    woken()
  })
  worker.on('exit', () => {
    if (latest[WORKER] !== Number.POSITIVE_INFINITY) failure ??= new StorageError('UNAVAILABLE', 'the CSV worker thread stopped before the end of the read')
    woken()
  })

  let header = false
  /** Writes what can be written in order: the next file's lines, and past it while both threads are. */
  const flush = async () => {
    for (;;) {
      if (failure) throw failure
      const list = waiting.get(next)
      while (list && list.length > 0) {
        const lines = list.shift()!
        if (!header) {
          await sink.write(new CsvColumnsEncoder(lines.names).header())
          header = true
        }
        await sink.write(lines.bytes)
        if (lines.from === WORKER) worker.postMessage(lines.bytes.length)
        else heldHere -= lines.bytes.length
      }
      if (!(latest[HERE]! > next && latest[WORKER]! > next)) return
      waiting.delete(next)
      if (waiting.size === 0 && latest[HERE] === Number.POSITIVE_INFINITY && latest[WORKER] === Number.POSITIVE_INFINITY) return
      next++
    }
  }

  try {
    for await (const lines of csvOfTakenFiles(backend, read, counter)) {
      add({ ...lines, from: HERE })
      await flush()
      while (heldHere > HELD_BYTES) {
        await hear()
        await flush()
      }
    }
    latest[HERE] = Number.POSITIVE_INFINITY
    await flush()
    while (latest[WORKER] !== Number.POSITIVE_INFINITY || waiting.size > 0) {
      if (latest[WORKER] !== Number.POSITIVE_INFINITY) await hear()
      await flush()
    }
  } finally {
    await worker.terminate()
  }
}

function asError({ code, message, key }: { code: string | undefined; message: string; key: string | undefined }): Error {
  return code === undefined ? new Error(message) : new StorageError(code as StorageErrorCode, message, { key })
}
