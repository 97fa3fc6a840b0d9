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

    it('keeps one schema across partitions: an overwrite of another type is refused too, naming both types', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1, score: 21 }], P)
      const before = await storage.listFiles('')
      const attempt = storage.write('games', [{ id: 1, score: 'twenty-one' }], { season: 2025, week: 1 })
      await expect(attempt).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' })
      await expect(attempt).rejects.toThrow(/score.*integer.*string/)
      expect(await storage.listFiles('')).toEqual(before)
    })

    it('types a table from all records of its first write, across partitions', async () => {
      const storage = await ctx.create()
      await storage.writePartitioned('plays', [{ id: 1, yards: 2, week: 1 }, { id: 2, yards: 1.5, week: 2 }], ['week'])
      const info = await storage.schema('plays')
      expect(info.columns.find((c) => c.name === 'yards')).toMatchObject({ type: 'float', deltaType: 'double' })
      expect(info.columns.find((c) => c.name === 'id')).toMatchObject({ type: 'int', deltaType: 'long' })
      expect(info.partitionBy).toEqual(['week'])
      // An integer in a float column is stored as the float it is.
      await storage.write('plays', [{ id: 3, yards: 7 }], { week: 3 })
      expect((await storage.readIndex('plays', { week: 3 }))[0]).toEqual({ id: 3, yards: 7, week: 3 })
    })

    it('gives a column with no value yet the type of the first values a later write brings', async () => {
      const storage = await ctx.create()
      await storage.write('games', [{ id: 1, note: null }], P)
      expect((await storage.schema('games')).columns.find((c) => c.name === 'note')).toMatchObject({ type: 'null' })
      await storage.write('games', [{ id: 2, note: 5 }], { season: 2024, week: 2 })
      expect((await storage.schema('games')).columns.find((c) => c.name === 'note')).toMatchObject({ type: 'int' })
      expect(byId(await storage.readIndex('games'))).toEqual([
        { id: 1, note: null, ...P },
        { id: 2, note: 5, season: 2024, week: 2 },
      ])
      await expect(storage.write('games', [{ id: 3, note: 'x' }], P, { overwrite: false })).rejects.toMatchObject({
        code: 'SCHEMA_MISMATCH',
      })
    })

    it('takes a declared schema up front (createTable), and refuses values that do not fit it', async () => {
      const storage = await ctx.create()
      await storage.createTable('zips', {
        schema: { columns: [{ name: 'zip', type: 'string' }, { name: 'state', type: 'string' }, { name: 'pop', type: 'float' }] },
        partitionBy: ['state'],
      })
      expect(await storage.readIndex('zips')).toEqual([])
      await storage.write('zips', [{ zip: '02134', pop: 10 }], { state: 'MA' })
      expect(await storage.readIndex('zips')).toEqual([{ zip: '02134', pop: 10, state: 'MA' }])
      await expect(storage.write('zips', [{ zip: 2134 }], { state: 'MA' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' })
      await expect(storage.createTable('zips', { schema: { columns: [] } })).rejects.toMatchObject({ code: 'CONFLICT' })
    })
  })
}
