import { describe, expect, it } from '@jest/globals'
import { parquetMetadata, readColumnIndex, readOffsetIndex } from 'hyparquet'
import { decodeParquet, encodeParquet } from '../src/codecs/parquet.js'
import { inferSchema } from '../src/codecs/schema.js'

// The conformance suite writes small tables; these reach the writer's other paths: several row
// groups and pages, nulls inside dictionary columns, wide integers, and the statistics.

function bufferOf(bytes: Uint8Array) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

async function roundTrip(records: Record<string, unknown>[], rowGroupSize?: number) {
  const bytes = encodeParquet(records, inferSchema(records), { rowGroupSize })
  const file = bufferOf(bytes)
  const asyncBuffer = { byteLength: file.byteLength, slice: async (s: number, e?: number) => file.slice(s, e) }
  return { rows: await decodeParquet(asyncBuffer), metadata: parquetMetadata(file) }
}

describe('Parquet writer', () => {
  it('round-trips every type across row groups, with nulls in dictionary and plain columns', async () => {
    const records = Array.from({ length: 2_500 }, (_, i) => ({
      id: i,
      team: i % 7 === 0 ? null : ['Navy', 'Army', 'Air Force'][i % 3],
      text: i % 5 === 0 ? undefined : `row ${i} ✓`,
      small: i % 11 === 0 ? null : i % 4,
      wide: i % 3 === 0 ? null : i * 1_000_003 - 2 ** 40,
      score: i % 13 === 0 ? null : i / 7,
      big: i % 2 === 0 ? BigInt(i) * 10n ** 15n : null,
      flag: i % 6 === 0 ? null : i % 4 === 1,
      at: i % 9 === 0 ? null : new Date(Date.UTC(2024, 8, 1) + i * 60_000),
      meta: i % 8 === 0 ? null : { i, tags: ['a', i] },
      none: null,
    }))
    const { rows, metadata } = await roundTrip(records, 1_000)
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1_000, 1_000, 500])
    expect(rows).toEqual(records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? null]))))
    const encodings = Object.fromEntries(metadata.row_groups[0]!.columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.encodings]))
    expect(encodings.team).toContain('RLE_DICTIONARY')
    expect(encodings.small).toContain('RLE_DICTIONARY')
    expect(encodings.text).not.toContain('RLE_DICTIONARY')
  })

  it('encodes files one after another on shared scratch, each file its own bytes', async () => {
    // Files encoded at once share the writer's scratch (dictionary indexes, bigints, booleans,
    // page buffers): a file must not change when the next is encoded, larger or smaller.
    const make = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => ({
        team: ['Navy', 'Army', 'Air Force', 'Rice'][(i * seed) % 4],
        small: (i + seed) % 5,
        big: BigInt(i + seed) * 10n ** 14n,
        flag: (i + seed) % 3 === 0,
        score: i / seed,
      }))
    const sets = [make(3_000, 1), make(40, 7), make(9_000, 3), make(1, 5)]
    const files = sets.map((records) => encodeParquet(records, inferSchema(records)))
    const copies = files.map((bytes) => bytes.slice())
    for (const records of [make(5_000, 11), make(2, 13)]) encodeParquet(records, inferSchema(records))
    for (const [k, bytes] of files.entries()) {
      expect(bytes).toEqual(copies[k])
      expect(bytes.buffer).not.toBe(files[(k + 1) % files.length]!.buffer)
      const file = bufferOf(bytes)
      const rows = await decodeParquet({ byteLength: file.byteLength, slice: async (s: number, e?: number) => file.slice(s, e) })
      expect(rows).toEqual(sets[k])
    }
  })

  it('writes a column of long strings as pages of about 1 MB that read back whole', async () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ id: i, text: `${i}`.padEnd(100_000, 'x') }))
    const { rows, metadata } = await roundTrip(records)
    expect(rows).toEqual(records)
    const text = metadata.row_groups[0]!.columns[1]!.meta_data!
    expect(Number(text.total_uncompressed_size)).toBeGreaterThan(4_000_000)
  })

  it('records min, max and null count per column chunk as readers order them', async () => {
    const records = [
      { n: 3, f: -0, s: '\uFFFF', big: -5n, at: new Date(5), b: true },
      { n: -2_147_483_648, f: Number.NaN, s: '😀', big: 2n ** 62n, at: new Date(-5), b: true },
      { n: null, f: 0, s: 'a', big: null, at: null, b: null },
    ]
    const { metadata } = await roundTrip(records)
    const stats = Object.fromEntries(metadata.row_groups[0]!.columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.statistics]))
    expect(stats.n).toMatchObject({ min_value: -2_147_483_648n, max_value: 3n, null_count: 1n })
    expect(Object.is(stats.f!.min_value, -0)).toBe(true)
    expect(Object.is(stats.f!.max_value, 0)).toBe(true)
    // UTF-8 byte order: U+1F600 sorts after U+FFFF, though its UTF-16 surrogates sort before.
    expect(stats.s).toMatchObject({ min_value: 'a', max_value: '😀' })
    expect(stats.big).toMatchObject({ min_value: -5n, max_value: 2n ** 62n })
    expect(stats.at).toMatchObject({ min_value: new Date(-5), max_value: new Date(5) })
    expect(stats.b).toMatchObject({ min_value: true, max_value: true, null_count: 1n })
  })

  it('truncates byte-array min/max past 64 bytes as parquet-mr does: the max rounded up at a character boundary', async () => {
    const records = [
      { s: `${'é'.repeat(40)}z`, t: `${'a'.repeat(63)}😀`, u: '\u{10ffff}'.repeat(17), b: new Uint8Array(70).fill(0xff), j: { k: 'x'.repeat(80) } },
      { s: 'a', t: null, u: null, b: new Uint8Array([1]), j: null },
    ]
    const { metadata } = await roundTrip(records)
    const stats = Object.fromEntries(metadata.row_groups[0]!.columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.statistics]))
    expect(stats.s).toMatchObject({ min_value: 'a', is_min_value_exact: true, max_value: `${'é'.repeat(31)}ê`, is_max_value_exact: false })
    // A 4-byte character is not cut in half; the last 'a' of the prefix rounds up to 'b'.
    expect(stats.t).toMatchObject({ min_value: 'a'.repeat(63), is_min_value_exact: false, max_value: `${'a'.repeat(62)}b`, is_max_value_exact: false })
    // Nothing above U+10FFFF and 0xFF: no max can be shorter, so there is none.
    expect(stats.u).toMatchObject({ min_value: '\u{10ffff}'.repeat(16), is_min_value_exact: false })
    expect(stats.u!.max_value).toBeUndefined()
    // hyparquet reads byte-array bounds as text.
    expect(stats.b!.min_value).toBe('\x01')
    expect(stats.b!.max_value).toBeUndefined()
    const json = `{"k":"${'x'.repeat(80)}"}`
    expect(stats.j).toMatchObject({ min_value: json.slice(0, 64), max_value: `${json.slice(0, 63)}y`, is_max_value_exact: false })
  })

  it('writes a column index and an offset index for every column chunk, pages located and bounded', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => ({ id: i, gap: i >= 4_096 && i < 8_192 ? null : -i, team: ['b', 'a', 'c'][i % 3] }))
    const bytes = encodeParquet(records, inferSchema(records))
    const metadata = parquetMetadata(bufferOf(bytes))
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const indexes = new Map(
      metadata.row_groups[0]!.columns.map((chunk, j) => [
        chunk.meta_data!.path_in_schema[0]!,
        {
          columns: readColumnIndex({ view, offset: Number(chunk.column_index_offset) }, metadata.schema[j + 1]!),
          offsets: readOffsetIndex({ view, offset: Number(chunk.offset_index_offset) }),
          dataOffset: Number(chunk.meta_data!.data_page_offset),
        },
      ]),
    )
    expect([...indexes.keys()]).toEqual(['id', 'gap', 'team'])
    for (const { offsets, dataOffset } of indexes.values()) {
      expect(offsets.page_locations.map((p) => Number(p.first_row_index))).toEqual([0, 4_096, 8_192])
      expect(Number(offsets.page_locations[0]!.offset)).toBe(dataOffset)
      const [a, b, c] = offsets.page_locations
      expect([Number(b!.offset), Number(c!.offset)]).toEqual([Number(a!.offset) + a!.compressed_page_size, Number(b!.offset) + b!.compressed_page_size])
    }
    expect(indexes.get('id')!.columns).toMatchObject({ min_values: [0n, 4_096n, 8_192n], max_values: [4_095n, 8_191n, 9_999n], boundary_order: 'ASCENDING' })
    expect(indexes.get('gap')!.columns).toMatchObject({ null_pages: [false, true, false], min_values: [-4_095, new Uint8Array(0), -9_999], boundary_order: 'DESCENDING' })
    expect(indexes.get('gap')!.columns.null_counts).toEqual([0n, 4_096n, 0n])
    expect(indexes.get('team')!.columns).toMatchObject({ min_values: ['a', 'a', 'a'], max_values: ['c', 'c', 'c'], boundary_order: 'ASCENDING' })
  })

  it('writes bigints as INT64 whether they fit a double or not: small ones in a dictionary, wide ones exactly', async () => {
    // DuckDB and pyarrow hand over every integer as a bigint; most fit ±2^53 and take the number paths.
    const records = Array.from({ length: 3_000 }, (_, i) => ({
      small: i % 5 === 0 ? null : BigInt(i % 4) - 2n,
      wide: i === 2_999 ? 2n ** 63n - 1n : i === 7 ? -(2n ** 63n) : BigInt(i) - 2n ** 53n,
    }))
    const { rows, metadata } = await roundTrip(records)
    expect(rows).toEqual(records.map((r) => ({ small: r.small ?? null, wide: r.wide })))
    const [small, wide] = metadata.row_groups[0]!.columns.map((c) => c.meta_data!)
    expect(small!.type).toBe('INT64')
    expect(small!.encodings).toContain('RLE_DICTIONARY')
    expect(small!.statistics).toMatchObject({ min_value: -2n, max_value: 1n, null_count: 600n })
    expect(wide!.statistics).toMatchObject({ min_value: -(2n ** 63n), max_value: 2n ** 63n - 1n })
  })

  it('refuses a bigint outside INT64', () => {
    const records = [{ big: 2n ** 63n }]
    expect(() => encodeParquet(records, inferSchema(records))).toThrow(/INT64/)
  })
})
