/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep input order.
 * After the first failure no new item starts, and the call rejects once those in flight settle,
 * so nothing keeps running behind a caller that has already seen the error.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && failure === undefined) {
      const index = next++
      try {
        results[index] = await fn(items[index]!, index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure !== undefined) throw failure.error
  return results
}

/**
 * The items of each source in turn, with up to `ahead` following sources opened while the current
 * one is consumed: their first items (their first reads) are under way by the time they are
 * needed, so I/O overlaps work. A consumer that stops early closes every open source.
 */
export async function* concatAhead<T>(sources: readonly (() => AsyncGenerator<T>)[], ahead = 1): AsyncGenerator<T> {
  const opened: { items: AsyncGenerator<T>; first: Promise<IteratorResult<T>> }[] = []
  let next = 0
  const openUpTo = (count: number) => {
    while (opened.length < count && next < sources.length) {
      const items = sources[next++]!()
      const first = items.next()
      first.catch(() => {}) // seen when it is awaited, in order
      opened.push({ items, first })
    }
  }
  try {
    openUpTo(1)
    while (opened.length > 0) {
      const current = opened[0]!
      let step = await current.first
      openUpTo(1 + ahead)
      while (!step.done) {
        yield step.value
        step = await current.items.next()
      }
      opened.shift()
      openUpTo(1)
    }
  } finally {
    await Promise.allSettled(opened.map((source) => source.items.return(undefined)))
  }
}
