import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseIsoTimestamp } from '../src/codecs/iso-timestamp.js'

describe('parseIsoTimestamp', () => {
  it('reads back every instant a Date prints, and its naive form as UTC', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }), (date) => {
        const iso = date.toISOString()
        expect(parseIsoTimestamp(iso)).toBe(date.getTime())
        expect(parseIsoTimestamp(iso.slice(0, -1))).toBe(date.getTime())
      }),
    )
  })

  it('applies offsets, floors sub-millisecond digits, and refuses what is not an ISO-8601 date', () => {
    expect(parseIsoTimestamp('2024-09-01 12:00:00-05:00')).toBe(Date.UTC(2024, 8, 1, 17))
    expect(parseIsoTimestamp('2024-09-01T12:00:00+0530')).toBe(Date.UTC(2024, 8, 1, 6, 30))
    expect(parseIsoTimestamp('1969-12-31T23:59:59.999999')).toBe(-1)
    expect(parseIsoTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29))
    for (const text of ['1', '2024', '2023-02-29', '2024-13-01', '2024-09-01T25:00', 'Sep 1 2024', '2024/09/01', '']) {
      expect(parseIsoTimestamp(text)).toBeUndefined()
    }
  })
})
