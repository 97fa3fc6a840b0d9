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

/**
 * Medians in ms of `runs` calls each of `a` and `b`, alternating, after one unmeasured call of each:
 * load from elsewhere that comes and goes then falls on both alike.
 */
export async function alternatingMedians(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: number; b: number }> {
  const times = { a: [] as number[], b: [] as number[] }
  const timed = async (fn: () => Promise<unknown>, into: number[]) => {
    const started = performance.now()
    await fn()
    into.push(performance.now() - started)
  }
  await a()
  await b()
  for (let i = 0; i < runs; i++) {
    await timed(a, times.a)
    await timed(b, times.b)
  }
  const mid = (list: number[]) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)]!
  return { a: mid(times.a), b: mid(times.b) }
}
