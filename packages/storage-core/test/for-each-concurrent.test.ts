import { describe, expect, it } from '@jest/globals'
import { forEachConcurrent } from '../src/store/concurrency.js'

// forEachConcurrent feeds a migrate's copies from its listing: every item once, never more than
// `limit` at once, the listing read to its end while the work goes on, and the first failure
// (of the work or of the listing) told once nothing is left in flight.

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

async function* numbers(count: number, events: string[], failAt?: number) {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`listing failed at ${i}`)
    events.push(`listed ${i}`)
    yield i
  }
  events.push('listing ended')
}

describe('forEachConcurrent', () => {
  it('handles every item once, at most `limit` at a time', async () => {
    const seen: number[] = []
    let running = 0
    let peak = 0
    await forEachConcurrent(numbers(50, []), 4, async (i) => {
      running++
      peak = Math.max(peak, running)
      await tick()
      seen.push(i)
      running--
    })
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(peak).toBe(4)
  })

  it('reads the source to its end while the first items are still being worked on', async () => {
    const events: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const done = forEachConcurrent(numbers(20, events), 2, async (i) => {
      events.push(`start ${i}`)
      await gate
    })
    while (!events.includes('listing ended')) await tick()
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 0', 'start 1'])
    release()
    await done
    expect(events.filter((e) => e.startsWith('start'))).toHaveLength(20)
  })

  it('after a failure starts nothing new, lets the calls in flight settle, then rejects with it', async () => {
    const finished: number[] = []
    const started: number[] = []
    const run = forEachConcurrent(numbers(100, []), 3, async (i) => {
      started.push(i)
      if (i === 5) throw new Error('copy 5 failed')
      await tick()
      finished.push(i)
    })
    await expect(run).rejects.toThrow('copy 5 failed')
    expect(Math.max(...started)).toBeLessThan(8)
    // Every call that started, but the failed one, ran to its end before the rejection.
    expect(finished.sort((a, b) => a - b)).toEqual(started.filter((i) => i !== 5).sort((a, b) => a - b))
  })

  it('rejects with a failure of the source once the calls in flight settle', async () => {
    let inFlight = 0
    const run = forEachConcurrent(numbers(10, [], 6), 4, async () => {
      inFlight++
      await tick()
      inFlight--
    })
    await expect(run).rejects.toThrow('listing failed at 6')
    expect(inFlight).toBe(0)
  })
})
