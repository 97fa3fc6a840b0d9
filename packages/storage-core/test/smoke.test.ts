import { describe, expect, it } from '@jest/globals'
import { MemoryStorage } from '../src/index.js'

describe('engine smoke', () => {
  it('writes and reads partitions with filters and projection', async () => {
    const s = new MemoryStorage()
    for (const season of [2023, 2024]) {
      for (const week of [1, 2, 3]) {
        const rows = Array.from({ length: 5 }, (_, i) => ({
          play_id: season * 1000 + week * 10 + i,
          yards: i * 5,
          epa: i / 3,
          offense: `team ${i}`,
          big: BigInt(i) * 10n ** 15n,
          at: new Date(Date.UTC(season, 8, week, i)),
          meta: { i, tags: ['a'] },
          none: null,
        }))
        await s.write('plays', rows, { season, week })
      }
    }
    const all = await s.readIndex('plays')
    expect(all).toHaveLength(30)
    expect(all[0]).toEqual({
      play_id: 2023010,
      yards: 0,
      epa: 0,
      offense: 'team 0',
      big: 0n,
      at: new Date(Date.UTC(2023, 8, 1, 0)),
      meta: { i: 0, tags: ['a'] },
      none: null,
      season: 2023,
      week: 1,
    })
    const some = await s.readIndex('plays', { week: 2, season: '2024', yards: { gte: 10 } }, { columns: ['play_id', 'week'] })
    expect(some).toEqual([
      { play_id: 2024022, week: 2 },
      { play_id: 2024023, week: 2 },
      { play_id: 2024024, week: 2 },
    ])
    await s.write('plays', [{ play_id: 1, yards: 1, epa: 0.5 }], { season: 2024, week: 2 }, { overwrite: false })
    expect(await s.readIndex('plays', { season: 2024, week: 2 })).toHaveLength(6)
    await s.write('plays', [{ play_id: 2, yards: 1, epa: 0.5 }], { season: 2024, week: 2 })
    expect(await s.readIndex('plays', { season: 2024, week: 2 }, { columns: ['play_id'] })).toEqual([{ play_id: 2 }])
    expect((await s.listFiles('plays/season=2024/week=2/')).length).toBe(1)
    const parts = await s.listPartitions('plays', { week: [1, 3] })
    expect(parts.map((p) => p.pathSuffix())).toEqual([
      'season=2023/week=1',
      'season=2023/week=3',
      'season=2024/week=1',
      'season=2024/week=3',
    ])
    let n = 0
    for await (const batch of s.scan('plays', {}, { batchSize: 4 })) {
      expect(batch.length).toBeLessThanOrEqual(4)
      n += batch.length
    }
    expect(n).toBe(26)
    await s.writeCsv('games/season=2024/data.csv', [{ a: 1 }])
    expect(await s.readIndex('games')).toEqual([{ a: 1, season: 2024 }])
  })
})
