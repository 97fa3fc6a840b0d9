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
 * needed, so I/O overlaps work. A consumer that stops early closes every open source. `sources`
 * is iterated only as sources are opened, so it may be lazy.
 */
export async function* concatAhead<T>(sources: Iterable<() => AsyncGenerator<T>>, ahead = 1): AsyncGenerator<T> {
  const opened: { items: AsyncGenerator<T>; first: Promise<IteratorResult<T>> }[] = []
  const pending = sources[Symbol.iterator]()
  let more = true
  const openUpTo = (count: number) => {
    while (opened.length < count && more) {
      const step = pending.next()
      if (step.done) {
        more = false
        break
      }
      const items = step.value()
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
    if (more) pending.return?.()
    await Promise.allSettled(opened.map((source) => source.items.return(undefined)))
  }
}

/**
 * Runs `fn` over the items of `source` at most `limit` at once, starting as soon as the first item
 * arrives. The source is read to its end as fast as it yields (a listing is not held back by the
 * work it feeds); items wait in memory for a free slot. As with `mapConcurrent`, after the first
 * failure nothing new starts and the call rejects once the calls in flight settle.
 */
export async function forEachConcurrent<T>(source: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue: T[] = []
  let head = 0
  let ended = false
  let failure: { error: unknown } | undefined
  let waiting: (() => void)[] = []
  const wakeAll = () => {
    const woken = waiting
    waiting = []
    for (const wake of woken) wake()
  }
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      if (head === queue.length) {
        if (ended) return
        await new Promise<void>((resolve) => waiting.push(resolve))
        continue
      }
      const item = queue[head]!
      queue[head++] = undefined as T
      try {
        await fn(item)
      } catch (error) {
        failure ??= { error }
        wakeAll()
      }
    }
  }
  const workers = Array.from({ length: limit }, worker)
  try {
    for await (const item of source) {
      if (failure !== undefined) break
      queue.push(item)
      waiting.shift()?.()
    }
  } catch (error) {
    failure ??= { error }
  } finally {
    ended = true
    wakeAll()
  }
  await Promise.all(workers)
  if (failure !== undefined) throw failure.error
}

/** At most `size` holders at a time; the others wait their turn, in order. */
export class Slots {
  private free: number
  private readonly waiting: (() => void)[] = []

  constructor(size: number) {
    this.free = size
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  give(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.free++
  }
}
