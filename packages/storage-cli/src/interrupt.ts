/**
 * What to do when the user presses Ctrl-C (SIGINT) or the process is asked to stop (SIGTERM):
 * each registered step runs (restore the terminal, remove a temporary file, let writes in flight
 * land, say what was done), then the process exits 130 or 143 as shells expect. A step may return
 * a promise; a second signal while one is pending exits at once. With no step registered the
 * signals keep their default behaviour.
 */
const steps = new Set<() => void | Promise<void>>()

const handlers = {
  SIGINT: () => stop(130),
  SIGTERM: () => stop(143),
} as const

let stopping = false

function stop(code: number): void {
  if (stopping) process.exit(code)
  stopping = true
  const pending: Promise<void>[] = []
  for (const step of [...steps].reverse()) {
    try {
      const result = step()
      if (result) pending.push(result.catch(() => {}))
    } catch {
      // One failing step must not keep the others (or the exit) from running.
    }
  }
  if (pending.length === 0) process.exit(code)
  void Promise.all(pending).then(() => process.exit(code))
}

/** Registers `step`; the returned function unregisters it. */
export function onInterrupt(step: () => void | Promise<void>): () => void {
  if (steps.size === 0) for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler)
  steps.add(step)
  return () => {
    steps.delete(step)
    if (steps.size === 0) for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler)
  }
}
