/**
 * scanColumns gives the rows scan gives, by column: the same values under the same names in the
 * same order (the CLI's CSV output is written from it and must not change), for tables, projections,
 * filters, older versions, schema changes and plain folders.
 */
import { describe, expect, it } from '@jest/globals'
import { MemoryStorage } from '../src/facade/memory-storage.js'
import type { Filters, ScanOptions } from '../src/index.js'

type Row = Record<string, unknown>

async function viaScan(storage: MemoryStorage, entity: string, filters?: Filters, options?: ScanOptions): Promise<Row[]> {
  const rows: Row[] = []
  for await (const batch of storage.scan(entity, filters, options)) rows.push(...batch)
  return rows
}

/** The slices made rows again, keys in the slices' order; and whether any slice was empty. */
async function viaColumns(storage: MemoryStorage, entity: string, filters?: Filters, options?: ScanOptions): Promise<{ rows: Row[]; empty: boolean }> {
  const rows: Row[] = []
  let empty = false
  for await (const slice of storage.scanColumns(entity, filters, options)) {
    if (slice.length === 0) empty = true
    for (let i = 0; i < slice.length; i++) {
      const row: Row = {}
      slice.names.forEach((name, j) => {
        row[name] = slice.values[j]![i]
      })
      rows.push(row)
    }
  }
  return { rows, empty }
}

async function expectSame(storage: MemoryStorage, entity: string, filters?: Filters, options?: ScanOptions): Promise<number> {
  const expected = await viaScan(storage, entity, filters, options)
  const { rows, empty } = await viaColumns(storage, entity, filters, options)
  expect(empty).toBe(false)
  expect(rows).toEqual(expected)
  expect(rows.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)))
  return rows.length
}

function records(n: number, season: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    season,
    week: 1 + (i % 3),
    team: i % 11 === 0 ? null : ['Navy', 'Army', 'Air Force'][i % 3],
    score: i % 13 === 0 ? null : i / 7,
    big: BigInt(i) * 10n ** 15n,
    at: new Date(Date.UTC(2024, 8, 1) + i * 1000),
    flag: i % 2 === 0,
    meta: i % 9 === 0 ? { drive: i } : null,
    nothing: null,
  }))
}

describe('scanColumns', () => {
  it('gives the rows scan gives, for every read a scan takes', async () => {
    const storage = new MemoryStorage()
    await storage.writePartitioned('plays', records(9000, 2023), ['season', 'week'])
    // A later column: older files lack it, and their rows get null.
    await storage.writePartitioned('plays', records(300, 2024).map((r) => ({ ...r, extra: 'x' })), ['season', 'week'], { overwrite: false })
    expect(await expectSame(storage, 'plays')).toBe(9300)
    await expectSame(storage, 'plays', undefined, { columns: ['at', 'season', 'id', 'extra', 'at'] })
    await expectSame(storage, 'plays', { season: 2024, week: [1, 2] })
    await expectSame(storage, 'plays', { score: { gte: 100 }, team: 'Navy' })
    await expectSame(storage, 'plays', { id: { lt: 5000 } }, { columns: ['team', 'week'] })
    expect(await expectSame(storage, 'plays', undefined, { version: 0 })).toBe(9000)
    expect((await viaColumns(storage, 'plays', { season: 1999 })).rows).toEqual([])
  })

  it('reads a plain folder as scan does', async () => {
    const storage = new MemoryStorage()
    await storage.writeParquet('plain/season=2023/part-0.parquet', records(50, 2023).map(({ season, ...r }) => r))
    await storage.writeParquet('plain/season=2024/part-0.parquet', records(20, 2024).map(({ season, meta, ...r }) => ({ ...r, more: 1 })))
    await expectSame(storage, 'plain')
    await expectSame(storage, 'plain', { season: 2024 }, { columns: ['more', 'season'] })
    await expect(viaColumns(storage, 'plain', undefined, { columns: ['nope'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('gives a plain file the value of its folder for a partition column it also holds, as the last column', async () => {
    const storage = new MemoryStorage()
    await storage.writeParquet('held/season=2024/part-0.parquet', [{ season: 1999, id: 1, team: 'Navy' }])
    await storage.writeParquet('held/season=2023/part-0.parquet', [{ id: 2 }])
    await expectSame(storage, 'held')
    const rows = await viaScan(storage, 'held', { team: null })
    expect(rows.map((r) => Object.entries(r))).toEqual([
      [
        ['id', 2],
        ['team', null],
        ['season', 2023],
      ],
    ])
    expect((await viaScan(storage, 'held', { season: 2024 })).map((r) => Object.entries(r))).toEqual([
      [
        ['id', 1],
        ['team', 'Navy'],
        ['season', 2024],
      ],
    ])
  })
})
