/**
 * Writes of many files encode their number columns on a worker thread (codecs/parquet/chunk-pool.ts)
 * while the main thread encodes the rest; the worker reads the columns in shared memory, where
 * files of 4,096 rows and more have them. The file must be the same, byte for byte, as the one
 * encoded on one thread. The worker runs the built script, so this test uses the built modules.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

const DIST = new URL('../dist/', import.meta.url)
const parquet: typeof import('../src/codecs/parquet.js') = await import(new URL('codecs/parquet.js', DIST).href)
const schemas: typeof import('../src/codecs/schema.js') = await import(new URL('codecs/schema.js', DIST).href)
const columnValues: typeof import('../src/codecs/column-values.js') = await import(new URL('codecs/column-values.js', DIST).href)
const pool: typeof import('../src/codecs/parquet/chunk-pool.js') = await import(new URL('codecs/parquet/chunk-pool.js', DIST).href)
const jobs: typeof import('../src/codecs/parquet/chunk-job.js') = await import(new URL('codecs/parquet/chunk-job.js', DIST).href)
const specs: typeof import('../src/codecs/parquet/columns.js') = await import(new URL('codecs/parquet/columns.js', DIST).href)

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31)
const MAX = Number.MAX_SAFE_INTEGER

const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  int: fc.oneof(fc.integer(), fc.constantFrom(MAX, -MAX, 0, 7), fc.integer({ min: 0, max: 9 })),
  float: fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 0.5)),
  bigint: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n })),
  boolean: fc.boolean(),
  string: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('Navy', 'Army', '東京 🏈')),
  timestamp: fc.date({ noInvalidDate: true }),
  json: fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b'), fc.string({ maxLength: 3 }), { maxKeys: 2 })),
}
const TYPES = Object.keys(VALUES)

// Columns shared with the worker have 4,096 rows or more: a file's rows are its generated values
// over and over, at a stride of its own per column so that rows differ.
const table = fc.record({
  rows: fc.integer({ min: 4_000, max: 6_000 }),
  columns: fc.tuple(...TYPES.map((type) => fc.array(fc.option(VALUES[type]!, { nil: null, freq: 4 }), { minLength: 1, maxLength: 60 }))),
  rowGroupSize: fc.oneof(fc.integer({ min: 900, max: 5_000 }), fc.constant(100_000)),
  present: fc.subarray(TYPES, { minLength: 1 }),
}).map(({ rows, columns, rowGroupSize, present }) => ({
  rowGroupSize,
  records: Array.from({ length: rows }, (_, i) =>
    Object.fromEntries(
      present.map((type) => {
        const values = columns[TYPES.indexOf(type)]!
        return [`c_${type}`, values[(i * (TYPES.indexOf(type) + 1)) % values.length]]
      }),
    ),
  ),
}))

async function decoded(bytes: Uint8Array) {
  return parquet.decodeParquet(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
}

function collected(records: Record<string, unknown>[]) {
  return schemas.inferColumns(records, true)
}

describe('number columns encoded on the worker thread', () => {
  it('give the same file as encoding on one thread, for files encoded at once', async () => {
    // Byte for byte uncompressed. Snappy's output (hysnappy keeps its match table between calls)
    // depends on what that thread compressed before, so compressed files must decode alike.
    await fc.assert(
      fc.asyncProperty(fc.array(table, { minLength: 1, maxLength: 3 }), fc.constantFrom('UNCOMPRESSED', 'SNAPPY'), async (tables, codec) => {
        const options = (rowGroupSize: number) => ({ rowGroupSize, codec: codec as 'UNCOMPRESSED' | 'SNAPPY' })
        const expected = tables.map(({ records, rowGroupSize }) => {
          const { schema, values } = collected(records)
          return parquet.encodeParquetColumns(values, records.length, schema, options(rowGroupSize))
        })
        // Several files at once, as a write of many partitions has them: their jobs interleave.
        const got = await Promise.all(
          tables.map(({ records, rowGroupSize }) => {
            const { schema, values } = collected(records)
            return parquet.encodeParquetColumnsElsewhere(values, records.length, schema, options(rowGroupSize))
          }),
        )
        for (const [k, file] of got.entries()) {
          expect(file.columns).toEqual(expected[k]!.columns)
          if (codec === 'UNCOMPRESSED') expect(Buffer.from(file.bytes).equals(Buffer.from(expected[k]!.bytes))).toBe(true)
          else expect(await decoded(file.bytes)).toEqual(await decoded(expected[k]!.bytes))
        }
      }),
      { seed: SEED, numRuns: 15, endOnFailure: true },
    )
  })

  it('leaves the columns as they were, in place, for the next columns to reuse', async () => {
    const records = Array.from({ length: 6_000 }, (_, i) => ({ id: i, score: i / 3, team: ['Navy', 'Army'][i % 2], at: new Date(i * 1000) }))
    const given = collected(records)
    const numbers = given.values.map((v) => v.numbers)
    expect(numbers[0]!.buffer).toBeInstanceOf(SharedArrayBuffer)
    const copies = numbers.map((n) => n?.slice())
    const file = await parquet.encodeParquetColumnsElsewhere(given.values, records.length, given.schema)
    expect(given.values.map((v) => v.numbers)).toEqual(copies)
    expect(await decoded(file.bytes)).toEqual(records)
  })

  it('shares reused buffers, longer than the column, as views of the column rows only', async () => {
    // Buffers of a 9,000-row file given back: the next 5,000-row columns are made over them.
    const old = Array.from({ length: 4 }, () => columnValues.columnValues('float', 9_000))
    for (const column of old) column.numbers!.fill(Number.NaN)
    columnValues.recycleColumnValues(old)
    const records = Array.from({ length: 5_000 }, (_, i) => ({ id: i, score: i / 3 }))
    const given = collected(records)
    expect(given.values.some((v) => v.numbers!.buffer.byteLength > v.numbers!.byteLength)).toBe(true)
    const file = await parquet.encodeParquetColumnsElsewhere(given.values, records.length, given.schema)
    expect(await decoded(file.bytes)).toEqual(records)
    expect(file.columns.map((c) => c.bounds)).toEqual([
      { low: 0, high: 4_999 },
      { low: 0, high: 4_999 / 3 },
    ])
  })

  it('answers without chunks a job it cannot encode, or whose chunks do not fit its output, for the caller to encode', async () => {
    const records = Array.from({ length: 5_000 }, (_, i) => ({ id: i, score: i / 3 }))
    const { values } = collected(records)
    const job = jobs.chunkJob(0, [specs.columnSpec('id', 'int'), specs.columnSpec('score', 'float')], values, [0, 1], 0, records.length)
    const encoded = await pool.encodeElsewhere(job)
    expect(encoded?.chunks).toHaveLength(2)
    // Uncompressed PLAIN numbers: at least 8 bytes a value landed in the shared output.
    const last = encoded!.chunks[1]!
    expect(last.offset + last.compressed).toBeGreaterThan(records.length * 16)
    expect(await pool.encodeElsewhere({ ...job, output: new Uint8Array(new SharedArrayBuffer(64)) })).toBeUndefined()
    const broken = { ...job, columns: [{ ...job.columns[0]!, numbers: undefined as unknown as Float64Array }] }
    expect(await pool.encodeElsewhere(broken)).toBeUndefined()
    // The worker goes on serving after both.
    expect((await pool.encodeElsewhere(job))?.chunks).toHaveLength(2)
  })

  it('without the built worker script (run from source, or bundled), encodes on this thread', async () => {
    const source: typeof import('../src/codecs/parquet.js') = await import('../src/codecs/parquet.js')
    const records = Array.from({ length: 5_000 }, (_, i) => ({ id: i, score: i / 3, team: ['Navy', 'Army'][i % 2] }))
    const given = schemas.inferColumns(records, true)
    const file = await source.encodeParquetColumnsElsewhere(given.values, records.length, given.schema, { codec: 'UNCOMPRESSED' })
    const here = collected(records)
    expect(Buffer.from(file.bytes).equals(Buffer.from(parquet.encodeParquetColumns(here.values, records.length, here.schema, { codec: 'UNCOMPRESSED' }).bytes))).toBe(true)
  })

  it('does not keep a process alive once its writes are done', () => {
    // A write of many files starts the worker; the process must still end by itself.
    const script = `
      const { MemoryStorage } = await import(${JSON.stringify(new URL('index.js', DIST).href)})
      const records = Array.from({ length: 40_000 }, (_, i) => ({ p: i % 4, id: i, score: i / 7 }))
      const storage = new MemoryStorage()
      await storage.writePartitioned('t', records, ['p'])
      const rows = await storage.readIndex('t')
      console.log(rows.length)`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 })
    expect(out.trim()).toBe('40000')
  })
})
