// What a write refuses and accepts of its records' columns: partition values that agree with the
// partition by their text, and records with nothing to store but the partition columns.
import { describe, expect, it } from '@jest/globals'
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
