/**
 * Reading Parquet from other writers: values as exact as pyarrow's (files written by pyarrow here),
 * valid files that once failed, and malformed ones refused in words without crashing.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parquetMetadata } from 'hyparquet'
import { readParquetRows } from '../src/codecs/parquet-pages.js'
import { decodeParquet, encodeParquet } from '../src/codecs/parquet.js'
import { inferSchema } from '../src/codecs/schema.js'
import { matchesAll, normalizeFilters, toParquetFilter } from '../src/filters/filters.js'
import { MemoryStorage } from '../src/facade/memory-storage.js'

const corpus = fileURLToPath(new URL('../fixtures/parquet-testing/', import.meta.url))

function bufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

const fixture = (path: string) => bufferOf(readFileSync(join(corpus, path)))

async function collect(generator: AsyncGenerator<Record<string, unknown>[]>) {
  const rows: Record<string, unknown>[] = []
  for await (const slice of generator) rows.push(...slice)
  return rows
}

const fileOf = (buffer: ArrayBuffer) => ({ byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) })

describe('malformed Parquet', () => {
  it('refuses ARROW-GH-41317 with CORRUPT_DATA in words, and leaves no read to reject later', async () => {
    const unhandled: unknown[] = []
    const listener = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', listener)
    try {
      await expect(decodeParquet(fixture('bad_data/ARROW-GH-41317.parquet'))).rejects.toMatchObject({
        code: 'CORRUPT_DATA',
        message: 'row group 1 has a column chunk for timestampWus_no_tz where the schema has timestamp_us_no_tz',
      })
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      process.off('unhandledRejection', listener)
    }
    expect(unhandled).toEqual([])
  })

  it('is CORRUPT_DATA in words through readParquet and through a dataset read, naming the file', async () => {
    const storage = new MemoryStorage()
    const bytes = new Uint8Array(fixture('bad_data/ARROW-GH-41317.parquet'))
    await storage.writeBytes('raw/bad.parquet', bytes)
    await storage.writeBytes('legacy/season=1/part-0.parquet', bytes)
    const words = 'row group 1 has a column chunk for timestampWus_no_tz where the schema has timestamp_us_no_tz'
    await expect(storage.readParquet('raw/bad.parquet')).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      key: 'raw/bad.parquet',
      message: expect.stringContaining(words),
    })
    await expect(storage.readIndex('legacy')).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      key: 'legacy/season=1/part-0.parquet',
      message: expect.stringContaining(words),
    })
  })

  it('says in words what is wrong, never quoting a TypeError from inside the decoder', async () => {
    for (const name of ['ARROW-GH-45185', 'ARROW-GH-47662', 'ARROW-RS-GH-6229-DICTHEADER', 'ARROW-RS-GH-6229-LEVELS', 'PARQUET-1481']) {
      const error = await decodeParquet(fixture(`bad_data/${name}.parquet`)).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error?.code).toBe('CORRUPT_DATA')
      expect(error?.message).not.toMatch(/Cannot read properties|Cannot destructure|Invalid typed array|DataView|undefined/)
    }
    await expect(decodeParquet(fixture('bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet'))).rejects.toThrow(
      'column chunk of name in row group 0 extends past the end of the file',
    )
  })

  it('refuses a string longer than V8 allows as NOT_SUPPORTED, saying so', async () => {
    await expect(decodeParquet(fixture('data/large_string_map.brotli.parquet'))).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/^a page of 1073741828 bytes is larger than the longest string JavaScript can hold/),
    })
  })

  it('says which column is recorded as JSON but holds something else', async () => {
    const rows = [{ j: 'not json' }]
    const buffer = bufferOf(encodeParquet(rows, { columns: [{ name: 'j', type: 'string' }] }))
    const metadata = parquetMetadata(buffer)
    const entry = metadata.key_value_metadata!.find((kv) => kv.key === 'cfb.schema')!
    entry.value = JSON.stringify({ columns: [{ name: 'j', type: 'json' }] })
    await expect(decodeParquet(buffer, { metadata })).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: 'column j is recorded as JSON but holds text that is not JSON',
    })
  })

  it('refuses encrypted files as NOT_SUPPORTED', async () => {
    await expect(decodeParquet(fixture('data/uniform_encryption.parquet.encrypted'))).rejects.toMatchObject({ code: 'NOT_SUPPORTED' })
    await expect(decodeParquet(fixture('data/encrypt_columns_plaintext_footer.parquet.encrypted'))).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    })
  })
})

describe('valid Parquet that readers disagree on', () => {
  it('reads an empty v2 data page (datapage_v2_empty_datapage: 1 row, as pyarrow)', async () => {
    expect(await decodeParquet(fixture('data/datapage_v2_empty_datapage.snappy.parquet'))).toEqual([{ value: null }])
  })

  it('reads chunk sizes old parquet-mr wrote short (nation.dict-malformed: 25 rows, as pyarrow)', async () => {
    const rows = await decodeParquet(fixture('data/nation.dict-malformed.parquet'))
    expect(rows).toHaveLength(25)
    expect(rows[0]).toMatchObject({ nation_key: 0, region_key: 0 })
    expect(new TextDecoder().decode(rows[24]!.name as Uint8Array)).toBe('UNITED STATES')
  })
})

describe('values written by pyarrow', () => {
  let dir: string
  let file: ArrayBuffer

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfb-parquet-read-'))
    const path = join(dir, 'foreign.parquet')
    execFileSync(
      'python3',
      [
        '-c',
        `
import datetime, decimal, sys
import pyarrow as pa, pyarrow.parquet as pq
before = datetime.datetime(1969, 12, 31, 23, 59, 59, 999999)
table = pa.table({
  'raw': pa.array([b'\\xff\\xfe\\x00', None], pa.binary()),
  'price': pa.array([decimal.Decimal('1003.858'), decimal.Decimal('-0.001')], pa.decimal128(10, 3)),
  'us': pa.array([before, None], pa.timestamp('us', tz='UTC')),
  'ns': pa.array([before, None], pa.timestamp('ns')),
  'tags': pa.array([[], None], pa.list_(pa.string())),
  'point': pa.array([{'x': 1, 'y': None}, None], pa.struct([('x', pa.int32()), ('y', pa.int32())])),
  'items': pa.array([[1, None], [None]], pa.list_(pa.int32())),
  'prices': pa.array([[decimal.Decimal('1003.858'), None], []], pa.list_(pa.decimal128(10, 3))),
  'when': pa.array([{'at': before}, {'at': None}], pa.struct([('at', pa.timestamp('us'))])),
  '__proto__': pa.array([1, 2], pa.int32()),
})
pq.write_table(table, sys.argv[1])
`,
        path,
      ],
      { stdio: 'pipe' },
    )
    file = bufferOf(readFileSync(path))
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('gives each value exactly, as pyarrow reads it', async () => {
    const [first, second] = await decodeParquet(file)
    expect(first!.raw).toEqual(new Uint8Array([0xff, 0xfe, 0x00]))
    expect(first!.price).toBe(1003.858)
    expect(second!.price).toBe(-0.001)
    expect((first!.us as Date).toISOString()).toBe('1969-12-31T23:59:59.999Z')
    expect((first!.ns as Date).toISOString()).toBe('1969-12-31T23:59:59.999Z')
    expect(first!.tags).toEqual([])
    expect(second!.tags).toBeNull()
    expect(first!.point).toStrictEqual({ x: 1, y: null })
    expect(second!.point).toBeNull()
    expect(first!.items).toStrictEqual([1, null])
    expect(second!.items).toStrictEqual([null])
    expect(first!.prices).toStrictEqual([1003.858, null])
    expect(second!.prices).toStrictEqual([])
    expect(((first!.when as { at: Date }).at).toISOString()).toBe('1969-12-31T23:59:59.999Z')
    expect(second!.when).toStrictEqual({ at: null })
  })

  it('gives decimals as exact text with decimals: string', async () => {
    const rows = await decodeParquet(file, { decimals: 'string', columns: ['price', 'prices'] })
    expect(rows).toEqual([
      { price: '1003.858', prices: ['1003.858', null] },
      { price: '-0.001', prices: [] },
    ])
  })

  it('makes a column named __proto__ an own property, never the prototype', async () => {
    const [row] = await decodeParquet(file)
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.hasOwn(row!, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(1)
  })

  it('gives the same values through the page reader that dataset reads use', async () => {
    const rows = await collect(readParquetRows(fileOf(file), { metadata: parquetMetadata(file), sliceRows: 1 }))
    const whole = await decodeParquet(file)
    expect(rows).toHaveLength(2)
    for (let i = 0; i < 2; i++) {
      expect(Object.getOwnPropertyDescriptor(rows[i], '__proto__')?.value).toBe(i + 1)
      expect({ ...rows[i] }).toStrictEqual({ ...whole[i] })
    }
  })

  it('refuses a nested field named __proto__, which hyparquet cannot assemble intact', async () => {
    const path = join(dir, 'nested-proto.parquet')
    execFileSync('python3', [
      '-c',
      `import sys, pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({'s': pa.array([{'__proto__': 1}], pa.struct([('__proto__', pa.int32())]))}), sys.argv[1])`,
      path,
    ])
    await expect(decodeParquet(bufferOf(readFileSync(path)))).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: 'column s has a nested field named __proto__, which cannot be read',
    })
  })

  it('refuses a date outside what a JavaScript Date holds, naming the column', async () => {
    const path = join(dir, 'far.parquet')
    execFileSync('python3', [
      '-c',
      `import sys, pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({'far': pa.array([9_000_000_000_000_000], pa.timestamp('ms'))}), sys.argv[1])`,
      path,
    ])
    const far = bufferOf(readFileSync(path))
    const expected = { code: 'NOT_SUPPORTED', message: expect.stringContaining('column far holds a date outside') }
    await expect(decodeParquet(far)).rejects.toMatchObject(expected)
    await expect(collect(readParquetRows(fileOf(far), { metadata: parquetMetadata(far), sliceRows: 10 }))).rejects.toMatchObject(expected)
  })
})

describe('row-group pruning', () => {
  it('ignores the deprecated signed-order min/max of text columns, as parquet-cpp does', async () => {
    const rows = [{ s: 'a' }, { s: 'é' }]
    const buffer = bufferOf(encodeParquet(rows, inferSchema(rows)))
    const metadata = parquetMetadata(buffer)
    // An old writer's statistics: only the deprecated fields, in signed byte order ('é' < 'a').
    const stats = metadata.row_groups[0]!.columns[0]!.meta_data!.statistics!
    Object.assign(stats, { min: 'é', max: 'a', min_value: undefined, max_value: undefined })
    const filter = toParquetFilter(normalizeFilters({ s: 'a' }))
    const read = await collect(readParquetRows(fileOf(buffer), { metadata, filter, sliceRows: 10 }))
    expect(read.map((r) => r.s)).toEqual(['a', 'é'])
  })

  it('gives the same rows with statistics as without them', async () => {
    const values = [1, Number.NaN, 7, Number.NaN, 3, 12, Number.NaN, 0.5, 9, Number.NaN]
    const rows = values.map((f, i) => ({ i, f }))
    const bytes = encodeParquet(rows, inferSchema(rows), { rowGroupSize: 2 })
    const buffer = bufferOf(bytes)
    const metadata = parquetMetadata(buffer)
    for (const filters of [{ f: { gt: 5 } }, { f: { lte: 3 } }, { f: { gte: Number.NaN } }, { f: Number.NaN }, { f: { in: [7, Number.NaN] } }]) {
      const conditions = normalizeFilters(filters)
      const pruned = await collect(readParquetRows(fileOf(buffer), { metadata, filter: toParquetFilter(conditions), sliceRows: 10 }))
      const all = await collect(readParquetRows(fileOf(buffer), { metadata, sliceRows: 10 }))
      const ids = (list: Record<string, unknown>[]) => list.filter((r) => matchesAll(r, conditions)).map((r) => r.i)
      expect(ids(pruned)).toEqual(ids(all))
    }
  })
})
