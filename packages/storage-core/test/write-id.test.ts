import { describe, expect, it } from '@jest/globals'
import { newWriteId, writeIdTime } from '../src/dataset/write-id.js'

describe('write ids', () => {
  it('sort by creation order as text, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newWriteId(1_700_000_000_000))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('carry the time they were made', () => {
    const now = Date.UTC(2026, 10, 24, 12, 0, 0)
    expect(writeIdTime(newWriteId(now + 5000))).toBe(now + 5000)
    const later = newWriteId(now + 6000)
    // A clock that steps back never produces an id that sorts before one already issued.
    expect(newWriteId(now + 5001) > later).toBe(true)
  })
})
