// pyarrow, polars and DuckDB (Python, from the machines' package mirror; `.ci/run` installs them)
// read the tables this library writes: from exactly the files the Delta log lists, and from the
// folders as Hive datasets. Each must give the rows readIndex gives, with one type per column.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Row, TableInfo } from '@cfb/storage-core'
import { LocalStorage } from '../src/index.js'

const run = promisify(execFile)
const SCRIPT = new URL('./python/read_tables.py', import.meta.url).pathname

interface EngineView {
  rows: Record<string, unknown>[]
  types: Record<string, string>
}
interface TableView {
  files: number
  column_types: Record<string, string[]>
  engines: Record<string, EngineView>
}

/** A value as the Python side prints it (floats tagged, dates as ISO ms, bytes as base64). */
function canonical(value: unknown, type: string | undefined): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return { $date: value.toISOString() }
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') }
  if (typeof value === 'bigint') return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : { $int: String(value) }
  if (typeof value === 'number' && type === 'float') {
    return { $float: Number.isFinite(value) ? value : Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf' }
  }
  if (type === 'json') return JSON.stringify(value)
  return value
}

function canonicalRows(rows: readonly Row[], info: TableInfo): Record<string, unknown>[] {
  const types = new Map(info.columns.map((c) => [c.name, c.type as string | undefined]))
  return rows
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, canonical(v, types.get(k))])))
    .sort((a, b) => Number(a.id) - Number(b.id))
}

const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id))

/** Rows with only the given columns, so engines that add or drop nothing else compare. */
const only = (rows: Record<string, unknown>[], columns: readonly string[]) =>
  rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])))

let root: string
let storage: LocalStorage
let views: Record<string, TableView>
const expected: Record<string, { rows: Record<string, unknown>[]; info: TableInfo }> = {}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cfb-interop-py-'))
  storage = new LocalStorage({ root })
  const at = (s: string) => new Date(`2024-09-0${s}T12:34:56.789Z`)

  // Values whose kinds drift between partitions and writes: one schema comes out of them.
  await storage.writePartitioned(
    'plays',
    [
      { id: 1, week: 1, yards: 2, team: 'Texas', note: null, at: at('1') },
      { id: 2, week: 2, yards: 1.5, team: 'San José State', note: 'x', at: at('2') },
      { id: 3, week: 2, yards: -4, team: '東京 🏈', note: null, at: null },
    ],
    ['week'],
  )
  await storage.write('plays', [{ id: 4, yards: 7, team: 'Navy', extra: true }], { week: 1 }, { overwrite: false })
  await storage.write('plays', [{ id: 5, yards: 3, team: 'Army' }], { week: 2 })
  await storage.write('plays', [{ id: 6, yards: 0.25, team: 'Rice', at: at('3') }], { week: 3 })

  await storage.write('late', [{ id: 1, later: null }], { season: 2024 })
  await storage.write('late', [{ id: 2, later: 42 }], { season: 2025 })

  await storage.write('kinds', [
    { id: 1, big: 9007199254740993n, meta: { a: [1, 'x'] }, raw: new Uint8Array([0, 255, 7]), flag: true, ratio: 0.1 },
    { id: 2, big: -5n, meta: null, raw: null, flag: false, ratio: -1e-9 },
    { id: 3, big: null, meta: [true, null], raw: new Uint8Array(0), flag: null, ratio: null },
  ], { part: 'a' })

  // Written from batches, a few rows held at a time: a column that appears late, and one whose
  // integers widen to float after files were written.
  async function* streamed() {
    for (let start = 0; start < 60; start += 6) {
      yield Array.from({ length: 6 }, (_, i) => {
        const id = start + i
        return { id, week: 1 + (id % 3), gain: id < 40 ? id : id + 0.5, ...(id >= 30 ? { note: `late ${id}` } : {}) }
      })
    }
  }
  await storage.writePartitioned('streamed', streamed(), ['week'], { bufferRows: 10 })

  for (const name of ['plays', 'late', 'kinds', 'streamed']) {
    const info = await storage.schema(name)
    expected[name] = { rows: canonicalRows(await storage.readIndex(name), info), info }
  }
  const { stdout } = await run('python3', [SCRIPT, root, 'plays', 'late', 'kinds', 'streamed'], { maxBuffer: 64 * 1024 * 1024 })
  views = JSON.parse(stdout)
}, 120_000)

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

describe.each(['plays', 'late', 'kinds', 'streamed'])('%s, read by other engines', (name) => {
  it('has one physical type per column across all its files', () => {
    for (const [column, types] of Object.entries(views[name]!.column_types)) {
      expect([column, types.length]).toEqual([column, 1])
    }
  })

  it.each(['pyarrow_log', 'polars_log', 'pyarrow_dataset', 'duckdb_folder'])('%s gives readIndex rows', (engine) => {
    const { rows, info } = expected[name]!
    const view = views[name]!.engines[engine]
    expect(view).toBeDefined()
    const columns = info.columns.map((c) => c.name)
    let seen = byId(view!.rows)
    if (engine === 'polars_log') {
      // polars reads a JSON-annotated column as binary: the UTF-8 bytes of the same JSON text.
      const json = info.columns.filter((c) => c.type === 'json').map((c) => c.name)
      for (const column of json) expect(view!.types[column]).toBe('Binary')
      seen = seen.map((row) => {
        const out = { ...row }
        for (const column of json) {
          const v = out[column] as { $bytes?: string } | null
          if (v?.$bytes !== undefined) out[column] = Buffer.from(v.$bytes, 'base64').toString('utf8')
        }
        return out
      })
    }
    expect(only(seen, columns)).toEqual(only(rows, columns))
  })
})

describe('types other engines see', () => {
  it('integers as int64, floats as double, strings as strings, booleans, timestamps, binary', () => {
    const types = (name: string) => Object.fromEntries(Object.entries(views[name]!.column_types).map(([k, v]) => [k, v[0]]))
    expect(types('plays')).toMatchObject({ id: 'int64', yards: 'double', team: 'string', note: 'string', extra: 'bool' })
    expect(types('plays').at).toMatch(/^timestamp\[ms/)
    expect(types('late')).toMatchObject({ id: 'int64', later: 'int64' })
    expect(types('streamed')).toMatchObject({ id: 'int64', gain: 'double', note: 'string' })
    expect(types('kinds')).toMatchObject({ id: 'int64', big: 'int64', raw: 'binary', flag: 'bool', ratio: 'double' })
    // The JSON annotation: pyarrow reads it as its JSON extension type over strings.
    expect(types('kinds').meta).toMatch(/json/)
    expect(views.plays!.engines.duckdb_folder!.types).toMatchObject({ id: 'BIGINT', yards: 'DOUBLE', team: 'VARCHAR' })
  })

  it('lists in the log only the files of the latest rows, and the folders hold no others', () => {
    expect(views.plays!.files).toBe(4)
    expect(views.plays!.engines.pyarrow_dataset!.rows).toHaveLength(4)
  })
})
