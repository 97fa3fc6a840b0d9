/**
 * A read split into shards: `dataFiles` lists the files a read opens, in its order; `count` readers
 * with `shard: { index, count }` read every row of them once between them, and a slice's `file`
 * says where its rows go back in that order.
 */
import { describe, expect, it } from '@jest/globals'
import { MemoryStorage } from '../src/facade/memory-storage.js'
import type { Filters, ScanOptions } from '../src/index.js'

type Row = Record<string, unknown>

async function table(): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  for (const season of [2022, 2023, 2024]) {
    for (const week of [1, 2, 3]) {
      const rows = Array.from({ length: 5 + week }, (_, i) => ({ play_id: season * 1000 + week * 100 + i, yards: (i * 7) % 13, team: `t${i % 3}` }))
      await storage.write('plays', rows, { season, week })
    }
  }
  // A second file in one partition: files, not partitions, are what shards split.
  await storage.write('plays', [{ play_id: 1, yards: 99, team: 'extra' }], { season: 2023, week: 2 }, { overwrite: false })
  return storage
}

async function rowsOf(storage: MemoryStorage, filters?: Filters, options?: ScanOptions): Promise<Row[]> {
  const rows: Row[] = []
  for await (const batch of storage.scan('plays', filters, options)) rows.push(...batch)
  return rows
}

/** Each shard's slices, as rows with the file each came from. */
async function sliceRows(storage: MemoryStorage, filters: Filters | undefined, options: ScanOptions): Promise<{ file: number; row: Row }[]> {
  const out: { file: number; row: Row }[] = []
  for await (const slice of storage.scanColumns('plays', filters, options)) {
    for (let i = 0; i < slice.length; i++) {
      out.push({ file: slice.file!, row: Object.fromEntries(slice.names.map((name, j) => [name, slice.values[j]![i]])) })
    }
  }
  return out
}

describe('dataFiles and shard', () => {
  it('dataFiles lists the files a read opens, pruned as the read prunes them, in its order', async () => {
    const storage = await table()
    const all = await storage.dataFiles('plays')
    expect(all.version).toBe(9)
    expect(all.files).toHaveLength(10)
    expect(all.files.map((f) => f.path)).toEqual([...all.files.map((f) => f.path)].sort())
    for (const file of all.files) {
      expect(file.path).toMatch(/^plays\/season=\d{4}\/week=\d\/.+\.parquet$/)
      expect(file.size).toBe((await storage.readBytes(file.path)).length)
    }
    const pruned = await storage.dataFiles('plays', { season: 2023, week: [2, 3] })
    expect(pruned.files.map((f) => f.path)).toEqual(all.files.filter((f) => /season=2023\/week=[23]\//.test(f.path)).map((f) => f.path))
    expect(pruned.files).toHaveLength(3)
    // An older version lists that version's files.
    expect((await storage.dataFiles('plays', undefined, { version: 0 })).files).toHaveLength(1)
  })

  it.each([1, 2, 3, 4, 11])('%i shards of scanColumns hold every row once, and their files put them back in order', async (count) => {
    const storage = await table()
    const { version, files } = await storage.dataFiles('plays')
    const whole = await sliceRows(storage, undefined, { version })
    expect(whole.map((r) => r.file)).toEqual([...whole.map((r) => r.file)].sort((a, b) => a - b))
    expect(new Set(whole.map((r) => r.file)).size).toBe(files.length)
    const shards = await Promise.all(Array.from({ length: count }, (_, index) => sliceRows(storage, undefined, { version, shard: { index, count } })))
    shards.forEach((rows, index) => {
      for (const { file } of rows) expect(file % count).toBe(index)
    })
    const merged = shards.flat().sort((a, b) => a.file - b.file)
    expect(merged).toEqual(whole)
    expect(merged.map((r) => r.row)).toEqual(await rowsOf(storage))
  })

  it('scan takes shards too, with filters and columns', async () => {
    const storage = await table()
    const filters = { season: [2023, 2024], yards: { gte: 3 } }
    const options = { columns: ['play_id', 'week'] }
    const whole = await rowsOf(storage, filters, options)
    expect(whole.length).toBeGreaterThan(0)
    const halves = [await rowsOf(storage, filters, { ...options, shard: { index: 0, count: 2 } }), await rowsOf(storage, filters, { ...options, shard: { index: 1, count: 2 } })]
    expect(halves[0]!.length).toBeGreaterThan(0)
    expect(halves[1]!.length).toBeGreaterThan(0)
    const key = (r: Row) => `${r.week}/${r.play_id}`
    expect([...halves[0]!, ...halves[1]!].map(key).sort()).toEqual(whole.map(key).sort())
  })

  it.each([
    [{ index: 2, count: 2 }],
    [{ index: -1, count: 2 }],
    [{ index: 0, count: 0 }],
    [{ index: 0.5, count: 2 }],
    [{ index: 0 }],
    [null],
    [7],
  ])('refuses shard %j with INVALID_ARGUMENT', async (shard) => {
    const storage = await table()
    await expect(rowsOf(storage, undefined, { shard } as unknown as ScanOptions)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(sliceRows(storage, undefined, { shard } as unknown as ScanOptions)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
