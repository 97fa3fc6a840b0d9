import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { SchemaElement } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { encodeParquet } from '../src/codecs/parquet.js'
import { type ColumnType, inferSchema, type TableSchema } from '../src/codecs/schema.js'

// Our writer against hyparquet-writer: random tables of every column type are written by both, and
// pyarrow, DuckDB and polars (one Python process for the whole batch) must read both files as the
// same rows with the same types, and pyarrow must use our statistics: has_min_max where values
// are, and row groups kept by a filter as on pyarrow's own file of the same table.

const SCRIPT = fileURLToPath(new URL('./python/read_parquet_cases.py', import.meta.url))
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31)
const RANDOM_CASES = 40
const MAX = Number.MAX_SAFE_INTEGER
const TRUNCATE = 64

type Row = Record<string, unknown>
interface Case {
  records: Row[]
  rowGroupSize: number
}

// Characters at the edges of UTF-8 widths and of UTF-16's surrogate order, where truncating and
// incrementing a string bound go wrong if they go wrong anywhere.
const EDGES = ['a', 'z', '\u007f', '\u0080', '\u07ff', '\ud7ff', '\ue000', '～', '\uffff', '😀', '\u{10ffff}']
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...EDGES), maxLength: 40 }),
  fc
    .tuple(fc.constantFrom('x'.repeat(62), 'é'.repeat(31), '😀'.repeat(16), '\u{10ffff}'.repeat(16)), fc.string({ unit: fc.constantFrom(...EDGES), maxLength: 6 }))
    .map(([prefix, rest]) => prefix + rest),
)
const json = fc
  .oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
  .filter((value) => !JSON.stringify(value).includes('"__proto__"'))

const VALUES: Record<ColumnType, fc.Arbitrary<unknown>> = {
  int: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(MAX, -MAX, 0, 2 ** 31, -(2 ** 31) - 1)),
  float: fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, -Number.MAX_VALUE, 0.5)),
  bigint: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  boolean: fc.boolean(),
  string: text,
  timestamp: fc.date({ noInvalidDate: true }),
  json,
  binary: fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 60, maxLength: 90 }), fc.constant(new Uint8Array(70).fill(0xff))),
  null: fc.constant(null),
}
const TYPES = Object.keys(VALUES) as ColumnType[]

const table: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 40 }).chain((rows) =>
  fc.record({
    columns: fc.tuple(...TYPES.map((type) => fc.array(fc.option(VALUES[type], { nil: null, freq: 4 }), { minLength: rows, maxLength: rows }))),
    rowGroupSize: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(100_000)),
  }).map(({ columns, rowGroupSize }) => ({
    rowGroupSize,
    records: Array.from({ length: rows }, (_, i) => Object.fromEntries(TYPES.map((type, j) => [`c_${type}`, columns[j]![i]]))),
  })),
)

/** Sorted columns over five row groups: statistics prune exactly, in our file as in pyarrow's. */
const sorted: Case = {
  rowGroupSize: 400,
  records: Array.from({ length: 2_000 }, (_, i) => ({
    id: i,
    big: BigInt(i) * 10n ** 12n,
    score: i / 3 - 700,
    name: `row ${String(i).padStart(5, '0')}`,
    long: `${'long '.repeat(14)}${String(i).padStart(5, '0')}`,
    at: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    bytes: new Uint8Array([Math.floor(i / 256), i % 256]),
    doc: { i },
  })),
}

// What pyarrow, DuckDB and polars read: column name to values, and column name to type.
interface Read {
  types: Record<string, string>
  rows: Record<string, unknown[]>
}
interface FileRead {
  pyarrow: Read
  duckdb: Read
  polars: Read
  statistics: {
    rowGroups: number
    columns: Record<string, { logicalType: string; convertedType: string; physicalType: string; chunks: { hasMinMax: boolean; hasColumnIndex: boolean; hasOffsetIndex: boolean }[] }>
  }
}
interface Pruning {
  column: string
  op: string
  literal: unknown
  longBounds: boolean
  needed: number[]
  kept: Record<'ours' | 'hyparquet' | 'pyarrow', number[]>
}
type CaseRead = Record<'ours' | 'hyparquet' | 'pyarrow', FileRead> & { pruning: Pruning[] }

/** hyparquet-writer's schema element for one of our columns: the annotations a reader expects. */
function referenceElement(name: string, type: ColumnType): SchemaElement {
  const base = { name, repetition_type: 'OPTIONAL' } as const
  // Integers by converted type alone: hyparquet-writer 0.17 writes INTEGER's bitWidth as an i32, not
  // the i8 parquet.thrift has, and parquet-cpp then refuses the whole footer. Readers derive
  // INTEGER(bits, signed) from INT_32 and INT_64, so the types read still compare.
  // JS integers are a table's `long` column: INT64 whatever the values.
  if (type === 'int') return { ...base, type: 'INT64', converted_type: 'INT_64' }
  if (type === 'bigint') return { ...base, type: 'INT64', converted_type: 'INT_64' }
  if (type === 'float') return { ...base, type: 'DOUBLE' }
  if (type === 'boolean') return { ...base, type: 'BOOLEAN' }
  if (type === 'timestamp') {
    return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } }
  }
  if (type === 'json') return { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } }
  if (type === 'binary') return { ...base, type: 'BYTE_ARRAY' }
  return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }
}

function hyparquetFile({ records, rowGroupSize }: Case, schema: TableSchema): Uint8Array {
  const columns = schema.columns.map(({ name, type }) => {
    const values = records.map((r) => r[name] ?? null)
    return { name, type, values, element: referenceElement(name, type) }
  })
  const buffer = parquetWriteBuffer({
    columnData: columns.map(({ name, type, values, element }) => ({
      name,
      // hyparquet-writer takes INT64 values as bigints.
      data: type === 'int' && element.type === 'INT64' ? values.map((v) => (v == null ? null : BigInt(v as number))) : values,
      columnIndex: true,
    })),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map((c) => c.element)],
    rowGroupSize,
    statisticsTruncateLength: TRUNCATE,
  })
  return new Uint8Array(buffer)
}

/** A value as the Python side prints it from an engine (see `canonical` in the script). */
function canonical(value: unknown, type: ColumnType, engine: Engine): unknown {
  if (value == null) return null
  // Without pyarrow's ARROW:schema metadata, polars reads a JSON column as its bytes.
  if (type === 'json' && engine === 'polars') return Buffer.from(JSON.stringify(value)).toString('hex')
  if (type === 'int' || type === 'bigint') return String(value)
  if (type === 'float') {
    const n = value as number
    if (Number.isNaN(n)) return 'NaN'
    if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
    return Object.is(n, -0) ? '-0' : n
  }
  if (type === 'timestamp') return String((value as Date).getTime())
  if (type === 'json') return JSON.stringify(value)
  if (type === 'binary') return Buffer.from(value as Uint8Array).toString('hex')
  return value
}

/** A float's canonical form with -0 as 0. */
function signless(value: unknown): unknown {
  return value === '-0' ? 0 : value
}

/** The bytes min/max compare, for a byte-array column's value. */
function bytesOf(value: unknown, type: ColumnType): Buffer {
  if (type === 'binary') return Buffer.from(value as Uint8Array)
  return Buffer.from(type === 'json' ? JSON.stringify(value) : (value as string), 'utf8')
}

/**
 * Whether a chunk of these values has an upper bound within the truncation length: some byte
 * (binary) or code point (text) in the first 64 bytes that can be incremented in place.
 */
function hasUpperBound(values: unknown[], type: ColumnType): boolean {
  if (type !== 'string' && type !== 'json' && type !== 'binary') return true
  const max = values.map((v) => bytesOf(v, type)).reduce((a, b) => (Buffer.compare(a, b) >= 0 ? a : b))
  if (max.length <= TRUNCATE) return true
  if (type === 'binary') return max.subarray(0, TRUNCATE).some((b) => b !== 0xff)
  let end = TRUNCATE
  while ((max[end]! & 0xc0) === 0x80) end--
  return [...max.subarray(0, end).toString('utf8')].some((c) => ![0x7f, 0x7ff, 0xffff, 0x10ffff].includes(c.codePointAt(0)!))
}

const ENGINES = ['pyarrow', 'duckdb', 'polars'] as const
type Engine = (typeof ENGINES)[number]

/** Every way the files of one case disagree with the table or with each other; empty when none. */
function differences(test: Case, read: CaseRead): string[] {
  const out: string[] = []
  const schema = inferSchema(test.records)
  for (const engine of ENGINES) {
    for (const { name, type } of schema.columns) {
      const expected = test.records.map((r) => canonical(r[name], type, engine))
      for (const file of ['ours', 'hyparquet'] as const) {
        const got = read[file][engine].rows[name]!
        // hyparquet-writer 0.17 dictionary-encodes through a Map, which takes -0 and 0 for one
        // value: its file gives whichever came first for both. Ours must keep them apart.
        const same = file === 'hyparquet' && type === 'float' ? (a: unknown, b: unknown) => isDeepStrictEqual(signless(a), signless(b)) : isDeepStrictEqual
        const row = expected.findIndex((v, i) => !same(got[i], v))
        if (row >= 0 || got.length !== expected.length) {
          out.push(`${engine} reads ${file}.${name} (${type}) row ${row} as ${JSON.stringify(got[row])}, not ${JSON.stringify(expected[row])}`)
        }
      }
      const [ours, reference, own] = [read.ours, read.hyparquet, read.pyarrow].map((f) => f[engine].types[name])
      if (ours !== reference) out.push(`${engine} types ${name} as ${ours} in ours, ${reference} in hyparquet's`)
      if (ours !== own && !(engine === 'polars' && type === 'json')) out.push(`${engine} types ${name} as ${ours} in ours, ${own} in pyarrow's`)
    }
  }
  const ours = read.ours.statistics
  for (const { name, type } of schema.columns) {
    const column = ours.columns[name]!
    const reference = read.hyparquet.statistics.columns[name]!
    for (const key of ['logicalType', 'convertedType', 'physicalType'] as const) {
      if (column[key] !== reference[key]) out.push(`${name}: ${key} ${column[key]} in ours, ${reference[key]} in hyparquet's`)
    }
    column.chunks.forEach((chunk, g) => {
      const values = test.records.slice(g * test.rowGroupSize, (g + 1) * test.rowGroupSize).map((r) => r[name])
      const present = values.filter((v) => v != null && !(typeof v === 'number' && Number.isNaN(v)))
      const allNull = values.every((v) => v == null)
      const minMax = present.length > 0 && hasUpperBound(present, type)
      if (chunk.hasMinMax !== minMax) out.push(`${name} row group ${g}: pyarrow has_min_max ${chunk.hasMinMax}, expected ${minMax}`)
      const own = read.pyarrow.statistics.columns[name]!.chunks[g]!.hasMinMax
      if (own && !chunk.hasMinMax && hasUpperBound(present, type)) out.push(`${name} row group ${g}: min/max in pyarrow's file, not in ours`)
      if (!chunk.hasOffsetIndex) out.push(`${name} row group ${g}: no offset index`)
      // Tables here are under a page long, so a chunk's one page has bounds when the chunk has.
      if (chunk.hasColumnIndex !== (minMax || allNull)) out.push(`${name} row group ${g}: has_column_index ${chunk.hasColumnIndex}`)
    })
  }
  for (const p of read.pruning) {
    const filter = `${p.column} ${p.op} ${JSON.stringify(p.literal)}`
    const { ours: kept, pyarrow: own } = p.kept
    if (!p.needed.every((g) => kept.includes(g))) out.push(`${filter}: pyarrow skips a needed row group of ours (kept ${kept}, needed ${p.needed})`)
    // A truncated bound is looser than pyarrow's exact one, so it may keep more, never less.
    const agrees = p.longBounds ? own.every((g) => kept.includes(g)) : isDeepStrictEqual(kept, own)
    if (!agrees) out.push(`${filter}: pyarrow keeps row groups ${kept} of ours, ${own} of its own file`)
  }
  return out
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

describe('Parquet writer against hyparquet-writer, read by pyarrow, DuckDB and polars', () => {
  const cases = new Map<string, Case>()
  let dir: string
  let reads: Record<string, CaseRead>

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfb-parquet-differential-'))
    cases.set('sorted', sorted)
    fc.sample(table, { numRuns: RANDOM_CASES, seed: SEED }).forEach((c, i) => {
      cases.set(`random-${String(i).padStart(2, '0')}`, c)
    })
    for (const [name, test] of cases) {
      const folder = join(dir, name)
      mkdirSync(folder)
      const schema = inferSchema(test.records)
      writeFileSync(join(folder, 'ours.parquet'), encodeParquet(test.records, schema, { rowGroupSize: test.rowGroupSize }))
      writeFileSync(join(folder, 'hyparquet.parquet'), hyparquetFile(test, schema))
      writeFileSync(join(folder, 'case.json'), JSON.stringify({ rowGroupSize: test.rowGroupSize }))
    }
    // Missing Python or a missing library fails here, and with it every test below.
    const out = execFileSync('python3', ['-W', 'ignore', SCRIPT, dir], { encoding: 'utf8', maxBuffer: 1 << 30 })
    reads = JSON.parse(out)
  }, 600_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('reads random tables of every type from our file as from hyparquet-writer\'s and as written', () => {
    const failures = [...cases.keys()]
      .filter((name) => name.startsWith('random-'))
      .flatMap((name) => differences(cases.get(name)!, reads[name]!).map((d) => `${name}: ${d}`))
    expect({ seed: SEED, failures: failures.slice(0, 20) }).toEqual({ seed: SEED, failures: [] })
  })

  it('has pyarrow prune sorted row groups of our file exactly, as it does its own file', () => {
    const read = reads.sorted!
    expect(differences(sorted, read)).toEqual([])
    const columns = Object.values(read.ours.statistics.columns)
    expect(columns.flatMap((c) => c.chunks.map((chunk) => [chunk.hasMinMax, chunk.hasColumnIndex, chunk.hasOffsetIndex]))).toEqual(
      Array(columns.length * 5).fill([true, true, true]),
    )
    const exact = read.pruning.filter((p) => p.column !== 'long')
    expect(exact.length).toBeGreaterThan(40)
    expect(exact.filter((p) => !isDeepStrictEqual(p.kept.ours, p.needed))).toEqual([])
    // The example: a filter that should keep 1 of 5 row groups keeps 1.
    expect(read.pruning.find((p) => p.column === 'id' && p.op === '>=' && p.literal === '1999')?.kept.ours).toEqual([4])
  })

  it('types columns in every engine as pyarrow types its own file of the same data', () => {
    const types = Object.fromEntries(ENGINES.map((engine) => [engine, reads.sorted!.ours[engine].types]))
    expect(types).toEqual({
      pyarrow: { id: 'int64', big: 'int64', score: 'double', name: 'string', long: 'string', at: 'timestamp[ms, tz=UTC]', bytes: 'binary', doc: 'extension<arrow.json>' },
      duckdb: { id: 'BIGINT', big: 'BIGINT', score: 'DOUBLE', name: 'VARCHAR', long: 'VARCHAR', at: 'TIMESTAMP WITH TIME ZONE', bytes: 'BLOB', doc: 'JSON' },
      polars: { id: 'Int64', big: 'Int64', score: 'Float64', name: 'String', long: 'String', at: "Datetime(time_unit='ms', time_zone='UTC')", bytes: 'Binary', doc: 'Binary' },
    })
  })
})
