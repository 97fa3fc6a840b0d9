import { describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'
import { byId, dataFiles } from '../harness.js'

const P = { season: 2024 }

/** Writes `values` as column `v` (with an `id`) and reads them back in order, partition column removed. */
async function roundTrip(storage: StorageBackend, values: readonly unknown[]): Promise<unknown[]> {
  const records = values.map((v, id) => ({ id, v }))
  expect(await storage.write('types', records, P)).toBe(values.length)
  const rows = byId(await storage.readIndex('types'))
  expect(rows.map((row) => row.season)).toEqual(values.map(() => 2024))
  return rows.map((row) => row.v)
}

export const typesRoundTrip: ConformanceGroup = (ctx) => {
  describe('types round trip', () => {
    it('round-trips integers as numbers, up to the safe-integer limits', async () => {
      const values = [0, 1, -1, 42, 2_147_483_647, -2_147_483_648, 2 ** 40, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
      for (const v of back) expect(typeof v).toBe('number')
    })

    it('round-trips floats exactly', async () => {
      const values = [1.5, -0.25, 0.1 + 0.2, Math.PI, 1e-300, 5e-324, Number.MAX_VALUE, -1e21]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
    })

    it('round-trips whole numbers beyond the int64 range as numbers', async () => {
      const values = [2 ** 63, -(2 ** 64), 1e21, -1e300, Number.MAX_VALUE]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
      for (const v of back) expect(typeof v).toBe('number')
    })

    it('round-trips bigints as bigints across the int64 range', async () => {
      const values = [0n, 1n, -1n, 9_007_199_254_740_993n, 2n ** 63n - 1n, -(2n ** 63n)]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
      for (const v of back) expect(typeof v).toBe('bigint')
    })

    it('round-trips booleans', async () => {
      expect(await roundTrip(await ctx.create(), [true, false, true])).toEqual([true, false, true])
    })

    it('round-trips strings: unicode, empty, long, and text that looks like other types', async () => {
      const values = [
        'plain',
        '',
        ' leading and trailing ',
        'São Paulo · Zürich · 日本語 · 😀👍🏽 · עברית',
        'tab\tnew\nline\r\nquote" comma, backslash\\',
        'nul\u0000inside',
        '123',
        '1.5',
        'true',
        'null',
        '2024-09-01T00:00:00.000Z',
        '{"a":1}',
        'x'.repeat(100_000),
      ]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
    })

    it('round-trips Dates to the millisecond, before and after 1970', async () => {
      const values = [
        new Date('2024-09-01T19:30:00.123Z'),
        new Date(0),
        new Date('1869-11-06T15:00:00.000Z'),
        new Date('2100-01-01T00:00:00.001Z'),
      ]
      const back = await roundTrip(await ctx.create(), values)
      for (const v of back) expect(v).toBeInstanceOf(Date)
      expect(back.map((d) => (d as Date).getTime())).toEqual(values.map((d) => d.getTime()))
    })

    it('round-trips nulls, in a column of values and in a column of only nulls', async () => {
      const storage = await ctx.create()
      const records = [
        { id: 0, n: 1, s: null, all: null },
        { id: 1, n: null, s: 'x', all: null },
        { id: 2, n: 3, s: null, all: null },
      ]
      await storage.write('types', records, P)
      expect(byId(await storage.readIndex('types'))).toEqual(records.map((r) => ({ ...r, ...P })))
    })

    it('round-trips nested JSON objects and arrays exactly', async () => {
      const values = [
        { a: 1, b: [1, 2.5, 'x', null, true, { c: { d: [] } }], e: {}, 'key with space': 'é' },
        [1, 'two', [3, [4]], { five: 5 }],
        [],
        {},
      ]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
    })

    it('round-trips column names with spaces, punctuation and unicode', async () => {
      const storage = await ctx.create()
      const records = [{ id: 1, 'yards gained': 12, 'rate%': 0.5, 'équipe': 'Navy', '日本': true }]
      await storage.write('types', records, P)
      expect(await storage.readIndex('types')).toEqual([{ ...records[0], ...P }])
    })

    it('returns the rows of one write in the order they were written', async () => {
      const storage = await ctx.create()
      const records = [5, 3, 9, 1, 7].map((id) => ({ id }))
      await storage.write('types', records, P)
      expect((await storage.readIndex('types')).map((row) => row.id)).toEqual([5, 3, 9, 1, 7])
    })

    it('gives partition columns back with the type they were written with', async () => {
      const storage = await ctx.create()
      await storage.write('numeric', [{ id: 1 }], { season: 2024, week: 1 })
      await storage.write('text', [{ id: 1 }], { season: '2024', week: '01' })
      await storage.write('flags', [{ id: 1 }], { neutral: true, site: null })
      expect(await storage.readIndex('numeric')).toEqual([{ id: 1, season: 2024, week: 1 }])
      expect(await storage.readIndex('text')).toEqual([{ id: 1, season: '2024', week: '01' }])
      expect(await storage.readIndex('flags')).toEqual([{ id: 1, neutral: true, site: null }])
      const [text] = await storage.listPartitions('text')
      expect(text?.values).toEqual({ season: '2024', week: '01' })
    })

    it('widens a column of integers and floats to float', async () => {
      const values = [1, 2.5, -3, 0]
      const back = await roundTrip(await ctx.create(), values)
      expect(back).toEqual(values)
    })

    it('rejects a column mixing incompatible types with SCHEMA_MISMATCH naming the column, writing nothing', async () => {
      const storage = await ctx.create()
      const cases: Row[][] = [
        [{ id: 1, score: 1 }, { id: 2, score: 'one' }],
        [{ id: 1, score: true }, { id: 2, score: 0 }],
        [{ id: 1, score: new Date(0) }, { id: 2, score: '1970-01-01' }],
      ]
      for (const records of cases) {
        const attempt = storage.write('types', records, P)
        await expect(attempt).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' })
        await expect(attempt).rejects.toThrow(/score/)
      }
      expect(await storage.listFiles('')).toEqual([])
    })

    it('fills columns a record does not have with null', async () => {
      const storage = await ctx.create()
      await storage.write('types', [{ id: 1, a: 1 }, { id: 2, b: 'x' }, { id: 3 }], P)
      expect(byId(await storage.readIndex('types'))).toEqual([
        { id: 1, a: 1, b: null, ...P },
        { id: 2, a: null, b: 'x', ...P },
        { id: 3, a: null, b: null, ...P },
      ])
    })

    it('accepts a record carrying a partition key with the same value, and keeps it out of the file', async () => {
      const storage = await ctx.create()
      expect(await storage.write('types', [{ id: 1, season: 2024 }], P)).toBe(1)
      expect(await storage.readIndex('types')).toEqual([{ id: 1, season: 2024 }])
      const [file] = await dataFiles(storage, 'types/')
      expect(file).toBeDefined()
      expect(Object.keys((await storage.readParquet(file!))[0] ?? {})).toEqual(['id'])
    })

    it('rejects a record carrying a partition key with a different value, writing nothing', async () => {
      const storage = await ctx.create()
      await expect(storage.write('types', [{ id: 1, season: 2024 }, { id: 2, season: 2023 }], P)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect(await storage.listFiles('')).toEqual([])
    })
  })
}
