/** The worker that encodes number column chunks for `chunk-pool.ts`. */
import { parentPort } from 'node:worker_threads'
import { type ChunkJob, type EncodedChunks, encodeJobColumn } from './chunk-job.js'
import { Sink } from './sink.js'
import { WriterState } from './writer-state.js'

const state = new WriterState()
// Reused from job to job: what a job wrote is copied to its output.
const sink = new Sink()

// A job answered without chunks is encoded by the caller: one the encoder refused (the caller's
// encoder then throws the error on its own thread), or whose chunks do not fit its output (`set`
// throws a RangeError).
parentPort!.on('message', ({ id, job }: { id: number; job: ChunkJob }) => {
  let encoded: EncodedChunks | undefined
  try {
    sink.length = 0
    const chunks = job.columns.map((_, k) => encodeJobColumn(state, job, k, sink))
    job.output.set(sink.written())
    encoded = { chunks }
  } catch {
    encoded = undefined
  }
  parentPort!.postMessage({ id, encoded })
})
