import { describe, expect, it } from '@jest/globals'
import { PartitionBuffers } from '../src/dataset/write-buffer.js'
import { Partition } from '../src/partition/partition.js'

const rowsOf = (week: number, count: number) => ({ partition: new Partition({ week }), records: Array.from({ length: count }, (_, id) => ({ id, week })) })
const weeks = (groups: { partition: Partition; records: readonly unknown[] }[]) => groups.map((g) => [g.partition.values.week, g.records.length])

describe('PartitionBuffers', () => {
  it('writes out the partitions the input moved past, keeping the one it is in', () => {
    const buffers = new PartitionBuffers()
    buffers.add([rowsOf(1, 30)])
    buffers.add([rowsOf(1, 5), rowsOf(2, 10)])
    expect(buffers.overflow(50)).toEqual([])
    buffers.add([rowsOf(2, 20)])
    // 65 held: week 1 got nothing from the latest batch, so it goes whole; week 2 (30) stays.
    expect(weeks(buffers.overflow(50))).toEqual([[1, 35]])
    expect(buffers.rows).toBe(30)
    expect(weeks(buffers.drain())).toEqual([[2, 30]])
  })

  it('with every partition still fed, takes the largest until half the limit is held, for any input', () => {
    const buffers = new PartitionBuffers()
    let max = 0
    for (let batch = 0; batch < 200; batch++) {
      buffers.add([1, 2, 3, 4, 5].map((week) => rowsOf(week, (batch * week) % 7)))
      max = Math.max(max, buffers.rows)
      const before = buffers.rows
      const taken = buffers.overflow(40)
      const out = taken.reduce((n, g) => n + g.records.length, 0)
      expect(buffers.rows).toBe(before - out)
      if (before > 40) expect(buffers.rows).toBeLessThanOrEqual(40)
    }
    // At most the limit plus one batch (5 partitions x 6 rows) was ever held.
    expect(max).toBeLessThanOrEqual(40 + 30)
  })

  it('joins 2024 and "2024" as one partition, and remembers partitions given no rows', () => {
    const buffers = new PartitionBuffers()
    buffers.add([{ partition: new Partition({ season: 2024 }), records: [{ id: 1 }] }])
    buffers.add([{ partition: new Partition({ season: '2024' }), records: [{ id: 2 }] }, { partition: new Partition({ season: 2025 }), records: [] }])
    const [held] = buffers.drain()
    expect(held!.records).toEqual([{ id: 1 }, { id: 2 }])
    expect(buffers.partitions().map((p) => p.pathSuffix())).toEqual(['season=2024', 'season=2025'])
  })

  it('never changes the arrays it was given', () => {
    const buffers = new PartitionBuffers()
    const given = [{ id: 1 }]
    buffers.add([{ partition: new Partition({ week: 1 }), records: given }])
    buffers.add([{ partition: new Partition({ week: 1 }), records: [{ id: 2 }] }])
    expect(buffers.drain()[0]!.records).toHaveLength(2)
    expect(given).toEqual([{ id: 1 }])
  })
})
