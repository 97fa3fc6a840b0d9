/** The worker that encodes number column chunks for `chunk-pool.ts`. */
import { parentPort } from 'node:worker_threads'
import { type ChunkJob, encodeChunkJob } from './chunk-job.js'
import { WriterState } from './writer-state.js'

const state = new WriterState()

parentPort!.on('message', ({ id, job }: { id: number; job: ChunkJob }) => {
  try {
    const encoded = encodeChunkJob(state, job)
    parentPort!.postMessage({ id, encoded }, [encoded.bytes.buffer as ArrayBuffer])
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message })
  }
})
