// Writer processes (`writer-process.mjs`, importing an adapter's built package) for the crash and
// concurrency tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { PlannedOp } from './crash-plan.js'

/** The storage a writer process opens: `new (await import(module))[className](options)`. */
export interface WriterBackend {
  /** URL of the adapter's built entry point (the writer imports the built package). */
  module: string
  className: string
  options: Record<string, unknown>
}

export interface WriterRun {
  lines: string[]
  stderr: string
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** Set when the trigger never fired and the watchdog had to kill the writer. */
  timedOut: boolean
}

const live = new Set<ChildProcess>()

/** Kills any writer still running (for afterAll). */
export function killAllWriters(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
}

/** The one writer script every adapter's crash and concurrency tests run. */
const WRITER_SCRIPT = fileURLToPath(new URL('../writer-process.mjs', import.meta.url))

/** Spawns a writer with `config` and collects its output until it exits. */
export function spawnWriter(
  config: Record<string, unknown> & { backend: WriterBackend },
  onLine: (line: string, child: ChildProcess) => void = () => {},
): { child: ChildProcess; finished: Promise<WriterRun> } {
  const child = spawn(process.execPath, [WRITER_SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // The parent's NODE_OPTIONS are for jest (vm modules); the writer needs none of them. Process
    // warnings (the AWS SDK's about Node 20) are not failures; anything else on stderr is.
    env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
  })
  live.add(child)
  const lines: string[] = []
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk
  })
  const reader = createInterface({ input: child.stdout! })
  reader.on('line', (line) => {
    lines.push(line)
    onLine(line, child)
  })
  const stdoutClosed = new Promise<void>((resolve) => reader.once('close', resolve))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject))
  const finished = Promise.race([Promise.all([exited, stdoutClosed]), spawnFailed]).then(([exit]) => {
    live.delete(child)
    child.stdin?.destroy()
    return { lines, stderr, exitCode: exit.code, signal: exit.signal, timedOut: false }
  })
  return { child, finished }
}

/**
 * Starts one writer process per op list (`writer-process.mjs`, built package), waits until every
 * one is ready, then lets them all go at once. Resolves with each writer's run when all have exited.
 */
export async function startWriterProcesses(
  backend: WriterBackend,
  entity: string,
  partition: Record<string, string | number>,
  opLists: readonly PlannedOp[][],
): Promise<{ finished: Promise<WriterRun[]> }> {
  const runs = opLists.map((ops) => {
    let signalReady: () => void = () => {}
    const ready = new Promise<void>((resolve) => {
      signalReady = resolve
    })
    const config = { backend, entity, partition, ops, waitForGo: true, exitWhenDone: true }
    const spawned = spawnWriter(config, (line) => {
      if (line === 'ready') signalReady()
    })
    return { ...spawned, ready }
  })
  await Promise.all(runs.map((r) => Promise.race([r.ready, r.finished])))
  for (const run of runs) run.child.stdin!.write('go\n')
  return { finished: Promise.all(runs.map((r) => r.finished)) }
}

/** What went wrong in writer processes: non-zero exits, stderr, `error` lines. */
export function writerFailures(runs: readonly WriterRun[]): string[] {
  return runs.flatMap((run, i) => [
    ...(run.exitCode === 0 ? [] : [`writer ${i} exited with ${run.exitCode ?? run.signal}`]),
    ...(run.stderr === '' ? [] : [`writer ${i} stderr: ${run.stderr.slice(0, 300)}`]),
    ...run.lines.filter((l) => l.startsWith('error ')).map((l) => `writer ${i}: ${l.slice(0, 400)}`),
  ])
}
