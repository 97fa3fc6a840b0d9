import { describe, expect, it } from '@jest/globals'
import { parquetMetadata } from 'hyparquet'
import { decodeParquet, encodeParquet } from '../src/codecs/parquet.js'
import { ParquetStreamEncoder } from '../src/codecs/parquet-stream.js'
import { inferSchema, type TableSchema } from '../src/codecs/schema.js'

function records(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    team: i % 7 === 0 ? null : ['Navy', 'Army', 'Air Force'][i % 3],
    text: i % 5 === 0 ? null : `row ${i} ✓ ${'x'.repeat(i % 90)}`,
    score: i % 13 === 0 ? null : i / 7,
    big: i % 2 === 0 ? BigInt(i) * 10n ** 12n : null,
    flag: i % 6 === 0 ? null : i % 4 === 1,
    at: i % 9 === 0 ? null : new Date(Date.UTC(2024, 8, 1) + i * 60_000),
    meta: i % 8 === 0 ? null : { i, tags: ['a', i] },
    bin: i % 3 === 0 ? null : new Uint8Array([i & 255, 1, 2]),
  }))
}

/** The encoder's output as one file, with the size of each piece it was given. */
function streamed(schema: TableSchema, batches: Record<string, unknown>[][]) {
  const pieces: Buffer[] = []
  const encoder = new ParquetStreamEncoder(schema, (bytes) => pieces.push(Buffer.from(bytes)))
  for (const batch of batches) encoder.writeRows(batch)
  encoder.finish()
  const file = Buffer.concat(pieces)
  expect(encoder.bytesWritten).toBe(file.length)
  return { file: new Uint8Array(file), pieces: pieces.map((p) => p.length) }
}

const bufferOf = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

describe('ParquetStreamEncoder', () => {
  it('writes a row group per batch, byte for byte the file the one-shot encoder cuts the same way', () => {
    const rows = records(10_000)
    const schema = inferSchema(rows)
    const batches = [rows.slice(0, 4_000), rows.slice(4_000, 8_000), rows.slice(8_000)]
    const { file, pieces } = streamed(schema, batches)
    expect(Buffer.from(file).equals(Buffer.from(encodeParquet(rows, schema, { rowGroupSize: 4_000 })))).toBe(true)
    // A piece per row group, then the page index and footer: nothing waits for the end.
    expect(pieces).toHaveLength(4)
    expect(parquetMetadata(bufferOf(file)).row_groups.map((g) => Number(g.num_rows))).toEqual([4_000, 4_000, 2_000])
  })

  it('reads back batches whose columns are null, missing or in another order, under the declared types', async () => {
    const schema: TableSchema = { columns: [{ name: 'id', type: 'int' }, { name: 'score', type: 'float' }, { name: 'name', type: 'string' }] }
    const { file } = streamed(schema, [
      [{ id: 1, score: 2, name: 'a' }],
      [{ name: null, id: 2 }],
      [],
      [{ score: 0.5, id: 3, name: 'c' }],
    ])
    const rows = await decodeParquet(bufferOf(file))
    expect(rows).toEqual([
      { id: 1, score: 2, name: 'a' },
      { id: 2, score: null, name: null },
      { id: 3, score: 0.5, name: 'c' },
    ])
  })

  it('writes a file with no rows', async () => {
    const { file } = streamed({ columns: [{ name: 'id', type: 'int' }] }, [])
    expect(await decodeParquet(bufferOf(file))).toEqual([])
  })

  it('refuses a column the schema lacks and a value of another type, naming the column', () => {
    const schema: TableSchema = { columns: [{ name: 'id', type: 'int' }] }
    const encoder = new ParquetStreamEncoder(schema, () => {})
    expect(() => encoder.writeRows([{ id: 1, extra: 2 }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"extra"') }))
    expect(() => encoder.writeRows([{ id: 'one' }])).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('"id"') }))
    expect(() => encoder.writeRows([{ id: 1.5 }])).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }))
  })
})
