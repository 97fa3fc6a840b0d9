// What a write refuses and accepts of its records' columns: partition values that agree with the
// partition by their text, and records with nothing to store but the partition columns.
import { describe, expect, it } from '@jest/globals'
import { matcherFor } from '../src/dataset/group-records.js'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'

describe('partition values of records written to one partition', () => {
  it('agree by their text (2024n and "2024" with 2024), and a later record that disagrees is refused by its index', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const agreeing = [
      { play: 1, season: 2024n },
      { play: 2, season: '2024' },
      { play: 3, season: 2024n },
      { play: 4, season: 2024 },
    ]
    await storage.write('plays', agreeing, { season: 2024 })
    expect(await storage.readIndex('plays')).toHaveLength(4)
    const error = await storage.write('plays', [...agreeing, { play: 5, season: 2023n }], { season: 2024 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/record 4 has season="2023"/) })
    expect(await storage.readIndex('plays')).toHaveLength(4)
  })
})

describe('records with no column besides the partition columns', () => {
  it('are refused, nothing written, rather than stored as a file of no columns and no rows', async () => {
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    for (const write of [
      () => storage.write('plays', [{ season: 2024 }, { season: 2024 }], { season: 2024 }),
      () => storage.write('plays', [{}, {}], { season: 2024 }),
      () => storage.writePartitioned('plays', [{ season: 2024 }, { season: 2025 }], ['season']),
      () => storage.write('plays', [{}], {}),
    ]) {
      const error = await write().catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^plays: the records have no column to store/) })
    }
    const keys: string[] = []
    for await (const entry of store.list('')) if (entry.kind === 'object') keys.push(entry.key)
    expect(keys).toEqual([])
  })

  it('are written into a table that has other columns, which they hold as nulls', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    await storage.write('plays', [{ play: 1, season: 2023 }], { season: 2023 })
    expect(await storage.write('plays', [{ season: 2024 }, {}], { season: 2024 })).toBe(2)
    expect(await storage.readIndex('plays', { season: 2024 })).toEqual([
      { play: null, season: 2024 },
      { play: null, season: 2024 },
    ])
  })
})

describe('integers given as numbers and as bigints', () => {
  it('take the table type of the column: bigints into an int column read as numbers, numbers into a bigint column as bigints', async () => {
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    await storage.write('games', [{ id: 1, fans: 5 }], { season: 2024 })
    await storage.write('games', [{ id: 2, fans: 9_007_199_254_740_991n }, { id: 3, fans: -7n }, { id: 4, fans: null }], { season: 2025 })
    await storage.write('drives', [{ id: 1, yards: 10n }], { season: 2024 })
    await storage.write('drives', [{ id: 2, yards: 3 }, { id: 3, yards: null }], { season: 2025 })
    const byId = (rows: Record<string, unknown>[]) => rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => [r.id, r.fans ?? r.yards ?? null])
    expect(byId(await storage.readIndex('games'))).toEqual([
      [1, 5],
      [2, 9_007_199_254_740_991],
      [3, -7],
      [4, null],
    ])
    expect(byId(await storage.readIndex('drives'))).toEqual([
      [1, 10n],
      [2, 3n],
      [3, null],
    ])
  })

  it('a bigint beyond ±2^53 for an int column is refused by its value, and nothing is written', async () => {
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    await storage.write('games', [{ id: 1, fans: 5 }], { season: 2024 })
    const keys = async () => {
      const out: string[] = []
      for await (const entry of store.list('')) if (entry.kind === 'object') out.push(entry.key)
      return out
    }
    const before = await keys()
    const error = await storage.write('games', [{ id: 2, fans: 7n }, { id: 3, fans: 2n ** 60n }], { season: 2025 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('bigint 1152921504606846976') })
    expect(await keys()).toEqual(before)
  })

  it('bigints beyond ±2^53 in a bigint column keep every digit', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const values = [2n ** 63n - 1n, -(2n ** 63n), 9_007_199_254_740_993n, 1n, null]
    await storage.write('big', values.map((v, id) => ({ id, v })), { season: 2024 })
    const rows = (await storage.readIndex('big')).sort((a, b) => Number(a.id) - Number(b.id))
    expect(rows.map((r) => r.v)).toEqual(values)
  })
})

describe('the partition value matcher', () => {
  const keys = ['season', 'week "1"', '__proto__x', '日本']
  for (const style of ['named', 'keyed'] as const) {
    it(`${style}: true only when every key holds its value by ===`, () => {
      const matches = matcherFor(keys, style)
      const values = [2024n, 1, 'x', null]
      const record = { season: 2024n, 'week "1"': 1, __proto__x: 'x', 日本: null, other: 5 }
      expect(matches(record, values)).toBe(true)
      expect(matches(Object.assign(Object.create(null), record), values)).toBe(true)
      expect(matches({ ...record, season: 2024 }, values)).toBe(false)
      expect(matches({ ...record, 'week "1"': '1' }, values)).toBe(false)
      expect(matches({ ...record, 日本: undefined }, values)).toBe(false)
      const { season, ...withoutSeason } = record
      expect(matches(withoutSeason, values)).toBe(false)
      expect(matcherFor([], style)({}, [])).toBe(true)
    })
  }
})

describe('the partition agreement of records written to one partition', () => {
  it('lets records without the partition columns through, and still refuses a later one that disagrees', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const records = [...Array.from({ length: 50 }, (_, play) => ({ play })), { play: 50, season: 2024 }, { play: 51, week: '3' }]
    await storage.write('plays', records, { season: 2024, week: 3 })
    expect(await storage.readIndex('plays')).toEqual(records.map(({ play }) => ({ play, season: 2024, week: 3 })))
    const error = await storage.write('plays', [...records, { play: 52 }, { play: 53, week: 4 }], { season: 2024, week: 3 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/record 53 has week="4"/) })
    expect(await storage.readIndex('plays')).toHaveLength(52)
  })

  it('names a refused record of a stream by its place in the stream, after files were written out, and leaves nothing behind', async () => {
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    async function* batches() {
      for (let b = 0; b < 5; b++) yield Array.from({ length: 10 }, (_, i) => ({ play: b * 10 + i, season: b === 3 && i === 7 ? '2023' : 2024n }))
    }
    // 15 rows held at most: the partition is written out after the second batch and the fourth.
    const error = await storage.write('plays', batches(), { season: 2024 }, { bufferRows: 15 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'record 37 has season="2023", but the partition has season="2024"' })
    const keys: string[] = []
    for await (const entry of store.list('')) if (entry.kind === 'object') keys.push(entry.key)
    expect(keys).toEqual([])
  })
})
