import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'
import { byId, collect } from '../harness.js'

const rows = (from: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, yards: (from + i) % 7 }))

export const scan: ConformanceGroup = (ctx) => {
  describe('scan', () => {
    let storage: StorageBackend

    beforeAll(async () => {
      storage = await ctx.create()
      await storage.write('plays', rows(1, 25), { season: 2024, week: 1 })
      await storage.write('plays', rows(26, 12), { season: 2024, week: 2 })
      await storage.write('plays', rows(38, 3), { season: 2024, week: 2 }, { overwrite: false })
    })

    it('yields batches of at most batchSize rows that add up to every row', async () => {
      const batches = await collect(storage.scan('plays', undefined, { batchSize: 10 }))
      expect(batches.length).toBeGreaterThanOrEqual(4)
      for (const batch of batches) {
        expect(batch.length).toBeGreaterThan(0)
        expect(batch.length).toBeLessThanOrEqual(10)
      }
      expect(batches.flat()).toHaveLength(40)
    })

    it('fills every batch but the last, and a batch larger than the table holds every row, with no gaps', async () => {
      const sevens = await collect(storage.scan('plays', undefined, { batchSize: 7 }))
      expect(sevens.map((batch) => batch.length)).toEqual([7, 7, 7, 7, 7, 5])
      const [whole, ...more] = await collect(storage.scan('plays', undefined, { batchSize: Number.MAX_SAFE_INTEGER }))
      expect(more).toEqual([])
      for (const batch of [...sevens, whole!]) expect(Object.keys(batch)).toHaveLength(batch.length)
      expect(byId(whole!)).toEqual(byId(sevens.flat()))
      expect(whole).toHaveLength(40)
    })

    it('yields the same rows as readIndex', async () => {
      const scanned = (await collect(storage.scan('plays', undefined, { batchSize: 7 }))).flat()
      expect(byId(scanned)).toEqual(byId(await storage.readIndex('plays')))
      const all = (await collect(storage.scan('plays'))).flat()
      expect(byId(all)).toEqual(byId(await storage.readIndex('plays')))
    })

    it('applies partition and row filters as readIndex does', async () => {
      const filter = { week: 2, yards: { gte: 3 } }
      const scanned = (await collect(storage.scan('plays', filter, { batchSize: 4 }))).flat()
      const read = await storage.readIndex('plays', filter)
      expect(read.length).toBeGreaterThan(0)
      expect(byId(scanned)).toEqual(byId(read))
    })

    it('yields nothing for a missing entity or a filter that matches nothing', async () => {
      expect(await collect(storage.scan('nothing'))).toEqual([])
      expect((await collect(storage.scan('plays', { season: 1999 }))).flat()).toEqual([])
    })

    it('can be abandoned after the first batch', async () => {
      let seen = 0
      for await (const batch of storage.scan('plays', undefined, { batchSize: 5 })) {
        seen += batch.length
        break
      }
      expect(seen).toBeGreaterThan(0)
      expect(seen).toBeLessThanOrEqual(5)
      expect(await storage.readIndex('plays')).toHaveLength(40)
    })
  })
}
