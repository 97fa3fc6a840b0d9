import { describe, expect, it } from '@jest/globals'
import { type Filters, matchesCondition, normalizeFilters } from '../src/filters/filters.js'
import { compareText } from '../src/keys/key-order.js'
import { MemoryStorage } from '../src/facade/memory-storage.js'

describe('filters', () => {
  it('treat 2024 and "2024" alike and compare numbers numerically', () => {
    expect(matchesCondition('2024', { eq: 2024 })).toBe(true)
    expect(matchesCondition(2024, { eq: '2024' })).toBe(true)
    expect(matchesCondition('10', { gt: 9 })).toBe(true)
    expect(matchesCondition('10', { gt: '9' })).toBe(true)
  })

  it('never match null with ordering operators, as in SQL', () => {
    expect(matchesCondition(null, { gte: 0 })).toBe(false)
    expect(matchesCondition(null, { eq: null })).toBe(true)
    expect(matchesCondition(0, { eq: null })).toBe(false)
  })

  it('compare dates and bigints by value', () => {
    expect(matchesCondition(new Date(5), { eq: new Date(5) })).toBe(true)
    expect(matchesCondition(10n, { gte: 10 })).toBe(true)
    expect(matchesCondition(2n ** 60n, { in: [2n ** 60n] })).toBe(true)
  })

  it('reject unknown operators with INVALID_ARGUMENT', () => {
    expect(() => normalizeFilters({ a: { like: 'x' } as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => normalizeFilters({ a: (() => 1) as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })
})

describe('filter order and NaN', () => {
  it('orders text by code point, as Parquet statistics and DuckDB, pyarrow and polars do', () => {
    // U+FF5E sorts before U+1F600 by code point, after its UTF-16 surrogates by code unit.
    expect(matchesCondition('😀', { gt: '～' })).toBe(true)
    expect(matchesCondition('😀', { gt: '～z' })).toBe(true)
    expect(matchesCondition('～', { lt: '😀' })).toBe(true)
    expect(matchesCondition('～', { gt: '😀' })).toBe(false)
    expect(compareText('a', 'ab')).toBe(-1)
    expect(compareText('\uE000', '\uD800\uDC00')).toBe(-1)
    const words = ['😀', '～', 'z', 'é', 'A', '\uFFFF', '𝔸']
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    expect([...words].sort(compareText)).toEqual(byBytes)
  })

  it('never orders NaN, and treats NaN as equal to NaN', () => {
    for (const range of [{ gt: 1 }, { gte: 1 }, { lt: 1 }, { lte: 1 }, { gt: Number.NEGATIVE_INFINITY }, { lt: Number.POSITIVE_INFINITY }]) {
      expect(matchesCondition(Number.NaN, range)).toBe(false)
    }
    expect(matchesCondition(5, { gt: Number.NaN })).toBe(false)
    expect(matchesCondition(5, { lt: Number.NaN })).toBe(false)
    expect(matchesCondition(Number.NaN, { eq: Number.NaN })).toBe(true)
    expect(matchesCondition(Number.NaN, { in: [1, Number.NaN] })).toBe(true)
    expect(matchesCondition(Number.NaN, { ne: Number.NaN })).toBe(false)
    expect(matchesCondition(Number.NaN, { ne: 1 })).toBe(true)
    expect(matchesCondition(1, { eq: Number.NaN })).toBe(false)
  })

  it('compares a timestamp with ISO-8601 text as an instant (naive text is UTC), and refuses other text', () => {
    const at = new Date('1998-12-31T23:00:00Z')
    expect(matchesCondition(at, { lt: '1999-01-01' })).toBe(true)
    expect(matchesCondition(new Date('1999-06-01T00:00:00Z'), { lt: '1999-01-01' })).toBe(false)
    expect(matchesCondition(at, { eq: '1998-12-31T23:00:00' })).toBe(true)
    expect(matchesCondition(at, { eq: '1998-12-31 17:00:00-06:00' })).toBe(true)
    expect(matchesCondition(at, { gte: '1998-12-31T23:00:00.001Z' })).toBe(false)
    expect(() => matchesCondition(at, { lt: 'yesterday' }, 'wallclock')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('wallclock') }),
    )
    expect(() => matchesCondition(at, { lt: '1' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })
})

describe('filters through a dataset read', () => {
  it('find an emoji above U+FF5E and compare a Date column with date text', async () => {
    const storage = new MemoryStorage()
    const rows = [
      { id: 1, s: '😀', wallclock: new Date('1998-06-01T00:00:00Z') },
      { id: 2, s: '～', wallclock: new Date('2001-06-01T00:00:00Z') },
      { id: 3, s: 'a', wallclock: new Date('1999-01-01T00:00:00Z') },
    ]
    await storage.write('t', rows, {})
    const ids = async (filters: Filters) => (await storage.readIndex('t', filters)).map((r) => r.id)
    expect(await ids({ s: { gt: '～' } })).toEqual([1])
    expect(await ids({ wallclock: { lt: '1999-01-01' } })).toEqual([1])
    expect(await ids({ wallclock: { lte: '1999-01-01T00:00:00' } })).toEqual([1, 3])
    await expect(ids({ wallclock: { lt: 'last year' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
