import { type ColumnValues, scratchBytes } from '../column-values.js'
import { type ColumnSpec, columnChunk } from './columns.js'
import { type ChunkMeta, writeChunk } from './pages.js'
import type { Sink } from './sink.js'
import type { WriterState } from './writer-state.js'

/** Number column chunks of one row group for the worker: their arrays are views of shared memory. */
export interface ChunkJob {
  codec: number
  rows: number
  /** Rows from 0. */
  columns: { spec: ColumnSpec; defined: Uint8Array; numbers: Float64Array }[]
  /** Shared memory the worker writes its chunks into: no buffer is made per job. */
  output: Uint8Array
}

/** A chunk's metadata without its values, offsets counted from the first byte of the buffer it was encoded into. */
export type ChunkPlacement = Omit<ChunkMeta, 'column'>

/** The job's chunks, back to back in its `output`. */
export interface EncodedChunks {
  chunks: ChunkPlacement[]
}

/**
 * A job over `values`' columns `at`, rows [start, end): those columns' arrays must be shared
 * memory. Its `output` goes back with `recycleBytes` once the job is done with.
 */
export function chunkJob(codec: number, specs: readonly ColumnSpec[], values: readonly ColumnValues[], at: readonly number[], start: number, end: number): ChunkJob {
  const rows = end - start
  return {
    codec,
    rows,
    columns: at.map((j) => ({ spec: specs[j]!, defined: values[j]!.defined.subarray(start, end), numbers: values[j]!.numbers!.subarray(start, end) })),
    // Room for plain values and levels, and page headers besides: a job that needs more (none
    // we know of) is encoded by the caller.
    output: scratchBytes(at.length * (rows * 9 + 4096)),
  }
}

/** Whether a column's arrays can be read by the worker without a copy. */
export function isShared(values: ColumnValues): boolean {
  return values.numbers !== undefined && values.numbers.buffer instanceof SharedArrayBuffer && values.defined.buffer instanceof SharedArrayBuffer
}

/** Encodes column `k` of the job into `sink`. */
export function encodeJobColumn(state: WriterState, job: ChunkJob, k: number, sink: Sink): ChunkPlacement {
  const { spec, defined, numbers } = job.columns[k]!
  const values: ColumnValues = { defined, numbers, items: undefined, wide: false }
  const { column: _, ...placement } = writeChunk(sink, state, columnChunk(state, spec, values, 0, job.rows), job.codec)
  return placement
}
