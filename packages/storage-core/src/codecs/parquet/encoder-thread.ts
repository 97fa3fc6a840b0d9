/**
 * A second thread for the Parquet writer. Number columns are typed arrays, which cost little to
 * send, so they are encoded and compressed there while the writing thread encodes the others:
 * strings above all, which only the thread that holds them can read without copying each one.
 * One thread serves the process. It is started by the first file large enough to share, which is
 * encoded here meanwhile, and it does not keep the process alive when idle.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ColumnValues } from '../column-values.js'
import type { ColumnSpec } from './columns.js'
import type { ChunkMeta } from './pages.js'
import type { EncodedChunks } from './write.js'

/** Number values a row group must have to share them: below this, sending costs more than it saves. */
export const SHARE_MIN_VALUES = 32_768
/** What a column left here weighs against a number column sent, in time to encode (strings: about 2). */
const KEPT_WEIGHT = 2

/**
 * Columns of one row group for the thread: rows [0, rows) of each, laid out in `input` as
 * `sharedColumns` reads them. Both buffers are shared, not copied, and reused from job to job,
 * so a job allocates nothing either thread must collect; `output` is where the thread puts the
 * chunks (a larger one comes back when they do not fit).
 */
export interface EncodeJob {
  specs: ColumnSpec[]
  rows: number
  codec: number
  input: SharedArrayBuffer
  output: SharedArrayBuffer
}

export type EncodeReply = { length: number; chunks: ChunkMeta[]; output: SharedArrayBuffer | undefined } | { error: string }

/** Columns the thread took (their positions in the row group) and what it gives back. */
export interface SharedColumns {
  columns: number[]
  /** The chunks: `bytes` is valid until `release`. */
  encoded: Promise<EncodedChunks>
  /** The chunks are copied out: the thread may take more. */
  release(): void
}

/** Views of `count` columns of `rows` values in `buffer`: every column's `defined` bytes, then every column's numbers. */
export function sharedColumns(buffer: SharedArrayBuffer, count: number, rows: number): ColumnValues[] {
  const definedBytes = Math.ceil(rows / 8) * 8
  return Array.from({ length: count }, (_, k) => ({
    defined: new Uint8Array(buffer, k * definedBytes, rows),
    numbers: new Float64Array(buffer, count * definedBytes + k * rows * 8, rows),
    items: undefined,
    wide: false,
  }))
}

function sharedBytes(count: number, rows: number): number {
  return count * (Math.ceil(rows / 8) * 8 + rows * 8)
}

export class EncoderThread {
  private worker: Worker | undefined
  private started: Promise<boolean> | undefined
  private ready = false
  private broken: boolean
  /** A job is under way, or its chunks are not yet copied out. */
  private lent = false
  private waiting: { resolve: (chunks: EncodedChunks) => void; reject: (error: Error) => void } | undefined
  private input = new SharedArrayBuffer(0)
  private output = new SharedArrayBuffer(0)
  /** Column chunks the thread has encoded. */
  encodedColumns = 0

  constructor(private readonly script: URL) {
    // One core: a second thread would only take turns with this one.
    this.broken = availableParallelism() < 2
  }

  /**
   * Sends some number columns of rows [start, end) to the thread, about as many as balance the
   * columns left here. Nothing is sent (undefined) while the thread is starting or busy with
   * another file, when it has failed, or when the group is too small to gain from it.
   */
  take(specs: readonly ColumnSpec[], values: readonly ColumnValues[], start: number, end: number, codec: number): SharedColumns | undefined {
    if (this.broken || this.lent) return undefined
    const numeric = specs.flatMap((spec, j) => (isTypedOnly(spec, values[j]!) ? [j] : []))
    const rows = end - start
    if (rows * numeric.length < SHARE_MIN_VALUES) return undefined
    if (!this.ready) {
      void this.start()
      return undefined
    }
    // Each number column goes to the side with less to do so far.
    let here = (specs.length - numeric.length) * KEPT_WEIGHT
    let there = 0
    const columns: number[] = []
    for (const j of numeric) {
      if (there <= here) {
        columns.push(j)
        there++
      } else {
        here++
      }
    }
    const bytes = sharedBytes(columns.length, rows)
    if (this.input.byteLength < bytes) this.input = new SharedArrayBuffer(bytes + (bytes >> 2))
    const sent = sharedColumns(this.input, columns.length, rows)
    for (const [k, j] of columns.entries()) {
      sent[k]!.defined.set(values[j]!.defined.subarray(start, end))
      sent[k]!.numbers!.set(values[j]!.numbers!.subarray(start, end))
    }
    this.lent = true
    const encoded = new Promise<EncodedChunks>((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
    const job: EncodeJob = { specs: columns.map((j) => specs[j]!), rows, codec, input: this.input, output: this.output }
    // The process waits for the answer while one is due, and only then.
    this.worker!.ref()
    this.worker!.postMessage(job)
    return {
      columns,
      encoded,
      release: () => {
        this.lent = false
      },
    }
  }

  /** Stops the thread; later files are encoded on the writing thread alone. */
  async stop(): Promise<void> {
    this.broken = true
    await this.worker?.terminate()
  }

  /** Starts the thread if it is not yet started: whether it is ready to take columns. */
  start(): Promise<boolean> {
    if (this.broken) return Promise.resolve(false)
    this.started ??= new Promise<boolean>((settle) => {
      // A small young generation: the thread allocates little that lives, and each MB is RSS.
      const worker = new Worker(this.script, { resourceLimits: { maxYoungGenerationSizeMb: 2 } })
      this.worker = worker
      worker.unref()
      worker.on('message', (message: 'ready' | EncodeReply) => {
        if (message === 'ready') {
          this.ready = true
          settle(true)
          return
        }
        worker.unref()
        const waiting = this.waiting
        this.waiting = undefined
        if ('error' in message) {
          waiting?.reject(new Error(message.error))
          return
        }
        if (message.output) this.output = message.output
        this.encodedColumns += message.chunks.length
        waiting?.resolve({ bytes: new Uint8Array(this.output, 0, message.length), chunks: message.chunks })
      })
      const fail = (error: Error) => {
        this.broken = true
        this.waiting?.reject(error)
        this.waiting = undefined
        settle(false)
      }
      // The script is missing when core runs from its TypeScript sources (its own tests).
      worker.on('error', fail)
      worker.on('exit', (code) => fail(new Error(`the Parquet encoder thread stopped (exit code ${code})`)))
    })
    return this.started
  }
}

/** A column the thread can encode from its typed arrays alone. */
function isTypedOnly(spec: ColumnSpec, values: ColumnValues): boolean {
  const { type } = spec
  return type === 'int' || type === 'float' || type === 'timestamp' || type === 'boolean' || (type === 'bigint' && !values.wide)
}

/** The process's encoder thread. */
export const encoderThread = new EncoderThread(new URL('./encode-worker.js', import.meta.url))
