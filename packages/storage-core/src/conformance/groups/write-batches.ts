import { describe, expect, it } from '@jest/globals'
import type { Row } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'
import { byId, dataFiles, failureOf } from '../harness.js'

async function* batches(rows: readonly Row[], size: number, failAt?: number): AsyncGenerator<Row[]> {
  for (let start = 0; start < rows.length; start += size) {
    if (failAt !== undefined && start >= failAt) throw new Error('the input broke off')
    yield rows.slice(start, start + size)
  }
}

/** Plays in season/week order, as a pipeline's files come: 3 seasons x 4 weeks x 25 rows. */
const sorted: Row[] = []
for (const season of [2022, 2023, 2024]) {
  for (const week of [1, 2, 3, 4]) {
    for (let i = 0; i < 25; i++) sorted.push({ id: sorted.length, season, week, yards: (sorted.length % 17) - 4, team: `t${i % 5}` })
  }
}

export const writeBatches: ConformanceGroup = (ctx) => {
  describe('writes from batches (async iterables)', () => {
    it('writePartitioned from batches gives the table an array gives, in one version, one file per partition of sorted input', async () => {
      const storage = await ctx.create()
      expect(await storage.writePartitioned('plays', batches(sorted, 7), ['season', 'week'], { bufferRows: 40 })).toBe(300)
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(sorted))
      expect((await storage.history('plays')).map((h) => [h.version, h.rowsAdded])).toEqual([[0, 300]])
      // Partitions the input moved past are written first: each of the 12 is one file.
      expect(await dataFiles(storage, 'plays/')).toHaveLength(12)
      expect((await storage.schema('plays')).columns.map((c) => c.name)).toEqual(['id', 'yards', 'team', 'season', 'week'])
    })

    it('holds at most bufferRows of unsorted input: partitions may get several files, all in the one version', async () => {
      const storage = await ctx.create()
      const shuffled = sorted.map((_row, i) => sorted[(i * 7) % sorted.length]!)
      expect(await storage.writePartitioned('plays', batches(shuffled, 10), ['season', 'week'], { bufferRows: 30 })).toBe(300)
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(shuffled))
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
      expect((await dataFiles(storage, 'plays/')).length).toBeGreaterThan(12)
    })

    it('overwrites the partitions the batches bring and leaves the others', async () => {
      const storage = await ctx.create()
      await storage.writePartitioned('plays', sorted, ['season', 'week'])
      const week1 = sorted.filter((r) => r.week === 1).map((r) => ({ ...r, yards: 99 }))
      expect(await storage.writePartitioned('plays', batches(week1, 9), ['season', 'week'], { bufferRows: 20 })).toBe(75)
      const rows = byId(await storage.readIndex('plays'))
      expect(rows.filter((r) => r.week === 1).every((r) => r.yards === 99)).toBe(true)
      expect(rows.filter((r) => r.week !== 1)).toEqual(byId(sorted.filter((r) => r.week !== 1)))
    })

    it('takes columns that first appear in a later batch; earlier rows read null there', async () => {
      const storage = await ctx.create()
      const rows = sorted.slice(0, 100).map((r, i) => (i >= 80 ? { ...r, note: `n${i}` } : r))
      await storage.writePartitioned('plays', batches(rows, 10), ['season', 'week'], { bufferRows: 20 })
      const read = byId(await storage.readIndex('plays'))
      expect(read.map((r) => r.note)).toEqual(rows.map((r) => r.note ?? null))
    })

    it('widens a column of integers to float when a later batch brings fractions, rewriting the files written before', async () => {
      const storage = await ctx.create()
      const rows = sorted.map((r, i) => (i >= 250 ? { ...r, yards: (r.yards as number) + 0.5 } : r))
      expect(await storage.writePartitioned('plays', batches(rows, 10), ['season', 'week'], { bufferRows: 30 })).toBe(300)
      expect((await storage.schema('plays')).columns.find((c) => c.name === 'yards')?.type).toBe('float')
      expect(byId(await storage.readIndex('plays'))).toEqual(byId(rows))
      // The files encoded with integers were replaced, not left beside their rewrites.
      expect(await dataFiles(storage, 'plays/')).toHaveLength(12)
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
    })

    it.each([
      ['the input fails', batches(sorted, 10, 200), undefined],
      ['a later value does not fit a column already written', batches(sorted.map((r, i) => (i === 250 ? { ...r, yards: 'far' } : r)), 10), 'SCHEMA_MISMATCH'],
      ['a later record lacks a partition column', batches(sorted.map((r, i) => (i === 260 ? { id: i, yards: 1 } : r)), 10), 'INVALID_ARGUMENT'],
    ])('leaves nothing when %s after files were written out', async (_name, source, code) => {
      const storage = await ctx.create()
      await storage.writePartitioned('plays', [{ id: -1, season: 2021, week: 1, yards: 0, team: 'x' }], ['season', 'week'])
      const before = await storage.listFiles('')
      const failure = await failureOf(storage.writePartitioned('plays', source, ['season', 'week'], { bufferRows: 30 }))
      if (code) expect(failure.code).toBe(code)
      else expect(failure.message).toMatch(/broke off/)
      expect(await storage.listFiles('')).toEqual(before)
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0])
    })

    it('write into one partition from batches: files of bufferRows, one version; no batch at all empties it', async () => {
      const storage = await ctx.create()
      const rows = sorted.filter((r) => r.season === 2024).map(({ season: _s, week: _w, ...rest }) => rest)
      expect(await storage.write('plays', batches(rows, 8), { season: 2024 }, { bufferRows: 50 })).toBe(100)
      expect(byId(await storage.readIndex('plays', { season: 2024 }))).toEqual(byId(rows.map((r) => ({ ...r, season: 2024 }))))
      expect((await dataFiles(storage, 'plays/')).length).toBeGreaterThanOrEqual(2)
      expect(await storage.write('plays', batches([], 8), { season: 2024 })).toBe(0)
      expect(await storage.readIndex('plays', { season: 2024 })).toEqual([])
      expect((await storage.history('plays')).map((h) => h.version)).toEqual([0, 1])
    })

    it("gives back the source's own error as it was, and stops at an abort, removing what it wrote", async () => {
      const storage = await ctx.create()
      const broken = new RangeError('the input broke off')
      async function* failing(): AsyncGenerator<Row[]> {
        yield* batches(sorted.slice(0, 100), 10)
        throw broken
      }
      expect(await failureOf(storage.writePartitioned('plays', failing(), ['season', 'week'], { bufferRows: 30 }))).toBe(broken)
      const controller = new AbortController()
      async function* aborted(): AsyncGenerator<Row[]> {
        for await (const batch of batches(sorted, 10)) {
          if (batch[0]!.id === 200) controller.abort()
          yield batch
        }
      }
      const failure = await failureOf(storage.writePartitioned('plays', aborted(), ['season', 'week'], { bufferRows: 30, signal: controller.signal }))
      expect(failure).toBe(controller.signal.reason)
      expect((failure as Error).name).toBe('AbortError')
      expect(await storage.listFiles('')).toEqual([])
    })

    it('refuses a batch that is not an array, and bufferRows that is not a positive integer', async () => {
      const storage = await ctx.create()
      async function* bad(): AsyncGenerator<Row[]> {
        yield [{ id: 1, season: 2024 }]
        yield 'oops' as never
      }
      expect((await failureOf(storage.writePartitioned('plays', bad(), ['season']))).code).toBe('INVALID_ARGUMENT')
      expect((await failureOf(storage.writePartitioned('plays', [{ id: 1, season: 2024 }], ['season'], { bufferRows: 0 }))).code).toBe('INVALID_ARGUMENT')
      expect(await storage.listFiles('plays/')).toEqual([])
    })
  })
}
