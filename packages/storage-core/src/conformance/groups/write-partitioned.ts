import { describe, expect, it } from '@jest/globals'
import { isStorageError } from '../../errors.js'
import type { ConformanceGroup } from '../context.js'
import { byId, dataFiles, failureOf } from '../harness.js'

const plays = [
  { id: 1, season: 2024, week: 1, yards: 5 },
  { id: 2, season: 2024, week: 2, yards: -3 },
  { id: 3, season: 2023, week: 1, yards: 12 },
  { id: 4, season: 2024, week: 1, yards: 0 },
  { id: 5, season: '2024', week: 2, yards: 7 },
]

export const writePartitioned: ConformanceGroup = (ctx) => {
  describe('writePartitioned', () => {
    it('splits records by the partition columns and writes each partition, as write would', async () => {
      const storage = await ctx.create()
      expect(await storage.writePartitioned('plays', plays, ['season', 'week'])).toBe(5)
      // 2024 and "2024" name one folder, so they are one partition.
      expect((await storage.listPartitions('plays')).map((p) => p.pathSuffix()).sort()).toEqual([
        'season=2023/week=1',
        'season=2024/week=1',
        'season=2024/week=2',
      ])
      expect(byId(await storage.readIndex('plays', { season: 2024, week: 1 }))).toEqual([
        { id: 1, yards: 5, season: 2024, week: 1 },
        { id: 4, yards: 0, season: 2024, week: 1 },
      ])
      expect(byId(await storage.readIndex('plays', { week: 2 })).map((r) => r.id)).toEqual([2, 5])
    })

    it('overwrites the partitions it writes by default, appends with { overwrite: false }, and leaves others alone', async () => {
      const storage = await ctx.create()
      await storage.writePartitioned('plays', plays, ['season', 'week'])
      await storage.writePartitioned('plays', [{ id: 9, season: 2024, week: 1, yards: 1 }], ['season', 'week'])
      expect(byId(await storage.readIndex('plays', { season: 2024, week: 1 })).map((r) => r.id)).toEqual([9])
      expect(byId(await storage.readIndex('plays', { week: 2 })).map((r) => r.id)).toEqual([2, 5])
      await storage.writePartitioned('plays', [{ id: 10, season: 2023, week: 1, yards: 2 }], ['season', 'week'], {
        overwrite: false,
        concurrency: 1,
      })
      expect(byId(await storage.readIndex('plays', { season: 2023 })).map((r) => r.id)).toEqual([3, 10])
    })

    it('groups records that come in runs of a partition, and runs that come back', async () => {
      const storage = await ctx.create()
      const rows = [1, 1, 1, 2, 2, 1, 1, 3, 2].map((week, id) => ({ id, season: 2024, week }))
      expect(await storage.writePartitioned('plays', rows, ['season', 'week'])).toBe(9)
      for (const week of [1, 2, 3]) {
        const ids = rows.filter((r) => r.week === week).map((r) => r.id)
        expect(byId(await storage.readIndex('plays', { week })).map((r) => r.id)).toEqual(ids)
      }
    })

    it('partitions by one column into many folders, in bounded parallel', async () => {
      const storage = await ctx.create()
      const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, team: `t${i % 30}` }))
      expect(await storage.writePartitioned('games', rows, ['team'], { concurrency: 8 })).toBe(300)
      expect(await storage.listPartitions('games')).toHaveLength(30)
      expect(byId(await storage.readIndex('games', { team: 't7' })).map((r) => r.id)).toEqual([7, 37, 67, 97, 127, 157, 187, 217, 247, 277])
    })

    it('commits every partition in one version: a partition that cannot be stored fails the whole write, leaving nothing', async () => {
      const storage = await ctx.create()
      await storage.writePartitioned('games', [{ id: 1, team: 'a' }, { id: 2, team: 'b' }], ['team'])
      const before = await storage.listFiles('')
      const rows = Array.from({ length: 40 }, (_, i) => ({ id: 10 + i, team: `t${i % 20}`, note: i === 33 ? 'bad \ud800' : 'ok' }))
      await expect(storage.writePartitioned('games', rows, ['team'], { concurrency: 4 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect(await storage.listFiles('')).toEqual(before)
      expect((await storage.history('games')).map((h) => h.version)).toEqual([0])
      await storage.writePartitioned('games', rows.map((r) => ({ ...r, note: 'ok' })), ['team'])
      const history = await storage.history('games')
      expect(history.map((h) => [h.version, h.rowsAdded])).toEqual([[0, 2], [1, 40]])
    })

    // Records given at once are typed partition by partition as each is read for its file: what
    // a later partition brings must reach the files written before it.
    const weeks = (rows: number, value: (week: number, i: number) => Record<string, unknown>): Record<string, unknown>[] =>
      [1, 2, 3, 4].flatMap((week) => Array.from({ length: rows }, (_, i) => ({ id: week * 1000 + i, season: 2024, week, ...value(week, i) })))

    it('makes a column float in every file when a later partition brings fractions to its integers', async () => {
      const storage = await ctx.create()
      const rows = weeks(30, (week, i) => ({ yards: week < 4 ? i - 5 : i + 0.5 }))
      expect(await storage.writePartitioned('plays', rows, ['season', 'week'], { concurrency: 2 })).toBe(120)
      expect((await storage.schema('plays')).columns.find((c) => c.name === 'yards')?.type).toBe('float')
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(rows))
      // One file per partition in the one version: the files first encoded with integers were replaced.
      expect(await dataFiles(storage, 'plays/')).toHaveLength(4)
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
    })

    it('takes a column that first appears in a later partition; earlier rows read null there', async () => {
      const storage = await ctx.create()
      const rows = weeks(30, (week, i) => (week === 3 ? { yards: i, note: `n${i}` } : { yards: i }))
      await storage.writePartitioned('plays', rows, ['season', 'week'])
      expect((await storage.schema('plays')).columns.map((c) => c.name)).toEqual(['id', 'yards', 'note', 'season', 'week'])
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(rows.map((r) => ({ ...r, note: r.note ?? null }))))
    })

    it('writes records in partition order with one out of place as if grouped one by one, leaving no file of the first try', async () => {
      const storage = await ctx.create()
      // Runs of 100 are grouped from a few of their records; record 150, of week 4 inside week 2's
      // run, is found as it is read for week 2's file, and the write starts over.
      const rows = weeks(100, (_week, i) => ({ yards: i }))
      rows[150] = { ...rows[150], week: 4 }
      expect(await storage.writePartitioned('plays', rows, ['season', 'week'])).toBe(400)
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(rows))
      expect(byId(await storage.readIndex('plays', { week: 4 })).map((r) => r.id)).toContain(rows[150]!.id)
      expect(await dataFiles(storage, 'plays/')).toHaveLength(4)
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
    })

    it('leaves nothing when a later partition has a value that does not fit a column written before', async () => {
      const storage = await ctx.create()
      await storage.writePartitioned('plays', [{ id: -1, season: 2024, week: 1, yards: 0 }], ['season', 'week'])
      const before = await storage.listFiles('')
      const rows = weeks(30, (week, i) => ({ yards: week === 4 && i === 29 ? 'far' : i }))
      expect((await failureOf(storage.writePartitioned('plays', rows, ['season', 'week'], { concurrency: 1 }))).code).toBe('SCHEMA_MISMATCH')
      expect(await storage.listFiles('')).toEqual(before)
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
    })

    it.each([
      ['a record without a partition column', [{ id: 1, season: 2024, week: 1 }, { id: 2, season: 2024 }], ['season', 'week'], {}],
      ['a partition value that is an object', [{ id: 1, season: { y: 2024 } }], ['season'], {}],
      ['a record that is not an object', [{ id: 1, season: 2024 }, 7], ['season'], {}],
      ['no partition columns', [{ id: 1 }], [], {}],
      ['a concurrency of 0', [{ id: 1, season: 2024 }], ['season'], { concurrency: 0 }],
    ])('refuses %s with INVALID_ARGUMENT before writing anything', async (_name, records, by, options) => {
      const storage = await ctx.create()
      const error = await storage
        .writePartitioned('plays', records as never, by, options)
        .then(() => undefined, (e: unknown) => e)
      expect(isStorageError(error) && error.code).toBe('INVALID_ARGUMENT')
      expect(await storage.listFiles('plays/')).toEqual([])
    })
  })
}
