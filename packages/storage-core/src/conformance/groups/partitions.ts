import { describe, expect, it } from '@jest/globals'
import { NULL_MARKER, Partition } from '../../partition/partition.js'
import type { ConformanceGroup } from '../context.js'
import { byId, dataFiles } from '../harness.js'

const suffixes = (partitions: readonly Partition[]) => partitions.map((p) => p.pathSuffix()).sort()

export const partitions: ConformanceGroup = (ctx) => {
  describe('partitions', () => {
    it('names Hive folders key=value in the order the keys are given', () => {
      expect(new Partition({ season: 2024, week: 1 }).pathSuffix()).toBe('season=2024/week=1')
      expect(new Partition({ week: 1, season: 2024 }).pathSuffix()).toBe('week=1/season=2024')
      const parsed = Partition.parse('season=2024/week=1')
      expect(parsed.values).toEqual({ season: 2024, week: 1 })
      expect(Object.keys(parsed.values)).toEqual(['season', 'week'])
    })

    it('writes data under <entity>/<k>=<v>/ and lists the partitions with their typed values', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { season: 2024, week: 1 })
      await storage.write('games', [{ id: 2 }], new Partition({ season: 2024, week: 2 }))
      await storage.write('games', [{ id: 3 }], { season: 2023, week: 14 })
      for (const key of await dataFiles(storage, 'games/')) {
        expect(key).toMatch(/^games\/season=(2023|2024)\/week=(1|2|14)\/[^/_.][^/]*\.parquet$/)
      }
      const listed = await storage.listPartitions('games')
      expect(suffixes(listed)).toEqual(['season=2023/week=14', 'season=2024/week=1', 'season=2024/week=2'])
      for (const partition of listed) {
        expect(typeof partition.values.season).toBe('number')
        expect(typeof partition.values.week).toBe('number')
      }
    })

    it('lists only the partitions matching filters, and none for a missing entity', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { season: 2024, week: 1 })
      await storage.write('games', [{ id: 2 }], { season: 2024, week: 2 })
      await storage.write('games', [{ id: 3 }], { season: 2023, week: 1 })
      expect(suffixes(await storage.listPartitions('games', { season: 2024 }))).toEqual([
        'season=2024/week=1',
        'season=2024/week=2',
      ])
      expect(suffixes(await storage.listPartitions('games', { week: 1 }))).toEqual([
        'season=2023/week=1',
        'season=2024/week=1',
      ])
      expect(await storage.listPartitions('games', { season: 1999 })).toEqual([])
      expect(await storage.listPartitions('nothing')).toEqual([])
    })

    it('keeps the partition key order as given', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { week: 1, season: 2024 })
      const files = await dataFiles(storage, 'games/')
      expect(files.length).toBeGreaterThan(0)
      for (const key of files) expect(key.startsWith('games/week=1/season=2024/')).toBe(true)
      const [partition] = await storage.listPartitions('games')
      expect(partition?.keys).toEqual(['week', 'season'])
    })

    it('escapes values such as "A&M / Texas" and reads them back unchanged', async () => {
      const storage = await ctx.create()
      const team = 'A&M / Texas'
      await storage.write('teams', [{ id: 1 }], { conference: 'SEC', team })
      await storage.write('teams', [{ id: 2 }], { conference: 'SEC', team: 'São Paulo 日本 😀' })
      const files = await dataFiles(storage, 'teams/')
      expect(files.some((key) => key.startsWith('teams/conference=SEC/team=A%26M%20%2F%20Texas/'))).toBe(true)
      expect(files.every((key) => key.split('/').length === 4)).toBe(true)
      const values = (await storage.listPartitions('teams')).map((p) => p.values.team).sort()
      expect(values).toEqual([team, 'São Paulo 日本 😀'].sort())
      expect(await storage.readIndex('teams', { team })).toEqual([{ id: 1, conference: 'SEC', team }])
    })

    it('writes a null value as __HIVE_DEFAULT_PARTITION__ and reads it back as null', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { season: 2024, conference: null })
      const files = await dataFiles(storage, 'games/')
      expect(files.length).toBeGreaterThan(0)
      for (const key of files) expect(key.startsWith(`games/season=2024/conference=${NULL_MARKER}/`)).toBe(true)
      expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2024, conference: null }])
      const [partition] = await storage.listPartitions('games')
      expect(partition?.values).toEqual({ season: 2024, conference: null })
    })

    it('keeps a literal "__HIVE_DEFAULT_PARTITION__" string distinct from null', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { conference: null })
      await storage.write('games', [{ id: 2 }], { conference: NULL_MARKER })
      expect(await storage.listPartitions('games')).toHaveLength(2)
      expect(await storage.readIndex('games', { conference: null })).toEqual([{ id: 1, conference: null }])
      expect(await storage.readIndex('games', { conference: NULL_MARKER })).toEqual([
        { id: 2, conference: NULL_MARKER },
      ])
      expect(byId(await storage.readIndex('games'))).toEqual([
        { id: 1, conference: null },
        { id: 2, conference: NULL_MARKER },
      ])
    })

    it('treats 2024 and "2024" as the same partition', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { season: 2024 })
      await storage.write('games', [{ id: 2 }], { season: '2024' }, { overwrite: false })
      expect(await storage.listPartitions('games')).toHaveLength(1)
      expect((await storage.readIndex('games')).map((row) => row.id).sort()).toEqual([1, 2])
      await storage.write('games', [{ id: 3 }], { season: '2024' })
      expect((await storage.readIndex('games', { season: 2024 })).map((row) => row.id)).toEqual([3])
    })

    it('round-trips boolean, float and negative partition values with their types', async () => {
      const storage = await ctx.create()
      await storage.write('m', [{ id: 1 }], { neutral: true, spread: -3.5 })
      await storage.write('m', [{ id: 2 }], { neutral: false, spread: 7 })
      expect(byId(await storage.readIndex('m'))).toEqual([
        { id: 1, neutral: true, spread: -3.5 },
        { id: 2, neutral: false, spread: 7 },
      ])
    })

    it('writes an entity without partition keys directly under its folder', async () => {
      const storage = await ctx.create()
      expect(await storage.write('teams', [{ id: 1, name: 'Navy' }], {})).toBe(1)
      const files = await dataFiles(storage, 'teams/')
      expect(files.length).toBeGreaterThan(0)
      for (const key of files) expect(key.split('/')).toHaveLength(2)
      expect(await storage.readIndex('teams')).toEqual([{ id: 1, name: 'Navy' }])
    })
  })
}
