import type { ColumnValues } from '../column-values.js'
import { type ColumnSpec, columnChunk } from './columns.js'
import { type ChunkMeta, writeChunk } from './pages.js'
import { Sink } from './sink.js'
import type { WriterState } from './writer-state.js'

/** Column chunks of one row group to encode elsewhere: number columns, their rows from 0. */
export interface ChunkJob {
  codec: number
  rows: number
  columns: { spec: ColumnSpec; defined: Uint8Array; numbers: Float64Array }[]
}

/** A chunk's metadata without its values, offsets counted from the first byte of `EncodedChunks.bytes`. */
export type ChunkPlacement = Omit<ChunkMeta, 'column'>

/** The chunks of a job, back to back in one buffer. */
export interface EncodedChunks {
  bytes: Uint8Array
  chunks: ChunkPlacement[]
}

/** Encodes a job's chunks into one buffer of their own (the result owns it: it can be transferred). */
export function encodeChunkJob(state: WriterState, job: ChunkJob): EncodedChunks {
  const sink = new Sink(Math.max(1 << 12, job.rows * job.columns.length * 4))
  const chunks = job.columns.map(({ spec, defined, numbers }) => {
    const values: ColumnValues = { defined, numbers, items: undefined, wide: false }
    const { column: _, ...placement } = writeChunk(sink, state, columnChunk(state, spec, values, 0, job.rows), job.codec)
    return placement
  })
  // A copy in an ArrayBuffer of its own: the sink's may be Buffer's shared pool, which must not
  // be transferred (Node 24 refuses it; Node 20 would detach the pool under every other Buffer).
  return { bytes: new Uint8Array(sink.written()), chunks }
}
