/**
 * Checkpoint rows are assembled from the leaf levels (table/checkpoint-rows.ts) rather than by
 * hyparquet's general assembly; both must give the same rows, for our checkpoints and for those of
 * the Delta project's own writers, whose shapes are wider (deletion vectors, stats_parsed, variant).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { encodeCheckpoint, readCheckpoint } from '../src/table/checkpoint.js'
import { checkpointValues, UnsupportedShape } from '../src/table/checkpoint-rows.js'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'
import { loadState } from '../src/table/snapshot.js'

const DIR = new URL('./fixtures/delta-checkpoints/', import.meta.url)
const files = readdirSync(DIR).filter((name) => name.endsWith('.parquet'))

/**
 * hyparquet leaves an absent nested value undefined where the assembler says null, and INT64 as
 * bigint where the assembler gives numbers (as commit files hold them): alike here.
 */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(plain)
  if (value instanceof Uint8Array || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const p = plain(v)
    if (p !== undefined) out[k] = p
  }
  return out
}

/** The rows `checkpointValues` visits, as hyparquet's rows: every column of every row, null where it visits none. */
function assembledRows(buffer: ArrayBuffer, metadata: ReturnType<typeof parquetMetadata>, columns: string[]): Record<string, unknown>[] {
  const rows = Array.from({ length: Number(metadata.num_rows) }, () => Object.fromEntries(columns.map((c): [string, unknown] => [c, null])))
  checkpointValues(buffer, metadata, columns, (column, value, row) => {
    rows[row]![columns[column]!] = value
  })
  return rows
}

async function bothWays(bytes: Uint8Array) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const metadata = parquetMetadata(buffer)
  const tops = topLevel(metadata)
  const general = await parquetReadObjects({ file: buffer, metadata, columns: tops, compressors })
  let assembled: Record<string, unknown>[] | undefined
  try {
    assembled = assembledRows(buffer, metadata, tops)
  } catch (error) {
    if (!(error instanceof UnsupportedShape)) throw error
  }
  return { general, assembled, tops }
}

/** The names of the root's children, in order. */
function topLevel(metadata: ReturnType<typeof parquetMetadata>): string[] {
  const names: string[] = []
  let i = 1
  const skip = (): void => {
    const element = metadata.schema[i++]!
    for (let c = 0; c < (element.num_children ?? 0); c++) skip()
  }
  while (i < metadata.schema.length) {
    names.push(metadata.schema[i]!.name)
    skip()
  }
  return names
}

describe('checkpoint rows assembled from leaf levels', () => {
  it.each(files)('%s: the rows hyparquet assembles', async (name) => {
    const { general, assembled, tops } = await bothWays(readFileSync(new URL(name, DIR)))
    expect(tops).toContain('add')
    expect(assembled).toHaveLength(general.length)
    expect(plain(assembled)).toEqual(plain(general))
    expect(JSON.stringify(assembled, (_, v) => (typeof v === 'bigint' ? 'BIGINT' : v))).not.toContain('BIGINT')
  })

  it('a shape it does not build (a map of lists) is read by hyparquet instead', async () => {
    const schema = [
      { name: 'root', num_children: 1 },
      { name: 'metaData', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'configuration', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'value', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ]
    const bytes = new Uint8Array(
      parquetWriteBuffer({ columnData: [{ name: 'metaData', data: [{ id: 'x', configuration: { k: ['a', 'b'] } }] }], schema } as never),
    )
    const { general, assembled } = await bothWays(bytes)
    expect(assembled).toBeUndefined()
    expect(general).toEqual([{ metaData: { id: 'x', configuration: { k: ['a', 'b'] } } }])
    const store = new MemoryObjectStore()
    await store.put('t/_delta_log/00000000000000000000.checkpoint.parquet', bytes)
    const actions = await readCheckpoint(store, 't/_delta_log/00000000000000000000.checkpoint.parquet')
    expect(actions).toMatchObject([{ metaData: { id: 'x', configuration: { k: ['a', 'b'] } } }])
  })

  it('our own checkpoint takes the fast path, with maps, nulls and tombstones', async () => {
    const memory = new MemoryObjectStore()
    const table = new ObjectStorage(memory)
    for (let i = 0; i < 12; i++) {
      // Replaced files kept for an hour: their tombstones stay in the checkpoint.
      const options = { overwrite: i % 5 === 0, table: { keepRemovedFilesMs: 3_600_000 } }
      await table.write('t', [{ id: i, name: i % 3 === 0 ? null : `n${i}` }], { part: i % 4, tag: i % 2 === 0 ? 'even' : null }, options)
    }
    const state = (await loadState(memory, 't'))!
    const { general, assembled } = await bothWays(encodeCheckpoint(state))
    expect(assembled).toBeDefined()
    expect(plain(assembled)).toEqual(plain(general))
    expect(general.some((row) => row.remove)).toBe(true)
  })
})
