/**
 * The checkpoint writer (table/checkpoint-file.ts) against readers: random table states are
 * checkpointed, and our reader, hyparquet's general assembly and pyarrow (one Python process for
 * the batch) must each give back every action of the state, with nulls, empty and absent maps,
 * lists, and pages cut between rows.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { compressors } from 'hyparquet-compressors'
import { MemoryObjectStore } from '../src/index.js'
import type { AddFile, Metadata, RemoveFile, Txn } from '../src/table/actions.js'
import { checkpointRows, encodeCheckpoint, readCheckpoint } from '../src/table/checkpoint.js'
import { encodeCheckpointFile } from '../src/table/checkpoint-file.js'
import { checkpointValues } from '../src/table/checkpoint-rows.js'
import type { TableState } from '../src/table/table-state.js'

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31)
const dir = mkdtempSync(join(tmpdir(), 'cfb-checkpoint-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', 'é', '東京 🏈', 'season=2024/week=1'))
const map = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), text, { maxKeys: 3 })
const nullableMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), fc.option(text, { nil: null }), { maxKeys: 3 })
const long = fc.integer({ min: 0, max: 2 ** 40 })
const path = fc.stringMatching(/^[a-z][a-z0-9_=-]{0,15}(\/[a-z][a-z0-9_.-]{0,10})?$/)

const add: fc.Arbitrary<AddFile> = fc.record({
  path,
  partitionValues: nullableMap,
  size: long,
  modificationTime: long,
  dataChange: fc.constant(false),
  stats: fc.option(fc.oneof(fc.json(), fc.constant(`{"numRecords":1,"minValues":{"s":"${'x'.repeat(3000)}"}}`)), { nil: null }),
  tags: fc.option(map, { nil: null }),
})
const remove: fc.Arbitrary<RemoveFile> = fc.record({
  path,
  deletionTimestamp: fc.option(long, { nil: null }),
  dataChange: fc.constant(false),
  extendedFileMetadata: fc.option(fc.boolean(), { nil: null }),
  partitionValues: fc.option(nullableMap, { nil: null }),
  size: fc.option(long, { nil: null }),
})
const txn: fc.Arbitrary<Txn> = fc.record({ appId: fc.string({ minLength: 1, maxLength: 8 }), version: long, lastUpdated: fc.option(long, { nil: null }) })
const metadata: fc.Arbitrary<Metadata> = fc.record({
  id: fc.uuid(),
  name: fc.option(text, { nil: null }),
  description: fc.option(text, { nil: null }),
  format: fc.record({ provider: fc.constant('parquet'), options: map }),
  schemaString: fc.constant('{"type":"struct","fields":[]}'),
  partitionColumns: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 3 }),
  createdTime: fc.option(long, { nil: null }),
  configuration: map,
})

const state: fc.Arbitrary<TableState> = fc
  .record({
    metadata,
    protocol: fc.record({ minReaderVersion: fc.integer({ min: 1, max: 3 }), minWriterVersion: fc.integer({ min: 2, max: 7 }) }),
    adds: fc.uniqueArray(add, { maxLength: 40, selector: (a) => a.path }),
    removes: fc.uniqueArray(remove, { maxLength: 8, selector: (r) => r.path }),
    txns: fc.uniqueArray(txn, { maxLength: 3, selector: (t) => t.appId }),
  })
  .map(({ metadata, protocol, adds, removes, txns }) => ({
    table: 't',
    version: 10,
    timestamp: 0,
    protocol,
    metadata,
    fields: [],
    columns: [],
    files: new Map(adds.map((a) => [a.path, a])),
    tombstones: new Map(removes.map((r) => [r.path, r])),
    txns: new Map(txns.map((t) => [t.appId, t])),
  }))

/** The actions a checkpoint of `s` holds, as our reader gives them back. */
function expectedActions(s: TableState): unknown[] {
  return [
    { protocol: s.protocol },
    { metaData: { ...s.metadata, name: s.metadata.name ?? null, description: s.metadata.description ?? null, createdTime: s.metadata.createdTime ?? null } },
    ...[...s.txns.values()].map((t) => ({ txn: { ...t, lastUpdated: t.lastUpdated ?? null } })),
    ...[...s.files.values()].map((a) => ({ add: a })),
    ...[...s.tombstones.values()].map((r) => ({ remove: { ...r, partitionValues: r.partitionValues ?? {} } })),
  ]
}

/**
 * Each leaf's rows as its data pages' headers count them (num_rows of DATA_PAGE_V2): readers that
 * skip or cut pages by rows rely on them, and every leaf has an entry in every row.
 */
function pageRows(buffer: ArrayBuffer): number[] {
  return parquetMetadata(buffer).row_groups[0]!.columns.map((chunk) => {
    const meta = chunk.meta_data!
    const start = Number(meta.data_page_offset)
    const reader = { view: new DataView(buffer, start, Number(meta.total_compressed_size)), offset: 0 }
    let rows = 0
    while (reader.offset < reader.view.byteLength) {
      const header = parquetHeader(reader)
      rows += header.data_page_header_v2!.num_rows
      reader.offset += header.compressed_page_size
    }
    return rows
  })
}

/** The rows `checkpointValues` visits, as hyparquet's rows: every column of every row, null where it visits none. */
function assembledRows(buffer: ArrayBuffer, metadata: ReturnType<typeof parquetMetadata>, columns: string[]): Record<string, unknown>[] {
  const rows = Array.from({ length: Number(metadata.num_rows) }, () => Object.fromEntries(columns.map((c): [string, unknown] => [c, null])))
  checkpointValues(buffer, metadata, columns, (column, value, row) => {
    rows[row]![columns[column]!] = value
  })
  return rows
}

/** Drops null and undefined fields, as readers differ on absent against null. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const p = plain(v)
    if (p !== undefined) out[k] = p
  }
  return out
}

describe('checkpoint files', () => {
  it('give every action back through our reader, hyparquet and pyarrow', async () => {
    const cases: { file: string; expected: unknown }[] = []
    await fc.assert(
      fc.asyncProperty(state, async (s) => {
        const bytes = encodeCheckpoint(s)
        const store = new MemoryObjectStore()
        await store.put('t/_delta_log/00000000000000000010.checkpoint.parquet', bytes)
        const actions = await readCheckpoint(store, 't/_delta_log/00000000000000000010.checkpoint.parquet')
        expect(plain(actions)).toEqual(plain(expectedActions(s)))
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
        const columns = ['txn', 'add', 'remove', 'metaData', 'protocol']
        const general = await parquetReadObjects({ file: buffer, columns, compressors })
        expect(plain(assembledRows(buffer, parquetMetadata(buffer), columns))).toEqual(plain(general))
        const file = join(dir, `${cases.length}.parquet`)
        writeFileSync(file, bytes)
        cases.push({ file, expected: plain(general) })
      }),
      { seed: SEED, numRuns: 40 },
    )
    // A table whose stats come to more than one page (1 MiB of values): pages end between rows.
    const [big] = fc.sample(state, { seed: SEED, numRuns: 1 })
    const files = new Map<string, AddFile>()
    for (let i = 0; i < 700; i++) {
      const path = `season=${i % 7}/part-${i}.parquet`
      files.set(path, { path, partitionValues: { season: String(i % 7), week: i % 3 === 0 ? null : '1' }, size: i, modificationTime: i, dataChange: false, stats: `{"numRecords":${i},"pad":"${'p'.repeat(2000)}"}`, tags: i % 2 === 0 ? {} : { k: 't'.repeat(4000), n: String(i) } })
    }
    const large = { ...big!, files }
    const bytes = encodeCheckpoint(large)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const statsPages = parquetMetadata(buffer).row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema.join('.') === 'add.stats')!
    expect(Number(statsPages.meta_data!.total_uncompressed_size)).toBeGreaterThan(2 ** 20)
    const rowCount = Number(parquetMetadata(buffer).num_rows)
    expect(pageRows(buffer)).toEqual(pageRows(buffer).map(() => rowCount))
    const store = new MemoryObjectStore()
    await store.put('t/_delta_log/00000000000000000010.checkpoint.parquet', bytes)
    expect(plain(await readCheckpoint(store, 't/_delta_log/00000000000000000010.checkpoint.parquet'))).toEqual(plain(expectedActions(large)))
    const general = await parquetReadObjects({ file: buffer, columns: ['txn', 'add', 'remove', 'metaData', 'protocol'], compressors })
    cases.push({ file: join(dir, 'large.parquet'), expected: plain(general) })
    writeFileSync(cases.at(-1)!.file, bytes)

    // pyarrow: maps come out as lists of pairs, which become objects again here.
    const script = `
import json, sys, pyarrow.parquet as pq
def fix(v):
    if isinstance(v, list) and all(isinstance(p, tuple) and len(p) == 2 for p in v) and len(v) > 0:
        return {k: fix(x) for k, x in v}
    if isinstance(v, dict): return {k: fix(x) for k, x in v.items()}
    if isinstance(v, list): return [fix(x) for x in v]
    return v
print(json.dumps([[fix(r) for r in pq.read_table(f).to_pylist()] for f in sys.argv[1:]]))
`
    const read = JSON.parse(execFileSync('python3', ['-c', script, ...cases.map((c) => c.file)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as unknown[]
    // An empty map reads as [] in pyarrow and {} in hyparquet: both are no entries.
    const noEmpty = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(noEmpty)
      if (value === null || typeof value !== 'object') return value
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        const p = noEmpty(v)
        if (p !== undefined && !(typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0)) out[k] = p
      }
      return out
    }
    read.forEach((rows, i) => {
      expect(noEmpty(plain(rows))).toEqual(noEmpty(cases[i]!.expected))
    })
  }, 120_000)

  it('keep each action in its row whatever order the kinds come in', async () => {
    // The writer enters a column's absent rows in runs, before its next value: rows of every kind
    // in turn must still land each in its place.
    const shuffled = state.chain((s) => {
      const n = checkpointRows(s).length
      return fc.tuple(fc.constant(s), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))
    })
    await fc.assert(
      fc.asyncProperty(shuffled, async ([s, order]) => {
        const rows = checkpointRows(s)
        const expected = expectedActions(s)
        const store = new MemoryObjectStore()
        const key = 't/_delta_log/00000000000000000010.checkpoint.parquet'
        const bytes = encodeCheckpointFile(order.map((i) => rows[i]!), 'test')
        await store.put(key, bytes)
        expect(plain(await readCheckpoint(store, key))).toEqual(plain(order.map((i) => expected[i])))
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
        expect(pageRows(buffer)).toEqual(pageRows(buffer).map(() => rows.length))
      }),
      { seed: SEED, numRuns: 60 },
    )
  })

  it('refuses values of another shape than the schema, rather than write them as null or garbage', () => {
    const [s] = fc.sample(state, { seed: SEED, numRuns: 1 })
    const file: AddFile = { path: 'a/part-0.parquet', partitionValues: {}, size: 1, modificationTime: 2, dataChange: false }
    const withFile = (add: object) => ({ ...s!, files: new Map([['a', add as AddFile]]) })
    expect(() => encodeCheckpoint(withFile({ ...file, tags: 'x' }))).toThrow(/tags must be an object/)
    expect(() => encodeCheckpoint(withFile({ ...file, size: '12' }))).toThrow(/add\.size must be an integer/)
    expect(() => encodeCheckpoint(withFile({ ...file, modificationTime: 1.5 }))).toThrow(/modificationTime must be an integer/)
    expect(() => encodeCheckpoint(withFile({ ...file, partitionValues: { k: 3 } }))).toThrow(/value must be a string/)
    expect(() => encodeCheckpoint({ ...s!, metadata: { ...s!.metadata, partitionColumns: 'k' as unknown as string[] } })).toThrow(/partitionColumns must be a list/)
    expect(encodeCheckpoint(withFile(file)).length).toBeGreaterThan(0)
  })
})
