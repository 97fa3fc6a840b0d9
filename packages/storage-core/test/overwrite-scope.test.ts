// What an overwrite replaces: the live files of exactly the partitions it writes, found among all
// of the table's files by their logged partition values.
import { describe, expect, it } from '@jest/globals'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'

const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => `${r.season}/${r.week}/${r.play}`).sort()

describe('an overwrite', () => {
  it('of an unpartitioned table replaces all of it', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    await storage.write('totals', [{ play: 1 }, { play: 2 }], {})
    await storage.write('totals', [{ play: 3 }], {}, { overwrite: false })
    await storage.write('totals', [{ play: 4 }], {})
    expect(await storage.readIndex('totals')).toEqual([{ play: 4 }])
  })

  it('of one partition keeps the partitions that share its first key, or its second', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const rows = [2023, 2024].flatMap((season) => [1, 2].map((week) => ({ season, week, play: 0 })))
    await storage.writePartitioned('plays', rows, ['season', 'week'])
    await storage.write('plays', [{ play: 9 }], { season: 2024, week: 1 })
    expect(sorted(await storage.readIndex('plays'))).toEqual(['2023/1/0', '2023/2/0', '2024/1/9', '2024/2/0'])
  })

  it('of several partitions at once replaces each of them and nothing else', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const rows = [2023, 2024].flatMap((season) => [1, 2, 3].map((week) => ({ season, week, play: 0 })))
    await storage.writePartitioned('plays', rows, ['season', 'week'])
    await storage.writePartitioned('plays', [
      { season: 2024, week: 1, play: 7 },
      { season: 2024, week: 3, play: 7 },
      { season: 2023, week: 2, play: 7 },
    ], ['season', 'week'])
    expect(sorted(await storage.readIndex('plays'))).toEqual(['2023/1/0', '2023/2/7', '2023/3/0', '2024/1/7', '2024/2/0', '2024/3/7'])
  })
})
