import { describe, expect, it } from '@jest/globals'
import { matchesCondition, normalizeFilters } from '../src/filters.js'

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
