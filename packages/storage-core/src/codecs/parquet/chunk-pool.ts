import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ChunkJob, EncodedChunks } from './chunk-job.js'

/**
 * One worker thread that encodes number column chunks while the main thread reads the next
 * records and encodes the string columns: the second core for writes of many files. It is
 * started on first use, holds the process open only while a job is pending, and ends after a
 * while without work, so a process that writes once does not keep its memory.
 */
const IDLE_MS = 2000
const SCRIPT = new URL('./chunk-worker.js', import.meta.url)

/** A job's answer: undefined when the worker could not encode it (the caller encodes it). */
type Pending = (encoded: EncodedChunks | undefined) => void

/** The worker once it runs; undefined when none can (no built script, as under a TypeScript test runner). */
let ready: Promise<Worker | undefined> | undefined
/** The running worker: jobs are posted to it at once, while the caller goes on encoding. */
let running: Worker | undefined
let unavailable = false
let nextId = 0
const pending = new Map<number, Pending>()
let idle: NodeJS.Timeout | undefined

function start(): Promise<Worker | undefined> {
  if (unavailable) return Promise.resolve(undefined)
  if (ready) return ready
  if (!scriptExists()) {
    unavailable = true
    return Promise.resolve(undefined)
  }
  const starting = new Promise<Worker | undefined>((resolve) => {
    // Not the process's own flags (`--input-type`, loaders, ...): the worker runs one plain module.
    const worker = new Worker(SCRIPT, { execArgv: [] })
    worker.unref()
    let online = false
    worker.once('online', () => {
      online = true
      running = worker
      resolve(worker)
    })
    worker.on('message', ({ id, encoded }: { id: number; encoded?: EncodedChunks }) => {
      const job = pending.get(id)
      if (!job) return
      pending.delete(id)
      if (pending.size === 0) rest(worker)
      job(encoded)
    })
    // A worker that cannot start, or dies, leaves its jobs and later writes to this thread: the
    // jobs' arrays are shared, so nothing went with it.
    const fail = () => {
      unavailable = true
      ready = undefined
      running = undefined
      if (!online) resolve(undefined)
      for (const job of pending.values()) job(undefined)
      pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', () => {
      if (pending.size > 0 || !online) fail()
    })
  })
  ready = starting
  return starting
}

/** The built worker script beside this module: not there when run from source or bundled. */
function scriptExists(): boolean {
  try {
    return SCRIPT.protocol === 'file:' && existsSync(fileURLToPath(SCRIPT))
  } catch {
    return false
  }
}

/** No job pending: the process may exit, and the worker ends if none comes for a while. */
function rest(worker: Worker): void {
  worker.unref()
  clearTimeout(idle)
  idle = setTimeout(() => {
    if (pending.size > 0) return
    ready = undefined
    running = undefined
    void worker.terminate()
  }, IDLE_MS)
  idle.unref()
}

/**
 * `job` encoded on the worker; undefined when no worker runs here or it failed (the caller encodes
 * the job). The worker reads the job's arrays in place: the caller keeps them unchanged until then.
 */
export function encodeElsewhere(job: ChunkJob): Promise<EncodedChunks | undefined> {
  if (running) return post(running, job)
  return start().then((worker) => (worker ? post(worker, job) : undefined))
}

function post(worker: Worker, job: ChunkJob): Promise<EncodedChunks | undefined> {
  const id = nextId++
  return new Promise((resolve) => {
    if (pending.size === 0) {
      clearTimeout(idle)
      worker.ref()
    }
    pending.set(id, resolve)
    // No transfer: the arrays are views of shared memory.
    worker.postMessage({ id, job })
  })
}
