// Column buffers are reused from one encoded partition to the next: a reused one must hold nothing
// of what it held before, and no buffer may serve two columns at once.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { columnValues, recycleColumnValues } from '../src/codecs/column-values.js'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'

const SEED = 20_261_204

describe('column buffers given back after encoding', () => {
  it('are reused zeroed, for columns of up to their size and at least half of it', () => {
    const old = columnValues('float', 6_000)
    old.defined.fill(1)
    old.numbers!.fill(7.5)
    recycleColumnValues([old])
    const next = columnValues('int', 5_000)
    expect(next.numbers!.buffer === old.numbers!.buffer).toBe(true)
    expect(next.defined.buffer === old.defined.buffer).toBe(true)
    expect(next.numbers).toHaveLength(5_000)
    expect(next.numbers!.every((n) => n === 0)).toBe(true)
    expect(next.defined.every((d) => d === 0)).toBe(true)
    recycleColumnValues([next])
    // Too large for 1,000 rows (more than twice their size), too small for 7,000.
    expect(columnValues('int', 1_000).numbers!.buffer === old.numbers!.buffer).toBe(false)
    expect(columnValues('int', 7_000).numbers!.buffer === old.numbers!.buffer).toBe(false)
    expect(columnValues('int', 6_000).numbers!.buffer === old.numbers!.buffer).toBe(true)
  })

  it("reuse a string column's item array emptied, cut to the rows, for up to its length and at least half of it", () => {
    const old = columnValues('string', 6_000)
    old.items!.fill('Navy')
    recycleColumnValues([old])
    // Emptied as soon as it is given back: a spare keeps none of the caller's strings alive.
    expect(old.items!.every((item) => item === undefined)).toBe(true)
    expect(columnValues('string', 2_000).items === old.items).toBe(false)
    expect(columnValues('string', 7_000).items === old.items).toBe(false)
    const next = columnValues('json', 5_000)
    expect(next.items === old.items).toBe(true)
    expect(next.items).toHaveLength(5_000)
    expect(columnValues('string', 5_000).items === old.items).toBe(false)
  })

  it('are not handed out twice when given back twice', () => {
    const a = columnValues('float', 3_000)
    recycleColumnValues([a])
    recycleColumnValues([a])
    const first = columnValues('float', 3_000)
    const second = columnValues('float', 3_000)
    expect(first.numbers!.buffer === a.numbers!.buffer).toBe(true)
    expect(second.numbers!.buffer === first.numbers!.buffer).toBe(false)
  })

  it('are shared memory from 4,096 bytes on (the encoding worker reads them in place), plain below', () => {
    const large = columnValues('int', 4_096)
    expect(large.defined.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(large.numbers!.buffer).toBeInstanceOf(SharedArrayBuffer)
    const small = columnValues('int', 511)
    expect(small.defined.buffer).toBeInstanceOf(ArrayBuffer)
    expect(small.numbers!.buffer).toBeInstanceOf(ArrayBuffer)
    expect(columnValues('int', 512).numbers!.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(columnValues('string', 6_000).numbers).toBeUndefined()
  })

  it('leave every partition of sequential writes as it was written, nulls included', async () => {
    const row = fc.record(
      {
        id: fc.option(fc.integer(), { nil: null }),
        score: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
        flag: fc.option(fc.boolean(), { nil: null }),
        at: fc.option(fc.date({ min: new Date(0), max: new Date(2e12), noInvalidDate: true }), { nil: null }),
        team: fc.option(fc.constantFrom('Navy', 'Army', 'Air Force'), { nil: null }),
        // Mostly distinct: no dictionary, so values and page bounds are taken from the items.
        note: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
      },
      { requiredKeys: ['id', 'score', 'flag', 'at', 'team', 'note'] },
    )
    // Partitions of 4,100 to 8,000 rows: their columns (4.1-8 KB of flags, 33-64 KB of numbers)
    // reuse each other's buffers.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { minLength: 4_100, maxLength: 8_000 }), { minLength: 2, maxLength: 3 }), async (partitions) => {
        const storage = new ObjectStorage(new MemoryObjectStore())
        const schema = {
          columns: [
            { name: 'id', type: 'int' as const },
            { name: 'score', type: 'float' as const },
            { name: 'flag', type: 'boolean' as const },
            { name: 'at', type: 'timestamp' as const },
            { name: 'team', type: 'string' as const },
            { name: 'note', type: 'string' as const },
            { name: 'part', type: 'int' as const },
          ],
        }
        await storage.createTable('t', { schema, partitionBy: ['part'] })
        for (const [part, records] of partitions.entries()) await storage.write('t', records, { part })
        for (const [part, records] of partitions.entries()) {
          const read = await storage.readIndex('t', { part }, { columns: ['id', 'score', 'flag', 'at', 'team', 'note'] })
          expect(read).toEqual(records)
        }
      }),
      { seed: SEED, numRuns: 8, endOnFailure: true },
    )
  })
})
