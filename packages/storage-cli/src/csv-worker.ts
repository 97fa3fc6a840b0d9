/**
 * The worker of `csvOnTwoThreads`: takes files of the read from the shared counter and sends
 * their CSV lines back, each chunk tagged with its file, waiting while `heldBytes` of them are
 * unwritten.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { StorageError } from '@cfb/storage-core'
import { closeBackend, openBackend } from './backend-spec.js'
import { type CsvShardJob, type CsvShardMessage, csvOfTakenFiles } from './csv-on-two-threads.js'

const port = parentPort!
const job = workerData as CsvShardJob
let unwritten = 0
let written: (() => void) | undefined
// The main thread says how many bytes it has written.
port.on('message', (bytes: number) => {
  unwritten -= bytes
  written?.()
})

const send = (message: CsvShardMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)

try {
  const backend = await openBackend(job.spec, job.env)
  try {
    for await (const lines of csvOfTakenFiles(backend, job, job.counter)) {
      unwritten += lines.bytes.length
      // The encoder's buffer is its own, never Node's shared pool: it moves, uncopied.
      send(lines, [lines.bytes.buffer as ArrayBuffer])
      while (unwritten > job.heldBytes) await new Promise<void>((resolve) => (written = resolve))
    }
  } finally {
    closeBackend(backend)
  }
  send({ end: true })
} catch (error) {
  const { code, key } = error instanceof StorageError ? error : { code: undefined, key: undefined }
  send({ error: { code, message: error instanceof Error ? error.message : String(error), key } })
}
port.close()
