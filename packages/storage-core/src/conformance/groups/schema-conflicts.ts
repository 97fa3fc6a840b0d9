import { describe, expect, it } from '@jest/globals'
import type { ConformanceGroup } from '../context.js'
import { byId } from '../harness.js'

const P = { season: 2024, week: 1 }

export const schemaConflicts: ConformanceGroup = (ctx) => {
  describe('schema conflicts', () => {
    it('rejects an append whose column type conflicts with the partition, writing nothing', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1, score: 21 }], P)
      const before = await storage.listFiles('')
      const attempt = storage.write('games', [{ id: 2, score: 'twenty' }], P, { overwrite: false })
      await expect(attempt).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' })
      await expect(attempt).rejects.toThrow(/score/)
      expect(await storage.listFiles('')).toEqual(before)
      expect(await storage.readIndex('games')).toEqual([{ id: 1, score: 21, ...P }])
    })

    it('rejects a conflict with an earlier append too, not only with the first write', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.write('games', [{ id: 2, home: true }], P, { overwrite: false })
      await expect(
        storage.write('games', [{ id: 3, home: 'yes' }], P, { overwrite: false }),
      ).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' })
      expect(byId(await storage.readIndex('games')).map((row) => row.id)).toEqual([1, 2])
    })

    it('lets an append add a column: earlier rows read it as null', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1 }], P)
      await storage.write('games', [{ id: 2, venue: 'Bryant-Denny' }], P, { overwrite: false })
      expect(byId(await storage.readIndex('games'))).toEqual([
        { id: 1, venue: null, ...P },
        { id: 2, venue: 'Bryant-Denny', ...P },
      ])
    })

    it('lets an overwrite change a column type: the old data is gone', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1, score: 21 }], P)
      await storage.write('games', [{ id: 1, score: 'twenty-one' }], P)
      expect(await storage.readIndex('games')).toEqual([{ id: 1, score: 'twenty-one', ...P }])
    })
  })
}
