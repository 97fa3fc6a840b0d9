/**
 * What to do when the user presses Ctrl-C (SIGINT) or the process is asked to stop (SIGTERM):
 * each registered step runs synchronously (restore the terminal, remove a temporary file, say what
 * was done), then the process exits 130 or 143 as shells expect. With no step registered the
 * signals keep their default behaviour.
 */
const steps = new Set<() => void>()

const handlers = {
  SIGINT: () => stop(130),
  SIGTERM: () => stop(143),
} as const

function stop(code: number): void {
  for (const step of [...steps].reverse()) {
    try {
      step()
    } catch {
      // One failing step must not keep the others (or the exit) from running.
    }
  }
  process.exit(code)
}

/** Registers `step`; the returned function unregisters it. */
export function onInterrupt(step: () => void): () => void {
  if (steps.size === 0) for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler)
  steps.add(step)
  return () => {
    steps.delete(step)
    if (steps.size === 0) for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler)
  }
}
