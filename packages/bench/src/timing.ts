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
  return { ms: middle(times), result: result as T }
}

export const middle = (list: readonly number[]): number => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)]!

/**
 * Times in ms of `runs` rounds of every function in turn, after one unmeasured round: load from
 * elsewhere that comes and goes then falls on all alike. `times[f][i]` is function f in round i.
 * `before` runs, untimed, before every call: it puts each in the same starting state. With
 * `budgetMs`, rounds that take a few milliseconds are repeated until the measured rounds take
 * about that long (up to ten times `runs`): a median of five such rounds moves with one collection
 * or compilation that falls in them.
 */
export async function alternating(
  runs: number,
  fns: readonly (() => Promise<unknown>)[],
  before: () => Promise<void> = async () => {},
  budgetMs = 0,
): Promise<{ medians: number[]; times: number[][]; rounds: number }> {
  const times = fns.map(() => [] as number[])
  const started = performance.now()
  for (const fn of fns) {
    await before()
    await fn()
  }
  const roundMs = performance.now() - started
  const rounds = budgetMs > 0 ? Math.min(10 * runs, Math.max(runs, Math.ceil(budgetMs / roundMs))) : runs
  for (let i = 0; i < rounds; i++) {
    for (const [f, fn] of fns.entries()) {
      await before()
      const started = performance.now()
      await fn()
      times[f]!.push(performance.now() - started)
    }
  }
  return { medians: times.map(middle), times, rounds }
}

/** Medians in ms of `runs` calls each of `a` and `b`, alternating, after one unmeasured call of each. */
export async function alternatingMedians(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: number; b: number }> {
  const { medians } = await alternating(runs, [a, b])
  return { a: medians[0]!, b: medians[1]! }
}
