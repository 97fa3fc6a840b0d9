/**
 * A read split between readers: `dataFiles` lists the files a read opens, in its order; readers
 * given disjoint `files` positions (fixed, or taken from one counter) read every row once between
 * them, and a slice's `file` says where its rows go back in that order.
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

describe('dataFiles and files', () => {
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

  it.each([1, 2, 3, 4, 11])('%i readers taking every n-th file read every row once, and their files put them back in order', async (count) => {
    const storage = await table()
    const { version, files } = await storage.dataFiles('plays')
    const whole = await sliceRows(storage, undefined, { version })
    expect(whole.map((r) => r.file)).toEqual([...whole.map((r) => r.file)].sort((a, b) => a - b))
    expect(new Set(whole.map((r) => r.file)).size).toBe(files.length)
    const everyNth = (index: number) => Array.from({ length: files.length }, (_, at) => at).filter((at) => at % count === index)
    const shards = await Promise.all(Array.from({ length: count }, (_, index) => sliceRows(storage, undefined, { version, files: everyNth(index) })))
    shards.forEach((rows, index) => {
      for (const { file } of rows) expect(file % count).toBe(index)
    })
    const merged = shards.flat().sort((a, b) => a.file - b.file)
    expect(merged).toEqual(whole)
    expect(merged.map((r) => r.row)).toEqual(await rowsOf(storage))
  })

  it('readers sharing one counter each take the next file when ready, and stop past the last', async () => {
    const storage = await table()
    const { version } = await storage.dataFiles('plays')
    let next = 0
    const taken: number[][] = [[], []]
    // Endless: a position past the last file ends each read.
    const claims = (reader: number): Iterable<number> => ({
      *[Symbol.iterator]() {
        for (;;) {
          taken[reader]!.push(next)
          yield next++
        }
      },
    })
    const [a, b] = await Promise.all([sliceRows(storage, undefined, { version, files: claims(0) }), sliceRows(storage, undefined, { version, files: claims(1) })])
    expect(taken[0]!.length).toBeGreaterThan(1)
    expect(taken[1]!.length).toBeGreaterThan(1)
    const merged = [...a!, ...b!].sort((x, y) => x.file - y.file)
    expect(merged).toEqual(await sliceRows(storage, undefined, { version }))
    expect(new Set([...a!.map((r) => r.file)]).size + new Set([...b!.map((r) => r.file)]).size).toBe(10)
  })

  it('takes positions only as the read reaches them, and lets go of them when the read stops', async () => {
    const storage = await table()
    let pulled = 0
    let closed = false
    const positions: Iterable<number> = {
      *[Symbol.iterator]() {
        try {
          for (let at = 0; at < 10; at++) {
            pulled++
            yield at
          }
        } finally {
          closed = true
        }
      },
    }
    for await (const slice of storage.scanColumns('plays', undefined, { files: positions })) {
      expect(slice.file).toBe(0)
      // The file being read and the one read ahead of it.
      expect(pulled).toBeLessThanOrEqual(2)
      break
    }
    expect(closed).toBe(true)
  })

  it('scan takes file positions too, with filters and columns', async () => {
    const storage = await table()
    const filters = { season: [2023, 2024], yards: { gte: 3 } }
    const options = { columns: ['play_id', 'week'] }
    const whole = await rowsOf(storage, filters, options)
    const { files } = await storage.dataFiles('plays', filters)
    expect(files).toHaveLength(7)
    const halves = [await rowsOf(storage, filters, { ...options, files: [0, 2, 4, 6] }), await rowsOf(storage, filters, { ...options, files: [1, 3, 5] })]
    expect(halves[0]!.length).toBeGreaterThan(0)
    expect(halves[1]!.length).toBeGreaterThan(0)
    const key = (r: Row) => `${r.week}/${r.play_id}`
    expect([...halves[0]!, ...halves[1]!].map(key).sort()).toEqual(whole.map(key).sort())
    expect(await rowsOf(storage, filters, { ...options, files: [] })).toEqual([])
  })

  it('a plain folder read in parts takes a column only the other part has as null, not as unknown', async () => {
    const storage = new MemoryStorage()
    await storage.writeParquet('plain/season=2023/a.parquet', [{ id: 1, early: 'x' }])
    await storage.writeParquet('plain/season=2024/b.parquet', [{ id: 2, late: 'y' }])
    const { version, files } = await storage.dataFiles('plain')
    expect(version).toBeUndefined()
    expect(files.map((f) => f.path)).toEqual(['plain/season=2023/a.parquet', 'plain/season=2024/b.parquet'])
    const rows = async (positions: number[]) => {
      const out: Row[] = []
      for await (const batch of storage.scan('plain', undefined, { columns: ['id', 'late'], files: positions })) out.push(...batch)
      return out
    }
    expect(await rows([0])).toEqual([{ id: 1, late: null }])
    expect(await rows([1])).toEqual([{ id: 2, late: 'y' }])
    // Read whole, a column no file has is still refused.
    const whole = async () => {
      for await (const _ of storage.scan('plain', undefined, { columns: ['id', 'nowhere'] })) {
        // drained
      }
    }
    await expect(whole()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it.each([[[2, 1]], [[1, 1]], [[-1]], [[0.5]], [[Number.NaN]], [['1']], [null], [7], [{ index: 0, count: 2 }]])(
    'refuses files %j with INVALID_ARGUMENT',
    async (files) => {
      const storage = await table()
      await expect(rowsOf(storage, undefined, { files } as unknown as ScanOptions)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      await expect(sliceRows(storage, undefined, { files } as unknown as ScanOptions)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    },
  )
})
