import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parquetMetadata } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { bigintNumber, int64Numbers } from '../src/codecs/int64-numbers.js'
import { readParquetColumns, readParquetRows } from '../src/codecs/parquet-pages.js'
import { decodeParquet, encodeParquet } from '../src/codecs/parquet.js'
import { PAGE_ROWS } from '../src/codecs/parquet/pages.js'
import { inferSchema } from '../src/codecs/schema.js'

// Reads decode a page at a time, so memory is bounded by pages, not row groups: the writer must cut
// pages every PAGE_ROWS rows in every column (dictionary ones too), and the page reader must give the
// same rows as hyparquet's whole-group decoding, in slices that never cross a row group.

const records = Array.from({ length: 3 * PAGE_ROWS + 700 }, (_, i) => ({
  id: i,
  team: i % 7 === 0 ? null : ['Navy', 'Army', 'Air Force'][i % 3],
  score: i % 13 === 0 ? null : i / 7,
  at: new Date(Date.UTC(2024, 8, 1) + i * 1000),
  flag: i % 6 === 0 ? null : i % 4 === 1,
  meta: i % 9 === 0 ? { drive: i } : null,
}))

function fileOf(rows: Record<string, unknown>[], rowGroupSize?: number) {
  const bytes = encodeParquet(rows, inferSchema(rows), { rowGroupSize })
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  return { buffer, file: { byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) } }
}

/** A file whose `release` detaches the buffer, as rangedFile's does, and records its size. */
function releasingFile(buffer: ArrayBuffer) {
  const released: number[] = []
  const file = {
    byteLength: buffer.byteLength,
    slice: async (s: number, e?: number) => buffer.slice(s, e),
    release(bytes: ArrayBuffer) {
      released.push(bytes.byteLength)
      structuredClone(bytes, { transfer: [bytes] })
    },
  }
  return { file, released }
}

async function collect(generator: AsyncGenerator<Record<string, unknown>[]>) {
  const slices: Record<string, unknown>[][] = []
  for await (const slice of generator) slices.push(slice)
  return slices
}

describe('Parquet pages', () => {
  it('cuts every column, dictionary-encoded or plain, into pages of at most PAGE_ROWS rows', () => {
    const { buffer } = fileOf(records)
    const metadata = parquetMetadata(buffer)
    expect(metadata.row_groups).toHaveLength(1)
    for (const chunk of metadata.row_groups[0]!.columns) {
      const meta = chunk.meta_data!
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset)
      const reader = { view: new DataView(buffer, start, Number(meta.total_compressed_size)), offset: 0 }
      const pageRows: number[] = []
      while (reader.offset < reader.view.byteLength) {
        const header = parquetHeader(reader)
        reader.offset += header.compressed_page_size
        if (header.type !== 'DICTIONARY_PAGE') pageRows.push(header.data_page_header_v2!.num_rows)
      }
      expect({ column: meta.path_in_schema[0], pageRows }).toEqual({
        column: meta.path_in_schema[0],
        pageRows: [PAGE_ROWS, PAGE_ROWS, PAGE_ROWS, 700],
      })
    }
    expect(metadata.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'team')!.meta_data!.encodings).toContain(
      'RLE_DICTIONARY',
    )
  })

  it('reads the rows hyparquet reads, in slices that never cross a row group', async () => {
    const { file } = fileOf(records, 5000)
    const metadata = parquetMetadata(await file.slice(0))
    const slices = await collect(readParquetRows(file, { metadata, sliceRows: 3000 }))
    expect(slices.map((s) => s.length)).toEqual([3000, 2000, 3000, 2000, 2988])
    expect(slices.flat()).toEqual(await decodeParquet(file))
    expect(slices.flat()).toEqual(records.map((r) => ({ ...r, meta: r.meta ?? null })))
  })

  it('primed: yields an empty slice once the first row group is fetched, before decoding, then the same slices', async () => {
    const { file } = fileOf(records, 5000)
    const metadata = parquetMetadata(await file.slice(0))
    const fetched: number[][] = []
    const counting = {
      byteLength: file.byteLength,
      slice: async (s: number, e?: number) => {
        fetched.push([s, e ?? file.byteLength])
        return file.slice(s, e)
      },
    }
    for (const read of [readParquetRows, readParquetColumns] as const) {
      fetched.length = 0
      const reader = (read as typeof readParquetRows)(counting, { metadata, sliceRows: 3000, primed: true })
      const first = await reader.next()
      expect(first.value).toEqual(read === readParquetRows ? [] : { names: Object.keys(records[0]!), values: Object.keys(records[0]!).map(() => []), length: 0 })
      // The first row group's bytes (and only they) are in hand.
      expect(fetched.length).toBeGreaterThan(0)
      expect(Math.max(...fetched.map(([, end]) => end!))).toBeLessThanOrEqual(Number(metadata.row_groups[1]!.columns[0]!.meta_data!.data_page_offset))
      const rest = []
      for await (const slice of reader as AsyncGenerator<unknown>) rest.push(slice)
      const plain = []
      for await (const slice of (read as typeof readParquetRows)(file, { metadata, sliceRows: 3000 }) as AsyncGenerator<unknown>) plain.push(slice)
      expect(rest).toEqual(plain)
    }
  })

  it('reads millisecond timestamps as the Dates hyparquet makes, plain and dictionary-encoded, with nulls and before 1970', async () => {
    const instants = [-86_400_001, -1, 0, 1, 1_725_000_000_123, 8.64e15, -8.64e15]
    for (const distinct of [PAGE_ROWS * 2, 5]) {
      const rows = Array.from({ length: PAGE_ROWS + 300 }, (_, i) => ({
        at: i % 11 === 0 ? null : new Date(i < instants.length ? instants[i]! : Date.UTC(1969, 11, 31) + (i % distinct) * 997),
      }))
      const { file } = fileOf(rows)
      const metadata = parquetMetadata(await file.slice(0))
      const read = (await collect(readParquetRows(file, { metadata, sliceRows: 1000 }))).flat()
      expect(read).toEqual(await decodeParquet(file))
      expect(read.map((r) => (r.at === null ? null : (r.at as Date).getTime()))).toEqual(rows.map((r) => r.at?.getTime() ?? null))
    }
  })

  it('decodes only the columns asked for, and skips row groups the statistics rule out', async () => {
    const { file } = fileOf(records, 5000)
    const metadata = parquetMetadata(await file.slice(0))
    const slices = await collect(
      readParquetRows(file, { metadata, columns: ['id', 'team'], filter: { id: { $gte: 10_500 } }, sliceRows: PAGE_ROWS }),
    )
    // Groups [0, 5000) and [5000, 10000) are skipped; [10000, 12988) is read whole (rows are the caller's to match).
    expect(slices.map((s) => s.length)).toEqual([2988])
    expect(slices[0]![0]).toEqual({ id: 10_000, team: records[10_000]!.team })
  })

  it('names the column when a chunk holds fewer values than its row group', async () => {
    const { buffer } = fileOf(records)
    const metadata = parquetMetadata(buffer)
    // A footer that claims more rows than the pages hold: the reader must fail, not invent rows.
    metadata.row_groups[0]!.num_rows = BigInt(records.length + 5)
    const file = { byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) }
    // The footer check finds it before a page is read.
    await expect(collect(readParquetRows(file, { metadata, sliceRows: 100_000 }))).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: `column chunk of id in row group 0 holds ${records.length} values, its row group ${records.length + 5} rows`,
    })
  })
})

describe('Parquet pages that stop short', () => {
  it('name the column whose pages hold fewer values than the footer says', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: i }))
    const bytes = encodeParquet(rows, inferSchema(rows))
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const metadata = parquetMetadata(buffer)
    // The footer agrees with itself (chunk values = group rows) but not with the pages.
    metadata.row_groups[0]!.num_rows = 12n
    metadata.row_groups[0]!.columns[0]!.meta_data!.num_values = 12n
    const file = { byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) }
    await expect(collect(readParquetRows(file, { metadata, sliceRows: 100 }))).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: 'column id ends 2 rows short of its row group',
    })
  })

  it('reads int columns (stored as INT64) back as the same numbers, by row and by column, plain or dictionary-encoded', async () => {
    const safe = fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, -(2 ** 32), 2 ** 31, -(2 ** 31) - 1))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(safe, { nil: null }), { minLength: 1, maxLength: 300 }), async (ids) => {
        const rows = ids.map((id, i) => ({ id, small: id === null ? null : i % 3 }))
        const { file, buffer } = fileOf(rows)
        const metadata = parquetMetadata(buffer)
        const byRow = (await collect(readParquetRows(file, { metadata, sliceRows: 128 }))).flat()
        expect(byRow).toEqual(rows)
        const byColumn: unknown[] = []
        for await (const slice of readParquetColumns(file, { metadata, sliceRows: 128 })) byColumn.push(...slice.values[slice.names.indexOf('id')]!)
        expect(byColumn).toEqual(ids)
      }),
      { numRuns: 200 },
    )
  })
})

describe('Parquet page values', () => {
  const edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]

  it('give INT64 values as the numbers Number() makes of them, exactly where a double rounds', () => {
    const big = [2n ** 53n + 1n, 2n ** 53n + 3n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 62n + 2n ** 10n + 1n]
    const values = BigInt64Array.from([...edges.map(BigInt), ...big])
    expect(Array.from(int64Numbers(values))).toEqual(Array.from(values, Number))
    // A view that does not start at its buffer's first byte.
    const inner = new BigInt64Array(values.buffer, 8, values.length - 1)
    expect(Array.from(int64Numbers(inner))).toEqual(Array.from(inner, Number))
  })

  it('make each bigint the number Number() makes of it, inside INT64 and beyond', () => {
    const big = [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n + 5n, -(2n ** 64n) - 5n, 10n ** 30n, -0n]
    for (const value of [...edges.map(BigInt), ...big]) expect(Object.is(bigintNumber(value), Number(value))).toBe(true)
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt()), (value) => Object.is(bigintNumber(value), Number(value))),
      { numRuns: 5000 },
    )
  })

  it('read int columns back as the numbers written, plain and dictionary-encoded, with and without nulls', async () => {
    const rows = Array.from({ length: 2 * PAGE_ROWS + 300 }, (_, i) => ({
      // Every value distinct: written PLAIN.
      wide: i % 11 === 0 ? null : (edges[i % edges.length]! + (i % 2 === 0 ? -i : i)) * (i % 3 === 0 ? -1 : 1),
      // Few values: written with a dictionary.
      narrow: i % 5 === 0 ? null : (i % 7) - 3,
      dense: i - PAGE_ROWS,
    }))
    const { buffer, file } = fileOf(rows)
    const metadata = parquetMetadata(buffer)
    const encodings = Object.fromEntries(metadata.row_groups[0]!.columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.encodings]))
    expect(encodings.wide).not.toContain('RLE_DICTIONARY')
    expect(encodings.narrow).toContain('RLE_DICTIONARY')
    const read = (await collect(readParquetRows(file, { metadata, sliceRows: 1000 }))).flat()
    expect(read).toEqual(rows)
    expect(read.every((row) => Object.values(row).every((v) => v === null || typeof v === 'number'))).toBe(true)
    expect(read).toEqual(await decodeParquet(file))
  })

  it('make rows with the columns in file order, a column named __proto__ an own property', async () => {
    // Our writer refuses the name; another writer's file can have it.
    const n = 50
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'b', data: Array.from({ length: n }, (_, i) => i), type: 'INT32' },
        { name: '__proto__', data: Array.from({ length: n }, (_, i) => `p${i}`), type: 'STRING' },
        { name: 'a', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i / 2)), type: 'DOUBLE' },
      ],
    })
    const file = { byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) }
    for (const columns of [undefined, ['a', '__proto__'], ['a', 'b']]) {
      const read = (await collect(readParquetRows(file, { metadata: parquetMetadata(buffer), columns, sliceRows: 16 }))).flat()
      expect(read).toHaveLength(n)
      const want = ['b', '__proto__', 'a'].filter((c) => !columns || columns.includes(c))
      for (const [i, row] of read.entries()) {
        expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
        expect(Object.keys(row)).toEqual(want)
        if (want.includes('__proto__')) expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(`p${i}`)
        if (want.includes('a')) expect(row.a).toBe(i % 3 === 0 ? null : i / 2)
      }
    }
  })
})

describe('row group bytes', () => {
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    id: i,
    blob: i % 5 === 0 ? null : new Uint8Array([i & 255, i >> 8, 7]),
    name: `n${i % 40}`,
    x: i / 3,
  }))

  it.each(['SNAPPY', 'UNCOMPRESSED'] as const)('%s: every value read stays whole after its row group is done', async (codec) => {
    const bytes = encodeParquet(rows, inferSchema(rows), { codec, rowGroupSize: 1000 })
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const metadata = parquetMetadata(buffer)
    const { file, released } = releasingFile(buffer)
    const byRow = await collect(readParquetRows(file, { metadata, sliceRows: 300 }))
    const byColumn: unknown[][] = [[], [], [], []]
    for await (const slice of readParquetColumns(file, { metadata, sliceRows: 300 })) {
      for (const [j, v] of slice.values.entries()) byColumn[j]!.push(...v)
    }
    expect(byRow.flat()).toEqual(rows)
    expect(byColumn).toEqual(['id', 'blob', 'name', 'x'].map((name) => rows.map((r) => r[name as keyof (typeof rows)[number]])))
    // Binary values of an uncompressed page are views of the file's bytes: those are kept.
    expect(released).toHaveLength(codec === 'SNAPPY' ? 6 : 0)
  })

  it('are given back only once the row group is read: a read stopped inside one keeps them', async () => {
    const bytes = encodeParquet(rows, inferSchema(rows), { rowGroupSize: 1000 })
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const { file, released } = releasingFile(buffer)
    const reader = readParquetRows(file, { metadata: parquetMetadata(buffer), sliceRows: 300 })
    for (let i = 0; i < 4; i++) await reader.next()
    expect(released).toEqual([])
    await reader.next()
    expect(released).toHaveLength(1)
    await reader.return(undefined)
    expect(released).toHaveLength(1)
  })
})

describe('the parquet-testing corpus', () => {
  const data = fileURLToPath(new URL('../fixtures/parquet-testing/data/', import.meta.url))
  // Encrypted files are refused before a page is read; the 1 GiB string page is refused by size.
  const names = readdirSync(data).filter((n) => n.endsWith('.parquet') && n !== 'large_string_map.brotli.parquet')

  it.each(names)('%s reads a page at a time as hyparquet reads it whole', async (name) => {
    const bytes = readFileSync(`${data}${name}`)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    // Bytes are given back as each row group is done: a value still sharing them would read empty.
    const { file } = releasingFile(buffer)
    const whole = await decodeParquet(buffer).then(
      (rows) => ({ rows }),
      (error) => ({ code: (error as { code?: string }).code }),
    )
    const pages = await (async () => {
      const rows: Record<string, unknown>[] = []
      for await (const slice of readParquetRows(file, { metadata: parquetMetadata(buffer), sliceRows: 777 })) rows.push(...slice)
      return rows
    })().then(
      (rows) => ({ rows }),
      (error) => ({ code: (error as { code?: string }).code }),
    )
    expect(pages).toEqual(whole)
  })
})
