import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

/**
 * `moto_server` as its `main()` builds it, with one change: requests are handled one at a time.
 * moto checks `If-None-Match: *` and then stores the object as two steps, and `moto_server` runs a
 * thread per request, so two PUTs of one new key can both pass the check and the second replace
 * the first, losing an acknowledged write. S3 makes the check
 * and the write one step; a lock around each request gives moto that atomicity.
 */
const SERIALIZED_MOTO = `
import sys, threading
from werkzeug.serving import run_simple
from moto.server import DomainDispatcherApplication, create_backend_app
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))
run_simple(sys.argv[1], int(sys.argv[2]), one_at_a_time, threaded=True)
`
const START_TIMEOUT_MS = 60_000

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Resolves once `GET /` answers, rejects if the process exits first or the time runs out. */
async function answering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`moto exited (${code ?? signal}) before answering: ${output()}`))),
  )
  const deadline = Date.now() + START_TIMEOUT_MS
  const poll = async () => {
    for (;;) {
      try {
        const response = await fetch(`${endpoint}/`)
        await response.arrayBuffer()
        return
      } catch {
        if (Date.now() > deadline) throw new Error(`moto did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms: ${output()}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
  await Promise.race([poll(), exited])
}

/** Starts moto (installed on the test machines; see SERIALIZED_MOTO) on a free port of 127.0.0.1. */
export async function startMotoProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('python3', ['-c', SERIALIZED_MOTO, '127.0.0.1', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000)
  })
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject))
  try {
    await Promise.race([answering(endpoint, child, () => stderr), spawnFailed])
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
