import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { type ColumnType, inferColumns } from '../src/codecs/schema.js'
import { EncoderThread, SHARE_MIN_VALUES } from '../src/codecs/parquet/encoder-thread.js'
import { type ParquetWriteOptions, writeParquet, writeParquetOnTwoThreads } from '../src/codecs/parquet/write.js'

// Files whose number columns were encoded on the encoder thread must be the files one thread
// writes: the same bytes uncompressed, the same rows and layout with snappy. The thread runs the
// built script (tests run after the build); this side runs the sources.

const SCRIPT = new URL('../dist/codecs/parquet/encode-worker.js', import.meta.url)
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31)
const threads: EncoderThread[] = []
afterAll(async () => {
  for (const thread of threads) await thread.stop()
})

async function startedThread(): Promise<EncoderThread> {
  const thread = new EncoderThread(SCRIPT)
  threads.push(thread)
  expect(await thread.start()).toBe(true)
  return thread
}

const options = (codec: 'SNAPPY' | 'UNCOMPRESSED', rowGroupSize: number): ParquetWriteOptions => ({ codec, rowGroupSize, kvMetadata: [], createdBy: 'test' })
type Row = Record<string, unknown>

const VALUES: Partial<Record<ColumnType, fc.Arbitrary<unknown>>> = {
  int: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.maxSafeInteger()),
  float: fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY)),
  bigint: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
  boolean: fc.boolean(),
  timestamp: fc.date({ noInvalidDate: true }),
  string: fc.constantFrom('Georgia', 'Ohio State', 'é😀', ''),
}

/** Records of `rows` rows over the given column types, built from a few random values by row. */
function records(types: ColumnType[], samples: unknown[][], rows: number): Row[] {
  return Array.from({ length: rows }, (_, i) => Object.fromEntries(types.map((type, j) => [`c${j}_${type}`, samples[j]![(i * 7 + j) % samples[j]!.length]])))
}

const table = fc
  .record({
    types: fc.array(fc.constantFrom(...(Object.keys(VALUES) as ColumnType[])), { minLength: 1, maxLength: 9 }),
    rows: fc.integer({ min: 1, max: 12_000 }),
    rowGroupSize: fc.constantFrom(100_000, 5_000, 777),
  })
  .chain(({ types, rows, rowGroupSize }) =>
    fc
      .tuple(...types.map((type) => fc.array(fc.option(VALUES[type]!, { nil: null, freq: 5 }), { minLength: 1, maxLength: 30 })))
      .map((samples) => ({ records: records(types, samples, rows), rowGroupSize })),
  )

async function bothWays(thread: EncoderThread, rows: readonly Row[], codec: 'SNAPPY' | 'UNCOMPRESSED', rowGroupSize: number) {
  const { schema, values } = inferColumns(rows, true)
  const one = writeParquet(values, rows.length, schema, options(codec, rowGroupSize))
  const two = await writeParquetOnTwoThreads(values, rows.length, schema, options(codec, rowGroupSize), thread)
  return { one, two }
}

const buffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer

describe('the encoder thread', () => {
  it('takes the number columns of a large row group, and the file is byte for byte the one thread writes', async () => {
    const thread = await startedThread()
    await fc.assert(
      fc.asyncProperty(table, async ({ records: rows, rowGroupSize }) => {
        const { one, two } = await bothWays(thread, rows, 'UNCOMPRESSED', rowGroupSize)
        expect(Buffer.compare(two.bytes, one.bytes)).toBe(0)
        expect(two.columns).toEqual(one.columns)
      }),
      { seed: SEED, numRuns: 60 },
    )
    // The tables above share their number columns when they have enough values.
    expect(thread.encodedColumns).toBeGreaterThan(0)
  })

  it('writes with snappy the same rows, in the same layout, as one thread', async () => {
    const thread = await startedThread()
    const rows = records(['int', 'float', 'string', 'timestamp', 'int', 'boolean', 'bigint'], [[1, 2, 3, null], [0.5, -1e300, Number.NaN], ['a', 'bb'], [new Date(0), new Date(1e12)], [7, 2 ** 40], [true, false, null], [5n, -(2n ** 60n)]], 24_000)
    const before = thread.encodedColumns
    const { one, two } = await bothWays(thread, rows, 'SNAPPY', 8_000)
    // Three row groups, each with five number columns (the bigints past 2^53 stay here).
    expect(thread.encodedColumns - before).toBe(15)
    const [a, b] = [one, two].map((file) => parquetMetadata(buffer(file.bytes)))
    // Snappy's output depends on what it compressed before, on either thread: sizes may differ by
    // a few bytes, the order of chunks and pages may not.
    const layout = (m: typeof a) => m!.row_groups.map((g) => g.columns.map((c) => [c.meta_data!.path_in_schema, c.meta_data!.encodings, c.meta_data!.num_values]))
    expect(layout(b)).toEqual(layout(a))
    for (const [j, c] of b!.row_groups[0]!.columns.entries()) {
      // Chunks follow one another in schema order, as one thread lays them out.
      if (j > 0) expect(Number(c.meta_data!.dictionary_page_offset ?? c.meta_data!.data_page_offset)).toBeGreaterThan(Number(b!.row_groups[0]!.columns[j - 1]!.meta_data!.data_page_offset))
    }
    const read = (bytes: Uint8Array) => parquetReadObjects({ file: buffer(bytes) })
    expect(await read(two.bytes)).toEqual(await read(one.bytes))
  })

  it('leaves small row groups on this thread', async () => {
    const thread = await startedThread()
    const rows = records(['int', 'float'], [[1, 2], [3.5]], Math.floor(SHARE_MIN_VALUES / 2) - 1)
    await bothWays(thread, rows, 'SNAPPY', 100_000)
    expect(thread.encodedColumns).toBe(0)
  })

  it('is not needed: without its script, or once stopped, files are encoded on this thread alone', async () => {
    const rows = records(['int', 'float', 'int', 'float'], [[1, 2, null], [3.5, 4], [9], [null, 0.25]], 20_000)
    const missing = new EncoderThread(new URL('./no-such-script.js', import.meta.url))
    threads.push(missing)
    expect(await missing.start()).toBe(false)
    const stopped = await startedThread()
    await stopped.stop()
    for (const thread of [missing, stopped]) {
      const { one, two } = await bothWays(thread, rows, 'UNCOMPRESSED', 100_000)
      expect(Buffer.compare(two.bytes, one.bytes)).toBe(0)
      expect(thread.encodedColumns).toBe(0)
    }
  })

  it('does not change or keep the values it is given', async () => {
    const thread = await startedThread()
    const rows = records(['int', 'float', 'timestamp'], [[1, 2, null], [3.5, 4], [new Date(5)]], 20_000)
    const { schema, values } = inferColumns(rows, true)
    const copies = values.map((v) => ({ defined: v.defined.slice(), numbers: v.numbers?.slice() }))
    await writeParquetOnTwoThreads(values, rows.length, schema, options('SNAPPY', 100_000), thread)
    expect(thread.encodedColumns).toBeGreaterThan(0)
    expect(values.map((v) => ({ defined: v.defined, numbers: v.numbers }))).toEqual(copies)
  })
})
