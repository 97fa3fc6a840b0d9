// writePartitioned of records given at once: every partition must come back as given, whether its
// rows came together or interleaved with others, for partition values of each kind a write takes
// (integers, bigints, text, null; 2024 and "2024" name one folder), and a record without a
// partition column is refused by its place. A write that reads the records once and splits their
// columns by partition must keep all of this.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parquetMetadata } from 'hyparquet'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'

type Row = Record<string, unknown>

/** Rows of `partitions` partitions, `rows` each, in partition order, with a column of each kind. */
function plays(partitions: number, rows: number): Row[] {
  const out: Row[] = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < rows; i++) {
      const id = p * rows + i
      out.push({
        id,
        season: 2020 + (p % 3),
        week: p,
        team: `team ${id % 17}`,
        yards: id % 5 === 0 ? null : (id * 7) % 101,
        epa: id / 8 - 3,
        big: id === 5 ? 2n ** 60n + 1n : BigInt(id) * 3n,
        at: new Date(Date.UTC(2024, 0, 1) + id * 1000),
      })
    }
  }
  return out
}

const byId = (rows: Row[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id))

async function roundTrip(records: Row[], partitionBy: string[]): Promise<Row[]> {
  const storage = new ObjectStorage(new MemoryObjectStore())
  expect(await storage.writePartitioned('plays', records, partitionBy)).toBe(records.length)
  return byId(await storage.readIndex('plays'))
}

describe('writePartitioned of records given at once', () => {
  it('gives back every row of partitions whose rows come in order', async () => {
    const records = plays(6, 1500)
    expect(await roundTrip(records, ['season', 'week'])).toEqual(byId(records))
  })

  it('gives back every row when partitions are interleaved', async () => {
    const records = plays(5, 900)
    const shuffled = fc.sample(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), { numRuns: 1, seed: 7 })[0]!
    expect(await roundTrip(shuffled, ['week'])).toEqual(byId(records))
  })

  it('matches the records for any order and partition values of any supported kind', async () => {
    const row = fc.record({
      key: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', 'é')),
      value: fc.option(fc.oneof(fc.double({ noNaN: true }), fc.integer()), { nil: null }),
      text: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 300 }), fc.boolean(), async (rows, asBigint) => {
        // One kind per partition column (mixed kinds are the next test's): numbers, bigints, or text.
        const kind = typeof rows[0]!.key
        const records = rows
          .filter((r) => typeof r.key === kind)
          .map((r, id) => ({ id, part: kind === 'number' && asBigint ? BigInt(r.key) : r.key, value: r.value, text: r.text }))
        const got = await roundTrip(records, ['part'])
        const expected = records.map((r) => ({ ...r, part: typeof r.part === 'bigint' ? Number(r.part) : r.part }))
        expect(got.map((r) => [r.id, r.part, r.value, r.text])).toEqual(expected.map((r) => [r.id, r.part, r.value, r.text]))
      }),
      { numRuns: 60 },
    )
  })

  it('puts 2024 and "2024" in one partition', async () => {
    const got = await roundTrip(
      [
        { id: 1, season: 2024 },
        { id: 2, season: '2024' },
        { id: 3, season: 2025 },
      ].map((r) => ({ ...r, x: r.id })),
      ['season'],
    )
    expect(got.map((r) => [r.id, r.season])).toEqual([
      [1, 2024],
      [2, 2024],
      [3, 2025],
    ])
  })

  it('merges 2024 and "2024" however many records have each', async () => {
    const records = Array.from({ length: 130_001 }, (_, id) => ({ id, season: id === 0 ? 2024 : '2024' }))
    const storage = new ObjectStorage(new MemoryObjectStore())
    expect(await storage.writePartitioned('plays', records, ['season'])).toBe(130_001)
    expect(await storage.readIndex('plays', { season: 2024 }, { columns: ['id'] })).toHaveLength(130_001)
  })

  it('refuses a record without a partition column by its place, writing nothing', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    const missing = await storage.writePartitioned('plays', [{ id: 1, season: 2024 }, { id: 2 }], ['season']).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'record 1 has no season' })
    expect(await storage.exists('plays')).toBe(false)
  })

  it('writes null partition values to a partition of their own, read back as null', async () => {
    const got = await roundTrip(
      [
        { id: 1, season: 2024, x: 1 },
        { id: 2, season: null, x: 2 },
        { id: 3, season: 2024, x: 3 },
      ],
      ['season'],
    )
    expect(got.map((r) => [r.id, r.season])).toEqual([
      [1, 2024],
      [2, null],
      [3, 2024],
    ])
  })

  it('stores a column widened by a later partition as DOUBLE in every file, the earlier ones written again', async () => {
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    // Weeks 0-2 hold whole numbers only; week 3's fractions make the column float.
    const records = plays(4, 500).map((r) => ({ ...r, epa: r.week === 3 ? (r.id as number) / 8 : Math.round((r.id as number) / 8) }))
    await storage.writePartitioned('plays', records, ['week'], { concurrency: 1 })
    const files: string[] = []
    for await (const entry of store.list('plays/')) if (entry.kind === 'object' && entry.key.endsWith('.parquet')) files.push(entry.key)
    expect(files).toHaveLength(4)
    for (const key of files) {
      const bytes = await store.get(key)
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
      expect([key, meta.schema.find((e) => e.name === 'epa')?.type]).toEqual([key, 'DOUBLE'])
    }
    expect(byId(await storage.readIndex('plays'))).toEqual(byId(records))
  })

  describe('records in partition order, grouped from a few of them', () => {
    /** Runs of `part` values, each run `length` records long, ids in order. */
    const inRuns = (runs: readonly { part: unknown; length: number }[]): Row[] => {
      const out: Row[] = []
      for (const { part, length } of runs) for (let i = 0; i < length; i++) out.push({ id: out.length, part, x: out.length * 3 })
      return out
    }
    /** The table the same records make when given as a stream, which groups them record by record. */
    async function groupedOneByOne(records: Row[]): Promise<Row[]> {
      const storage = new ObjectStorage(new MemoryObjectStore())
      await storage.writePartitioned('plays', (async function* () { yield records })(), ['part'])
      return byId(await storage.readIndex('plays'))
    }

    it('gives back every row whatever sits inside a run: records of other partitions, partitions that come back, "7" among 7', async () => {
      const run = fc.record({ part: fc.constantFrom(1, 2, 3, 7, 'a'), length: fc.integer({ min: 1, max: 400 }) })
      const stray = fc.record({ at: fc.nat(), part: fc.constantFrom(1, 2, 3, '7', 7n, 'a', null) })
      await fc.assert(
        fc.asyncProperty(fc.array(run, { minLength: 1, maxLength: 8 }), fc.array(stray, { maxLength: 3 }), async (runs, strays) => {
          const records = inRuns(runs)
          for (const { at, part } of strays) records[at % records.length]!.part = part
          expect(await roundTrip(records, ['part'])).toEqual(await groupedOneByOne(records))
        }),
        { numRuns: 40 },
      )
    })

    it('refuses a record inside a long run that lacks the partition column, by its place, writing nothing', async () => {
      const records = inRuns([
        { part: 1, length: 500 },
        { part: 2, length: 500 },
      ])
      delete records[733]!.part
      const storage = new ObjectStorage(new MemoryObjectStore())
      const missing = await storage.writePartitioned('plays', records, ['part']).catch((e: unknown) => e)
      expect(missing).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'record 733 has no part' })
      expect(await storage.exists('plays')).toBe(false)
    })

    it('refuses a record inside a long run that is not an object, writing nothing', async () => {
      const records: unknown[] = inRuns([{ part: 1, length: 1000 }])
      records[517] = 'not a record'
      const storage = new ObjectStorage(new MemoryObjectStore())
      const refused = await storage.writePartitioned('plays', records as Row[], ['part']).catch((e: unknown) => e)
      expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'every record must be a plain object' })
      expect(await storage.exists('plays')).toBe(false)
    })

    it('groups as record-by-record grouping does, one file per partition, when every run is whole', async () => {
      const store = new MemoryObjectStore()
      const storage = new ObjectStorage(store)
      const records = inRuns([1, 2, 3, 4, 5].map((part) => ({ part, length: 300 + part })))
      await storage.writePartitioned('plays', records, ['part'])
      const files: string[] = []
      for await (const entry of store.list('plays/')) if (entry.kind === 'object' && entry.key.endsWith('.parquet')) files.push(entry.key)
      expect(files.map((key) => key.split('/')[1]).sort()).toEqual(['part=1', 'part=2', 'part=3', 'part=4', 'part=5'])
      expect(await roundTrip(records, ['part'])).toEqual(byId(records))
    })
  })
})
