import { describe, expect, it } from '@jest/globals'
import { concatAhead } from '../src/store/concurrency.js'

// concatAhead reads the next sources' first items while the current one is consumed (the local
// listing walks sub-folders with it): order must hold, open sources stay bounded, and nothing
// opened ahead may leak an error or stay open when the consumer stops.

/** Sources that record when each is opened, pulled and closed. */
function recorded(count: number, itemsEach: number, failAt?: { source: number; item: number }) {
  const events: string[] = []
  let open = 0
  let maxOpen = 0
  const sources = Array.from({ length: count }, (_, s) => async function* () {
    events.push(`open ${s}`)
    open++
    maxOpen = Math.max(maxOpen, open)
    try {
      for (let i = 0; i < itemsEach; i++) {
        await new Promise((resolve) => setImmediate(resolve))
        if (failAt && failAt.source === s && failAt.item === i) throw new Error(`source ${s} failed at ${i}`)
        yield `${s}.${i}`
      }
    } finally {
      open--
      events.push(`close ${s}`)
    }
  })
  return { sources, events, maxOpen: () => maxOpen, open: () => open }
}

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

describe('concatAhead', () => {
  it('yields every item in source order, with at most 1 + ahead sources open', async () => {
    const { sources, maxOpen, open } = recorded(10, 3)
    const items = await drain(concatAhead(sources, 3))
    expect(items).toEqual(Array.from({ length: 10 }, (_, s) => [0, 1, 2].map((i) => `${s}.${i}`)).flat())
    expect(maxOpen()).toBe(4)
    expect(open()).toBe(0)
  })

  it('opens the next source before the current one is finished', async () => {
    const { sources, events } = recorded(3, 3)
    const iterator = concatAhead(sources, 1)[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toBe('0.0')
    expect(events).toContain('open 1')
    expect(events).not.toContain('open 2')
    await drain({ [Symbol.asyncIterator]: () => iterator })
  })

  it('closes every open source when the consumer stops early', async () => {
    const { sources, events, open } = recorded(6, 3)
    for await (const item of concatAhead(sources, 2)) if (item === '1.1') break
    expect(open()).toBe(0)
    expect(events.filter((e) => e.startsWith('open'))).toEqual(['open 0', 'open 1', 'open 2', 'open 3'])
    expect(events.filter((e) => e.startsWith('close')).sort()).toEqual(['close 0', 'close 1', 'close 2', 'close 3'])
  })

  it('surfaces a failure of a source opened ahead only when its turn comes, after the items before it', async () => {
    const { sources, open } = recorded(4, 2, { source: 2, item: 0 })
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const item of concatAhead(sources, 3)) seen.push(item)
      })(),
    ).rejects.toThrow('source 2 failed at 0')
    expect(seen).toEqual(['0.0', '0.1', '1.0', '1.1'])
    expect(open()).toBe(0)
  })
})
