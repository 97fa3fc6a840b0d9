import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import type { Filters } from '../../filters/filters.js'
import type { ConformanceGroup } from '../context.js'

/**
 * 2 seasons x 2 weeks x 3 plays. `id` encodes the partition: season 2023 ids 1-6, 2024 ids 7-12;
 * week 1 holds the first three ids of its season.
 */
interface Play {
  id: number
  team: string | null
  yards: number
}

function dataset(): { partition: { season: number; week: number }; rows: Play[] }[] {
  const out: { partition: { season: number; week: number }; rows: Play[] }[] = []
  let id = 0
  for (const season of [2023, 2024]) {
    for (const week of [1, 2]) {
      const rows: Play[] = []
      for (const team of ['A', 'B', null]) {
        id += 1
        rows.push({ id, team, yards: id * 5 - 20 })
      }
      out.push({ partition: { season, week }, rows })
    }
  }
  return out
}

const ALL = dataset().flatMap(({ partition, rows }) => rows.map((row) => ({ ...row, ...partition })))

export const filters: ConformanceGroup = (ctx) => {
  describe('filters', () => {
    let storage: StorageBackend

    beforeAll(async () => {
      storage = await ctx.create()
      for (const { partition, rows } of dataset()) await storage.write('plays', rows as unknown as Row[], partition)
    })

    const ids = async (filter?: Filters) =>
      (await storage.readIndex('plays', filter)).map((row) => row.id).sort((a, b) => Number(a) - Number(b))
    const expected = (predicate: (row: (typeof ALL)[number]) => boolean) => ALL.filter(predicate).map((row) => row.id)

    it('reads every row without filters, partition columns added', async () => {
      const rows = await storage.readIndex('plays')
      expect([...rows].sort((a, b) => Number(a.id) - Number(b.id))).toEqual(ALL)
    })

    it('filters on any single partition key, first or second', async () => {
      expect(await ids({ season: 2024 })).toEqual(expected((r) => r.season === 2024))
      expect(await ids({ week: 2 })).toEqual(expected((r) => r.week === 2))
    })

    it('filters on several partition keys given in any order', async () => {
      const want = expected((r) => r.season === 2023 && r.week === 1)
      expect(want).toEqual([1, 2, 3])
      expect(await ids({ season: 2023, week: 1 })).toEqual(want)
      expect(await ids({ week: 1, season: 2023 })).toEqual(want)
    })

    it('matches a partition written as 2024 with the string "2024"', async () => {
      expect(await ids({ season: '2024' })).toEqual(expected((r) => r.season === 2024))
      expect(await ids({ season: ['2023'], week: '2' })).toEqual(expected((r) => r.season === 2023 && r.week === 2))
    })

    it('filters partition keys by an array of values (IN)', async () => {
      expect(await ids({ week: [1] })).toEqual(expected((r) => r.week === 1))
      expect(await ids({ season: [2023, 2024], week: [2, 3] })).toEqual(expected((r) => r.week === 2))
      expect(await ids({ season: [] })).toEqual([])
    })

    it('filters partition keys by gt, gte, lt and lte', async () => {
      expect(await ids({ season: { gt: 2023 } })).toEqual(expected((r) => r.season > 2023))
      expect(await ids({ season: { gte: 2024 } })).toEqual(expected((r) => r.season >= 2024))
      expect(await ids({ season: { lt: 2024 } })).toEqual(expected((r) => r.season < 2024))
      expect(await ids({ week: { lte: 1 } })).toEqual(expected((r) => r.week <= 1))
      expect(await ids({ season: { gte: 2023, lt: 2024 }, week: { gt: 1 } })).toEqual(
        expected((r) => r.season === 2023 && r.week > 1),
      )
    })

    it('filters rows by a value of a non-partition column', async () => {
      expect(await ids({ team: 'A' })).toEqual(expected((r) => r.team === 'A'))
      expect(await ids({ yards: 10 })).toEqual(expected((r) => r.yards === 10))
      expect(await ids({ team: null })).toEqual(expected((r) => r.team === null))
    })

    it('filters rows by an array of values of a non-partition column', async () => {
      expect(await ids({ team: ['A', 'B'] })).toEqual(expected((r) => r.team === 'A' || r.team === 'B'))
      expect(await ids({ yards: [-15, 40] })).toEqual(expected((r) => r.yards === -15 || r.yards === 40))
    })

    it('filters rows by ranges of a non-partition column', async () => {
      expect(await ids({ yards: { gt: 20 } })).toEqual(expected((r) => r.yards > 20))
      expect(await ids({ yards: { gte: 20 } })).toEqual(expected((r) => r.yards >= 20))
      expect(await ids({ yards: { lt: 0 } })).toEqual(expected((r) => r.yards < 0))
      expect(await ids({ yards: { gt: -10, lte: 15 } })).toEqual(expected((r) => r.yards > -10 && r.yards <= 15))
      expect(await ids({ team: { gte: 'B' } })).toEqual(expected((r) => r.team === 'B'))
    })

    it('combines partition and row filters', async () => {
      expect(await ids({ season: 2024, yards: { gte: 25 }, team: ['A', null] })).toEqual(
        expected((r) => r.season === 2024 && r.yards >= 25 && (r.team === 'A' || r.team === null)),
      )
    })

    it('returns [] when nothing matches', async () => {
      expect(await storage.readIndex('plays', { season: 1999 })).toEqual([])
      expect(await storage.readIndex('plays', { season: 2024, week: 7 })).toEqual([])
      expect(await storage.readIndex('plays', { team: 'nobody' })).toEqual([])
      expect(await storage.readIndex('plays', { yards: { gt: 1e9 } })).toEqual([])
    })
  })
}
