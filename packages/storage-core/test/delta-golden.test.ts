// The Delta project's golden tables (Spark-written; connectors/golden-tables in delta-io/delta,
// Apache 2.0, vendored under test/fixtures/delta-golden without their .crc files): this engine
// reads each exactly as the protocol says, from the log alone.
import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from '@jest/globals'
import { MemoryObjectStore, ObjectStorage, type Row } from '../src/index.js'
import { keyOfPath } from '../src/table/log-files.js'
import { loadState } from '../src/table/snapshot.js'

const GOLDEN = new URL('./fixtures/delta-golden/', import.meta.url)

async function walk(dir: URL, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = `${prefix}${entry.name}`
    if (entry.isDirectory()) out.push(...(await walk(new URL(`${encodeURIComponent(entry.name)}/`, dir), `${name}/`)))
    else out.push(name)
  }
  return out
}

/** A store holding one golden table under the key `table`, less any files `skip` names. */
async function golden(name: string, skip: (key: string) => boolean = () => false): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore()
  const dir = new URL(`${name}/`, GOLDEN)
  for (const file of await walk(dir)) {
    if (skip(file)) continue
    const bytes = await readFile(new URL(file.split('/').map(encodeURIComponent).join('/'), dir))
    await store.put(`table/${file}`, new Uint8Array(bytes))
  }
  return store
}

async function read(name: string, version?: number): Promise<Row[]> {
  return new ObjectStorage(await golden(name)).readIndex('table', {}, { version })
}

const sorted = (rows: Row[], key: string) => [...rows].sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0))
const data = (set: number, n: number) => Array.from({ length: n }, (_, x) => ({ col1: x, col2: `data-${set}-${x}` }))
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => BigInt(from + i))

describe('Delta golden tables', () => {
  it('snapshot-data0..3: appends add, an overwrite replaces, by log replay', async () => {
    expect(sorted(await read('snapshot-data0'), 'col2')).toEqual(sorted(data(0, 10), 'col2'))
    expect(sorted(await read('snapshot-data1'), 'col2')).toEqual(sorted([...data(0, 10), ...data(1, 10)], 'col2'))
    expect(sorted(await read('snapshot-data2'), 'col2')).toEqual(sorted(data(2, 10), 'col2'))
    expect(sorted(await read('snapshot-data3'), 'col2')).toEqual(sorted([...data(2, 10), ...data(3, 20)], 'col2'))
  })

  it('snapshot-data2-deleted: remove actions hide files; earlier versions read as they were', async () => {
    expect(sorted(await read('snapshot-data2-deleted'), 'col2')).toEqual(sorted(data(3, 20), 'col2'))
    expect(sorted(await read('snapshot-data2-deleted', 2), 'col2')).toEqual(sorted(data(2, 10), 'col2'))
    expect(sorted(await read('snapshot-data2-deleted', 0), 'col2')).toEqual(sorted(data(0, 10), 'col2'))
    const history = await new ObjectStorage(await golden('snapshot-data2-deleted')).history('table')
    expect(history.map((h) => h.version)).toEqual([0, 1, 2, 3, 4])
    expect(history.map((h) => h.mode)).toEqual(['Append', 'Append', 'Overwrite', 'Append', undefined])
    expect(history[4]!.operation).toBe('DELETE')
  })

  it('basic-with-inserts-overwrite-restore: starts from the checkpoint, then replays', async () => {
    // The commits before the checkpoint are not needed: drop them to prove it.
    const store = await golden('basic-with-inserts-overwrite-restore', (f) => /_delta_log\/0+[0-2]\.json$/.test(f))
    const rows = await new ObjectStorage(store).readIndex('table')
    expect(rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b))).toEqual(ids(0, 200))
    const v2 = await read('basic-with-inserts-overwrite-restore', 2)
    expect(v2.map((r) => r.id).sort((a, b) => Number(a) - Number(b))).toEqual(ids(500, 1000))
  })

  it('time-travel-start-start20-start40: each version reads its appends', async () => {
    const byId = (rows: Row[]) => rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b))
    expect(byId(await read('time-travel-start-start20-start40'))).toEqual(ids(0, 30))
    expect(byId(await read('time-travel-start-start20-start40', 0))).toEqual(ids(0, 10))
    expect(byId(await read('time-travel-start-start20-start40', 1))).toEqual(ids(0, 20))
    await expect(read('time-travel-start-start20-start40', 3)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('data-reader-primitives: every primitive column, and a row of nulls', async () => {
    const rows = sorted(await read('data-reader-primitives'), 'as_string')
    expect(rows).toHaveLength(11)
    const three = rows.find((r) => r.as_string === '3')!
    expect(three).toMatchObject({ as_int: 3, as_long: 3n, as_byte: 3, as_short: 3, as_boolean: false, as_float: 3, as_double: 3 })
    const nulls = rows.find((r) => r.as_string === null)!
    expect(Object.values(nulls).every((v) => v === null)).toBe(true)
  })

  it('data-reader-partition-values: partition values from the log, typed by the schema; null and "null" apart', async () => {
    const rows = sorted(await read('data-reader-partition-values'), 'value')
    expect(rows.map((r) => r.value)).toEqual(['0', '1', '2'])
    expect(rows[1]).toMatchObject({
      as_int: 1,
      as_long: 1,
      as_byte: 1,
      as_short: 1,
      as_boolean: false,
      as_float: 1,
      as_double: 1,
      as_string: '1',
      as_string_lit_null: 'null',
      as_date: '2021-09-08',
      as_timestamp: '2021-09-08 11:11:11',
      as_big_decimal: '1',
    })
    expect(rows[2]).toMatchObject({ as_int: null, as_string: null, as_string_lit_null: null, as_timestamp: null })
    const filtered = await new ObjectStorage(await golden('data-reader-partition-values')).readIndex('table', { as_int: 0 })
    expect(filtered.map((r) => r.value)).toEqual(['0'])
  })

  it('data-reader-escaped-chars: add paths are URIs over Hive-escaped folder names', async () => {
    const rows = sorted(await read('data-reader-escaped-chars'), '_1')
    expect(rows).toEqual([
      { _1: 'foo1', _2: 'bar+%21' },
      { _1: 'foo2', _2: 'bar+%22' },
      { _1: 'foo3', _2: 'bar+%23' },
    ])
  })

  it('checkpoint: the state at version 14 from checkpoint 10 and the commits after it', async () => {
    const store = await golden('checkpoint', (f) => /_delta_log\/0+\d\.json$/.test(f))
    const state = (await loadState(store, 'table'))!
    expect(state.version).toBe(14)
    expect([...state.files.keys()]).toEqual(['15'])
    expect(state.tombstones.has('14')).toBe(true)
  })

  it('corrupted-last-checkpoint: a broken _last_checkpoint is not needed', async () => {
    const state = (await loadState(await golden('corrupted-last-checkpoint'), 'table'))!
    expect(state.version).toBe(10)
    expect([...state.files.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 11 }, (_, i) => String(i)))
  })

  it('log-replay-special-characters-a: paths are percent-decoded URIs', async () => {
    const state = (await loadState(await golden('log-replay-special-characters-a'), 'table'))!
    expect(state.files.size).toBe(0)
    const [path] = [...state.tombstones.keys()]
    expect(keyOfPath('table', path!)).toBe('table/special p@#h')
  })

  it('refuses logs it cannot read honestly', async () => {
    await expect(loadState(await golden('versions-not-contiguous'), 'table')).rejects.toMatchObject({ code: 'CORRUPT_DATA' })
    await expect(loadState(await golden('deltalog-invalid-protocol-version'), 'table')).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/reader version 99/),
    })
    await expect(loadState(await golden('deltalog-state-reconstruction-without-metadata'), 'table')).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: expect.stringMatching(/metaData/),
    })
  })

  it('our log actions have the shape of Spark\'s: every field the golden logs carry, the same kinds of values', async () => {
    const fields = (text: string) => {
      const out = new Map<string, Map<string, string>>()
      for (const line of text.trim().split('\n')) {
        const [kind, body] = Object.entries(JSON.parse(line) as Record<string, Record<string, unknown>>)[0]!
        const seen = out.get(kind) ?? new Map<string, string>()
        for (const [k, v] of Object.entries(body)) if (v !== null) seen.set(k, Array.isArray(v) ? 'array' : typeof v)
        out.set(kind, seen)
      }
      return out
    }
    const theirs = new Map<string, Map<string, string>>()
    for (const file of ['snapshot-data2-deleted/_delta_log/00000000000000000000.json', 'snapshot-data2-deleted/_delta_log/00000000000000000002.json', 'data-reader-partition-values/_delta_log/00000000000000000000.json']) {
      for (const [kind, seen] of fields(await readFile(new URL(file, GOLDEN), 'utf8'))) {
        theirs.set(kind, new Map([...(theirs.get(kind) ?? []), ...seen]))
      }
    }
    const store = new MemoryObjectStore()
    const storage = new ObjectStorage(store)
    await storage.write('t', [{ id: 1, name: 'a' }], { p: 1 })
    await storage.write('t', [{ id: 2, name: 'b' }], { p: 1 })
    const ours = new Map<string, Map<string, string>>()
    for (const key of ['t/_delta_log/00000000000000000000.json', 't/_delta_log/00000000000000000001.json']) {
      for (const [kind, seen] of fields(new TextDecoder().decode(await store.get(key)))) ours.set(kind, new Map([...(ours.get(kind) ?? []), ...seen]))
    }
    const optional = new Set(['commitInfo.isolationLevel', 'commitInfo.engineInfo', 'commitInfo.txnId', 'commitInfo.operationMetrics', 'commitInfo.readVersion'])
    for (const kind of ['protocol', 'metaData', 'add', 'remove', 'commitInfo']) {
      for (const [field, type] of theirs.get(kind)!) {
        if (optional.has(`${kind}.${field}`)) continue
        expect([kind, field, ours.get(kind)?.get(field)]).toEqual([kind, field, type])
      }
    }
  })
})
