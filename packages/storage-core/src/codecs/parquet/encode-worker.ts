/** The encoder thread's script: encodes the column chunks it is sent, one job at a time. */
import { parentPort } from 'node:worker_threads'
import { type EncodeJob, type EncodeReply, sharedColumns } from './encoder-thread.js'
import { Sink } from './sink.js'
import { encodeChunks } from './write.js'
import { WriterState } from './writer-state.js'

const port = parentPort!
const state = new WriterState()
const sink = new Sink()

port.on('message', (job: EncodeJob) => {
  try {
    sink.length = 0
    const chunks = encodeChunks(sink, state, job.specs, sharedColumns(job.input, job.specs.length, job.rows), 0, job.rows, job.codec)
    const grown = job.output.byteLength < sink.length ? new SharedArrayBuffer(sink.length + (sink.length >> 2)) : undefined
    new Uint8Array(grown ?? job.output, 0, sink.length).set(sink.written())
    port.postMessage({ length: sink.length, chunks, output: grown } satisfies EncodeReply)
  } catch (error) {
    port.postMessage({ error: (error as Error).message } satisfies EncodeReply)
  }
})
port.postMessage('ready')
