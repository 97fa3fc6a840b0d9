import { describe, expect, it } from '@jest/globals'
import { ObjectStorage } from '../src/facade/object-storage.js'
import { MemoryObjectStore } from '../src/store/memory-object-store.js'

/** The `add.stats` of each file a write committed, parsed. */
async function statsOf(rows: Record<string, unknown>[], partitionBy: string[] = []) {
  const store = new MemoryObjectStore()
  const storage = new ObjectStorage(store)
  if (partitionBy.length > 0) await storage.writePartitioned('t', rows, partitionBy)
  else await storage.write('t', rows, {})
  const log = new TextDecoder().decode(await store.get('t/_delta_log/00000000000000000000.json'))
  return log
    .split('\n')
    .filter((line) => line.includes('"add"'))
    .map((line) => JSON.parse(JSON.parse(line).add.stats))
}

describe('file statistics in the log', () => {
  it('gives row and null counts and min/max of ordered columns, as Delta readers expect them', async () => {
    const [stats] = await statsOf([
      { id: 3, score: 1.5, team: 'Navy', at: new Date('2024-09-01T17:00:00.000Z'), big: 2n ** 60n, ok: true, meta: { a: 1 } },
      { id: -7, score: Number.NaN, team: 'Army', at: new Date('2023-01-02T03:04:05.678Z'), big: -(2n ** 62n), ok: false, meta: null },
      { id: 12, score: null, team: null, at: null, big: null, ok: null, meta: null },
    ])
    expect(stats).toEqual({
      numRecords: 3,
      minValues: { id: -7, score: 1.5, team: 'Army', at: '2023-01-02T03:04:05.678Z', big: -(2 ** 62) },
      maxValues: { id: 12, score: 1.5, team: 'Navy', at: '2024-09-01T17:00:00.000Z', big: 2 ** 60 },
      nullCount: { id: 0, score: 1, team: 1, at: 1, big: 1, ok: 1, meta: 2 },
    })
  })

  it('writes bigints exactly, beyond what a double holds', async () => {
    const [stats] = await statsOf([{ big: 2n ** 62n + 1n }, { big: 5n }])
    const log = JSON.stringify(stats)
    expect(log).toContain('"big":5')
    // JSON.parse rounded it; the text of the log is what readers parse exactly.
    expect(stats.maxValues.big).toBe(Number(2n ** 62n + 1n))
  })

  it('orders text by code point, as readers compare UTF-8 bytes, not by UTF-16 unit', async () => {
    // In UTF-16 "\u{1F600}" (a surrogate pair, 0xD83D...) sorts before "\uFFFD"; by code point after.
    const [stats] = await statsOf([{ s: '\uFFFD' }, { s: '\u{1F600}' }, { s: 'a' }])
    expect(stats.minValues.s).toBe('a')
    expect(stats.maxValues.s).toBe('\u{1F600}')
  })

  it('gives no bounds for text over 32 characters, infinite floats, booleans or JSON', async () => {
    const [stats] = await statsOf([
      { long: 'x'.repeat(33), inf: Number.POSITIVE_INFINITY, ok: true, meta: [1] },
      { long: 'y', inf: 1, ok: false, meta: [2] },
    ])
    expect(stats.minValues).toEqual({})
    expect(stats.maxValues).toEqual({})
    expect(stats.nullCount).toEqual({ long: 0, inf: 0, ok: 0, meta: 0 })
  })

  it('bounds a file of several row groups by all of them', async () => {
    // Row groups hold 100,000 rows: the least and greatest values and a null are in the second.
    const rows = Array.from({ length: 150_000 }, (_, i) => ({ id: i === 120_000 ? -5 : i === 149_999 ? null : i, team: i === 130_000 ? 'Aa' : 'Navy' }))
    const [stats] = await statsOf(rows)
    expect(stats).toEqual({ numRecords: 150_000, minValues: { id: -5, team: 'Aa' }, maxValues: { id: 149_998, team: 'Navy' }, nullCount: { id: 1, team: 0 } })
  })

  it('gives each partition file its own bounds, without the partition columns', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ week: 1 + (i % 2), id: i, team: `t${i % 97}` }))
    const stats = await statsOf(rows, ['week'])
    expect(stats.map((s) => [s.numRecords, s.minValues.id, s.maxValues.id, s.minValues.team, s.maxValues.team]).sort()).toEqual([
      [2500, 0, 4998, 't0', 't96'],
      [2500, 1, 4999, 't0', 't96'],
    ])
    for (const s of stats) expect(Object.keys(s.nullCount)).toEqual(['id', 'team'])
  })
})
