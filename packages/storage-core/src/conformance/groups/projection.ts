import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'
import { byId, collect } from '../harness.js'

const ROWS: Row[] = [
  { id: 1, team: 'A', yards: 10, note: 'x' },
  { id: 2, team: 'B', yards: 20, note: null },
  { id: 3, team: 'A', yards: 30, note: 'z' },
]

export const projection: ConformanceGroup = (ctx) => {
  describe('projection', () => {
    let storage: StorageBackend

    beforeAll(async () => {
      storage = await ctx.create()
      await storage.write('plays', ROWS.slice(0, 2), { season: 2024, week: 1 })
      await storage.write('plays', ROWS.slice(2), { season: 2024, week: 2 })
    })

    it('returns only the named columns', async () => {
      const rows = await storage.readIndex('plays', undefined, { columns: ['id', 'yards'] })
      expect(byId(rows)).toEqual(ROWS.map(({ id, yards }) => ({ id, yards })))
      for (const row of rows) expect(Object.keys(row).sort()).toEqual(['id', 'yards'])
    })

    it('includes a partition column when it is named, with its written type', async () => {
      const rows = await storage.readIndex('plays', undefined, { columns: ['id', 'week'] })
      expect(byId(rows)).toEqual([
        { id: 1, week: 1 },
        { id: 2, week: 1 },
        { id: 3, week: 2 },
      ])
      for (const row of rows) expect(Object.keys(row).sort()).toEqual(['id', 'week'])
    })

    it('filters on columns that are not projected', async () => {
      const rows = await storage.readIndex('plays', { team: 'A', season: 2024 }, { columns: ['yards'] })
      expect(rows.map((row) => row.yards).sort()).toEqual([10, 30])
      for (const row of rows) expect(Object.keys(row)).toEqual(['yards'])
    })

    it('projects the same way when scanning', async () => {
      const batches = await collect(storage.scan('plays', { week: 1 }, { columns: ['team'] }))
      const rows = batches.flat()
      expect(rows.map((row) => row.team).sort()).toEqual(['A', 'B'])
      for (const row of rows) expect(Object.keys(row)).toEqual(['team'])
    })

    it('fails with INVALID_ARGUMENT for a column the entity does not have', async () => {
      await expect(storage.readIndex('plays', undefined, { columns: ['id', 'nope'] })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
    })
  })
}
