import { describe, expect, it } from '@jest/globals'
import type { ConformanceGroup } from '../context.js'
import { fromUtf8, utf8 } from '../harness.js'

const ROWS = [
  { id: 1, team: 'Alabama', yards: 12.5, home: true },
  { id: 2, team: 'Texas A&M', yards: -3, home: false },
  { id: 3, team: 'Ole Miss', yards: 0, home: true },
]

export const pathApi: ConformanceGroup = (ctx) => {
  describe('path API', () => {
    it('writes and reads Parquet by path, creating intermediate folders', async () => {
      const storage = await ctx.create()
      expect(await storage.writeParquet('raw/2024/deep/games.parquet', ROWS)).toBe(3)
      expect(await storage.exists('raw/2024/deep/games.parquet')).toBe(true)
      expect(await storage.readParquet('raw/2024/deep/games.parquet')).toEqual(ROWS)
    })

    it('reads only the named columns of a Parquet file', async () => {
      const storage = await ctx.create()
      await storage.writeParquet('raw/games.parquet', ROWS)
      const rows = await storage.readParquet('raw/games.parquet', { columns: ['team', 'id'] })
      expect(rows).toEqual(ROWS.map(({ id, team }) => ({ id, team })))
      for (const row of rows) expect(Object.keys(row).sort()).toEqual(['id', 'team'])
    })

    it('replaces a Parquet file written twice to the same path', async () => {
      const storage = await ctx.create()
      await storage.writeParquet('raw/games.parquet', ROWS)
      await storage.writeParquet('raw/games.parquet', [{ id: 9, team: 'Navy', yards: 1, home: false }])
      expect(await storage.readParquet('raw/games.parquet')).toEqual([{ id: 9, team: 'Navy', yards: 1, home: false }])
    })

    it('writes and reads CSV by path, quoting commas, quotes and newlines', async () => {
      const storage = await ctx.create()
      const rows = [
        { id: 1, name: 'plain', score: 1.5 },
        { id: 2, name: 'comma, inside', score: -2 },
        { id: 3, name: 'say "hi"', score: 0 },
        { id: 4, name: 'two\nlines', score: 100 },
      ]
      expect(await storage.writeCsv('raw/names.csv', rows)).toBe(4)
      const text = fromUtf8(await storage.readBytes('raw/names.csv'))
      expect(text.split(/\r?\n/)[0]).toBe('id,name,score')
      const back = await storage.readCsv('raw/names.csv')
      expect(back).toHaveLength(4)
      expect(back.map((row) => row.name)).toEqual(rows.map((row) => row.name))
      expect(back.map((row) => Number(row.id))).toEqual([1, 2, 3, 4])
      expect(back.map((row) => Number(row.score))).toEqual([1.5, -2, 0, 100])
    })

    it('writes and reads arbitrary bytes, and a second write replaces the first', async () => {
      const storage = await ctx.create()
      const all = Uint8Array.from({ length: 256 }, (_, i) => i)
      await storage.writeBytes('blobs/all.bin', all)
      expect([...(await storage.readBytes('blobs/all.bin'))]).toEqual([...all])
      await storage.writeBytes('blobs/all.bin', utf8('short'))
      expect(fromUtf8(await storage.readBytes('blobs/all.bin'))).toBe('short')
    })

    it('fails with NOT_FOUND when reading a missing path', async () => {
      const storage = await ctx.create()
      await expect(storage.readBytes('missing.bin')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(storage.readParquet('missing.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(storage.readCsv('missing.csv')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('fails with CORRUPT_DATA when a Parquet path holds something else', async () => {
      const storage = await ctx.create()
      await storage.writeBytes('raw/not.parquet', utf8('id,team\n1,Alabama\n'))
      await expect(storage.readParquet('raw/not.parquet')).rejects.toMatchObject({ code: 'CORRUPT_DATA' })
    })

    it('gives a full path that starts at the root and ends with the key', async () => {
      const storage = await ctx.create()
      const root = storage.root()
      expect(typeof root).toBe('string')
      expect(root.length).toBeGreaterThan(0)
      const full = storage.getFullPath('games/season=2024/part-0.parquet')
      expect(full.startsWith(root)).toBe(true)
      expect(full.endsWith('games/season=2024/part-0.parquet')).toBe(true)
      expect(storage.getFullPath('other.bin')).not.toBe(full)
    })
  })
}
