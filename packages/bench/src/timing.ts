/** Median wall time in ms of `runs` calls after `warmup` unmeasured ones; the last result too. */
export async function median<T>(runs: number, fn: () => Promise<T>, warmup = 1): Promise<{ ms: number; result: T }> {
  let result: T | undefined
  for (let i = 0; i < warmup; i++) result = await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    result = await fn()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)]!, result: result as T }
}
