import { describe, expect, it } from '@jest/globals'
import { newWriteId } from '../../dataset/write-id.js'
import { ObjectStorage } from '../../facade/object-storage.js'
import type { ConformanceGroup } from '../context.js'
import { byId, dataFiles, utf8 } from '../harness.js'

const P = { season: 2024, week: 1 }
const DIR = 'games/season=2024/week=1'

export const overwriteAppendEmpty: ConformanceGroup = (ctx) => {
  describe('overwrite, append and empty writes', () => {
    it('returns the number of rows written', async () => {
      const storage = await ctx.create()
      expect(await storage.write('games', [{ id: 1 }, { id: 2 }, { id: 3 }], P)).toBe(3)
      expect(await storage.write('games', [{ id: 4 }], P, { overwrite: false })).toBe(1)
    })

    it('overwrites the partition by default, leaving no old rows', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }, { id: 2 }, { id: 3 }], P)
      await storage.write('games', [{ id: 4 }, { id: 5 }], P)
      expect(byId(await storage.readIndex('games'))).toEqual([
        { id: 4, ...P },
        { id: 5, ...P },
      ])
      await storage.write('games', [{ id: 6 }], P, { overwrite: true })
      expect(await storage.readIndex('games')).toEqual([{ id: 6, ...P }])
    })

    it('overwrites only the partition written to', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], { season: 2024, week: 1 })
      await storage.write('games', [{ id: 2 }], { season: 2024, week: 2 })
      await storage.write('games', [{ id: 3 }], { season: 2024, week: 1 })
      expect(byId(await storage.readIndex('games'))).toEqual([
        { id: 2, season: 2024, week: 2 },
        { id: 3, season: 2024, week: 1 },
      ])
    })

    it('appends with { overwrite: false }, and two appends are both visible', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.write('games', [{ id: 2 }], P, { overwrite: false })
      await storage.write('games', [{ id: 3 }, { id: 4 }], P, { overwrite: false })
      expect(byId(await storage.readIndex('games')).map((row) => row.id)).toEqual([1, 2, 3, 4])
    })

    it('appends to a partition that does not exist yet', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P, { overwrite: false })
      expect(await storage.readIndex('games')).toEqual([{ id: 1, ...P }])
    })

    it('never loses concurrent appends to one partition; without conditional create, refuses undeclared writers', async () => {
      const storage = await ctx.create()
      if (!(await ctx.capabilities()).conditionalPut) {
        // The opposite assertion: a backend that cannot create-if-absent never writes unless the
        // user declared a single writer (the storage under test did; a plain one over its store did not).
        const undeclared = new ObjectStorage((storage as ObjectStorage).store)
        await expect(undeclared.write('games', [{ id: 1 }], P)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' })
        await expect(undeclared.write('games', [{ id: 1 }], P)).rejects.toThrow(/singleWriter/)
        expect(await storage.listFiles('games/_delta_log/')).toEqual([])
        return
      }
      await Promise.all(
        Array.from({ length: 6 }, (_, i) => storage.write('games', [{ id: i + 1 }], P, { overwrite: false })),
      )
      expect(byId(await storage.readIndex('games')).map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6])
    })

    it('writes empty records as 0 rows; an empty overwrite empties the partition', async () => {
      const storage = await ctx.create()
      expect(await storage.write('games', [], P)).toBe(0)
      expect(await storage.readIndex('games')).toEqual([])
      await storage.write('games', [{ id: 1 }], P)
      await storage.write('games', [{ id: 2 }], { season: 2024, week: 2 })
      expect(await storage.write('games', [], P, { overwrite: false })).toBe(0)
      expect(await storage.readIndex('games', P)).toEqual([{ id: 1, ...P }])
      expect(await storage.write('games', [], P)).toBe(0)
      expect(await storage.readIndex('games', P)).toEqual([])
      expect(await storage.readIndex('games')).toEqual([{ id: 2, season: 2024, week: 2 }])
    })

    it('reads [] for a missing entity or partition', async () => {
      const storage = await ctx.create()
      expect(await storage.readIndex('games')).toEqual([])
      await storage.write('games', [{ id: 1 }], P)
      expect(await storage.readIndex('games', { season: 2023 })).toEqual([])
      expect(await storage.readIndex('games', { season: 2024, week: 9 })).toEqual([])
      expect(await storage.readIndex('other')).toEqual([])
    })

    it('writes CSV files through the path API; keeps empty strings apart from nulls', async () => {
      const storage = await ctx.create()
      const rows = [
        { id: 1, team: 'Navy', note: 'a, "quoted" note' },
        { id: 2, team: 'Army', note: '' },
        { id: 3, team: 'Air Force', note: null },
      ]
      expect(await storage.writeCsv('exports/games.csv', rows)).toBe(3)
      expect(await storage.readCsv('exports/games.csv')).toEqual(rows)
    })

    it('ignores a data file that no commit references (a crashed writer)', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      // What a writer that died before its commit leaves behind.
      await storage.writeParquet('scratch/orphan.parquet', [{ id: 666 }])
      const orphan = `${DIR}/part-${newWriteId()}-0.parquet`
      await storage.writeBytes(orphan, await storage.readBytes('scratch/orphan.parquet'))
      expect(await storage.readIndex('games')).toEqual([{ id: 1, ...P }])
      expect(await storage.readIndex('games', { id: 666 })).toEqual([])
      // A fresh orphan may belong to a writer still running: only an explicit age removes it.
      await storage.vacuum('games')
      expect(await storage.exists(orphan)).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 5))
      const { deleted } = await storage.vacuum('games', { olderThanMs: 0 })
      expect(deleted).toContain(orphan)
      expect(await storage.exists(orphan)).toBe(false)
      expect(await storage.readIndex('games')).toEqual([{ id: 1, ...P }])
    })

    it('ignores the file of a table\'s first writer that died before version 0, and writes go on', async () => {
      const storage = await ctx.create()
      await storage.writeParquet('scratch/orphan.parquet', [{ id: 666 }])
      const orphan = `${DIR}/part-${newWriteId()}-0.parquet`
      await storage.writeBytes(orphan, await storage.readBytes('scratch/orphan.parquet'))
      // Not a plain Hive folder: no rows, no partitions, and a write creates the table.
      expect(await storage.readIndex('games')).toEqual([])
      expect(await storage.listPartitions('games')).toEqual([])
      await storage.write('games', [{ id: 1 }], { season: 2024, week: 2 })
      expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2024, week: 2 }])
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect((await storage.vacuum('games', { olderThanMs: 0 })).deleted).toEqual([orphan])
      const bare = await ctx.create()
      await bare.writeBytes(orphan, await storage.readBytes('scratch/orphan.parquet'))
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect((await bare.vacuum('games', { olderThanMs: 0 })).deleted).toEqual([orphan])
    })

    it('ignores a new partition whose first writer died before its commit', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.writeParquet('scratch/orphan.parquet', [{ id: 666 }])
      const orphan = `games/season=2024/week=9/part-${newWriteId()}-0.parquet`
      await storage.writeBytes(orphan, await storage.readBytes('scratch/orphan.parquet'))
      expect(await storage.readIndex('games')).toEqual([{ id: 1, ...P }])
      expect(await storage.readIndex('games', { week: 9 })).toEqual([])
      expect((await storage.listPartitions('games')).map((p) => p.pathSuffix())).toEqual([DIR.slice('games/'.length)])
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect((await storage.vacuum('games', { olderThanMs: 0 })).deleted).toEqual([orphan])
    })

    it('vacuum keeps every committed row, including appends', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.write('games', [{ id: 2 }], P)
      await storage.write('games', [{ id: 3 }], P, { overwrite: false })
      await storage.write('games', [{ id: 4 }], { season: 2024, week: 2 })
      await storage.vacuum(undefined, { olderThanMs: 0 })
      await storage.vacuum('games', { olderThanMs: 0 })
      expect(byId(await storage.readIndex('games')).map((row) => row.id)).toEqual([2, 3, 4])
      // Superseded data is gone after a vacuum: one file per live write remains.
      expect(await dataFiles(storage, 'games/')).toHaveLength(3)
    })

    it('never reads files under folders or names starting with _ or .', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.writeParquet(`${DIR}/_tmp/part-0.parquet`, [{ id: 2 }])
      await storage.writeParquet(`${DIR}/.hidden/part-0.parquet`, [{ id: 3 }])
      await storage.writeParquet('games/_staging/season=2024/week=1/part-0.parquet', [{ id: 4 }])
      await storage.writeParquet('games/.trash/season=2024/week=1/part-0.parquet', [{ id: 5 }])
      await storage.writeParquet(`${DIR}/_part-0.parquet`, [{ id: 6 }])
      // macOS AppleDouble files on external drives: not Parquet at all.
      await storage.writeBytes(`${DIR}/._part-0.parquet`, utf8('Mac OS X resource fork'))
      await storage.writeBytes(`${DIR}/.DS_Store`, utf8('junk'))
      expect(await storage.readIndex('games')).toEqual([{ id: 1, ...P }])
      expect((await storage.listPartitions('games')).map((p) => p.pathSuffix())).toEqual(['season=2024/week=1'])
    })

    it('never reads hidden files in a folder without commits either', async () => {
      const storage = await ctx.create()
      await storage.writeParquet('legacy/season=2024/part-0.parquet', [{ id: 1 }])
      await storage.writeParquet('legacy/season=2024/_tmp/part-0.parquet', [{ id: 2 }])
      await storage.writeBytes('legacy/season=2024/._part-0.parquet', utf8('Mac OS X resource fork'))
      await storage.writeParquet('legacy/_old/season=2023/part-0.parquet', [{ id: 3 }])
      expect(await storage.readIndex('legacy')).toEqual([{ id: 1, season: 2024 }])
    })
  })
}
