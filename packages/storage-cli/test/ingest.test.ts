import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type CliResult, expectExitCode, lines, makeTempDir, removeDir, runCli } from './support/cli.js'
import { python } from './support/python.js'

// Ingest from files other tools wrote: DuckDB and pyarrow Parquet (int64 everywhere), types that
// cannot be kept exactly, empty files, and CSV as it comes from spreadsheets and exports.

let dir: string
let root: string
let backend: string[]
const BIG = 9007199254740993n // 2^53 + 1: a double cannot hold it

beforeAll(async () => {
  dir = await makeTempDir('ingest')
  root = join(dir, 'data')
  backend = ['--backend', `local:${root}`]
  python(
    `
import sys, duckdb, decimal, datetime, pyarrow as pa, pyarrow.parquet as pq
d = sys.argv[1]
duckdb.sql(f"COPY (SELECT i::BIGINT AS play_id, 2024::BIGINT AS season, (i % 3 + 1)::BIGINT AS week, 'team ' || i AS offense, ${BIG}::BIGINT + i AS big FROM range(30) t(i)) TO '{d}/duck.parquet' (FORMAT parquet)")
pq.write_table(pa.table({'play_id': pa.array(range(12), pa.int64()), 'season': pa.array([2023] * 12, pa.int64()), 'week': pa.array([w % 2 + 10 for w in range(12)], pa.int64()), 'yards': pa.array([1.5] * 12, pa.float64())}), f'{d}/pa.parquet')
cols = {
  'raw': pa.array([b'\\xff\\x00', b'ok'], pa.binary()),
  'price': pa.array([decimal.Decimal('4.56'), decimal.Decimal('1.10')], pa.decimal128(10, 2)),
  'at': pa.array([datetime.datetime(2024, 9, 1, 12, 0, 0, 123456)] * 2, pa.timestamp('us')),
  'day': pa.array([datetime.date(2024, 9, 1)] * 2, pa.date32()),
  'ratio': pa.array([1.1, 2.5], pa.float32()),
}
for name, array in cols.items():
  pq.write_table(pa.table({'id': pa.array([1, 2], pa.int64()), name: array}), f'{d}/lossy-{name}.parquet')
pq.write_table(pa.table({'id': pa.array([1, 2], pa.int64()), 'at': pa.array([datetime.datetime(2024, 9, 1, 12, 0, 0, 123000)] * 2, pa.timestamp('ms')), 'name': ['a', 'b'], 'x': pa.array([1.25, 2.5], pa.float64())}), f'{d}/exact.parquet')
`,
    [dir],
  )
}, 120_000)

afterAll(async () => {
  await removeDir(dir)
})

function expectInvalid(result: CliResult, reason: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' })
  expect(lines(result.stderr)).toEqual([expect.stringMatching(reason)])
}

const rowsOf = (result: CliResult) => lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)

describe('Parquet from DuckDB and pyarrow', () => {
  it('write --partition-by season,week takes a DuckDB file (int64 partition values); DuckDB reads back every value exactly', async () => {
    const written = await runCli(['write', 'plays', '--partition-by', 'season,week', '--from', join(dir, 'duck.parquet'), ...backend])
    expectExitCode(written, 0)
    expect(written.stdout).toBe('wrote 30 rows to plays, partitioned by season, week\n')
    expect((await runCli(['partitions', 'plays', ...backend])).stdout).toBe('season=2024/week=1\nseason=2024/week=2\nseason=2024/week=3\n')

    const back = python(
      `
import sys, duckdb
print(duckdb.sql(f"SELECT count(*), min(big)::VARCHAR, max(big)::VARCHAR, sum(play_id), count(DISTINCT week) FROM read_parquet('{sys.argv[1]}/plays/**/*.parquet', hive_partitioning = true)").fetchall())
`,
      [root],
    )
    expect(back.trim()).toBe(`[(30, '${BIG}', '${BIG + 29n}', 435, 3)]`)
  })

  it('int64 values print as JSON numbers when a double holds them, as digit strings when not', async () => {
    const read = await runCli(['read', 'plays', '-f', 'week=1', '-c', 'play_id,big,season', '--limit', '1', ...backend])
    expectExitCode(read, 0)
    expect(read.stdout).toBe(`{"play_id":0,"big":"${BIG}","season":2024}\n`)
    const json = await runCli(['read', 'plays', '-f', 'week=1', '-c', 'play_id', '--limit', '2', '--format', 'json', ...backend])
    expect(JSON.parse(json.stdout)).toEqual([{ play_id: 0 }, { play_id: 3 }])
  })

  it('write --partition-by takes a pyarrow file; --partition takes its int64 partition column as well', async () => {
    const split = await runCli(['write', 'pa', '--partition-by', 'season,week', '--from', join(dir, 'pa.parquet'), ...backend])
    expectExitCode(split, 0)
    expect((await runCli(['partitions', 'pa', ...backend])).stdout).toBe('season=2023/week=10\nseason=2023/week=11\n')
    const one = await runCli(['write', 'pa_one', '--partition', 'season=2023', '--from', join(dir, 'pa.parquet'), ...backend])
    expectExitCode(one, 0)
    expect(rowsOf(await runCli(['read', 'pa_one', '-c', 'play_id,week,season', '--limit', '1', ...backend]))).toEqual([{ play_id: 0, week: 10, season: 2023 }])
  })
})

describe('--partition-by groups', () => {
  it('2024 and "2024" name one folder and land in one partition; a row without the column is refused before anything is written', async () => {
    await writeFile(join(dir, 'mixed.json'), JSON.stringify([{ id: 1, season: 2024 }, { id: 2, season: '2024' }, { id: 3, season: 2023 }]))
    const written = await runCli(['write', 'mixed', '--partition-by', 'season', '--from', join(dir, 'mixed.json'), ...backend])
    expectExitCode(written, 0)
    expect((await runCli(['partitions', 'mixed', ...backend])).stdout).toBe('season=2023\nseason=2024\n')
    expect(rowsOf(await runCli(['read', 'mixed', '-f', 'season=2024', '-c', 'id', ...backend]))).toEqual([{ id: 1 }, { id: 2 }])

    await writeFile(join(dir, 'holes.json'), JSON.stringify([{ id: 1, season: 2020 }, { id: 2 }]))
    const holes = await runCli(['write', 'holes', '--partition-by', 'season', '--from', join(dir, 'holes.json'), ...backend])
    expectInvalid(holes, /INVALID_ARGUMENT: record 1 has no season/)
    expect(existsSync(join(root, 'holes'))).toBe(false)
  })
})

describe('values that cannot be kept exactly are refused with the reason (INVALID_ARGUMENT, exit 2), nothing written', () => {
  it.each([
    ['binary', 'raw', /column "raw" is binary: it would be read as text, and bytes that are not UTF-8 would be lost/],
    ['decimal(10,2)', 'price', /column "price" is decimal\(10,2\): it would become a binary floating-point number/],
    ['timestamp[us]', 'at', /column "at" is timestamp\[us\]: its microseconds would be lost/],
    ['date32', 'day', /column "day" is a date: it would be stored as a timestamp/],
    ['float32', 'ratio', /column "ratio" is float32: it would be stored as float64/],
  ])('%s', async (_type, name, reason) => {
    const entity = `lossy_${name}`
    const result = await runCli(['write', entity, '-p', 'season=2024', '--from', join(dir, `lossy-${name}.parquet`), ...backend])
    expectInvalid(result, reason)
    expect(result.stderr).toMatch(/--lossy/)
    expect(existsSync(join(root, entity))).toBe(false)
  })

  it('--lossy accepts the change it was told about', async () => {
    const result = await runCli(['write', 'ratios', '-p', 'season=2024', '--from', join(dir, 'lossy-ratio.parquet'), '--lossy', ...backend])
    expectExitCode(result, 0)
    expect(rowsOf(await runCli(['read', 'ratios', '-c', 'id,ratio', ...backend]))).toEqual([
      { id: 1, ratio: Math.fround(1.1) },
      { id: 2, ratio: 2.5 },
    ])
  })

  it('millisecond timestamps, text, doubles and int64 from pyarrow go through unchanged', async () => {
    const result = await runCli(['write', 'exact', '-p', 'season=2024', '--from', join(dir, 'exact.parquet'), ...backend])
    expectExitCode(result, 0)
    expect(rowsOf(await runCli(['read', 'exact', ...backend]))).toEqual([
      { id: 1, at: '2024-09-01T12:00:00.123Z', name: 'a', x: 1.25, season: 2024 },
      { id: 2, at: '2024-09-01T12:00:00.123Z', name: 'b', x: 2.5, season: 2024 },
    ])
  })

  it('a JSON integer past 2^53 (already rounded by JSON reading) is refused', async () => {
    await writeFile(join(dir, 'big.ndjson'), `{"id":${BIG}}\n`)
    const result = await runCli(['write', 'big_json', '-p', 'season=2024', '--from', join(dir, 'big.ndjson'), ...backend])
    expectInvalid(result, /column "id" holds an integer beyond 2\^53/)
    expect(existsSync(join(root, 'big_json'))).toBe(false)
  })
})

describe('an empty input file', () => {
  it('does not replace a partition unless --allow-empty', async () => {
    await writeFile(join(dir, 'two.csv'), 'id,name\n1,a\n2,b\n')
    await writeFile(join(dir, 'empty.csv'), 'id,name\n')
    await writeFile(join(dir, 'empty.ndjson'), '')
    expectExitCode(await runCli(['write', 'keep', '-p', 'season=2024', '--from', join(dir, 'two.csv'), ...backend]), 0)
    for (const file of ['empty.csv', 'empty.ndjson']) {
      const refused = await runCli(['write', 'keep', '-p', 'season=2024', '--from', join(dir, file), ...backend])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/has no rows: replacing the partition with nothing needs --allow-empty/)
      expect(rowsOf(await runCli(['read', 'keep', ...backend]))).toHaveLength(2)
    }
    const allowed = await runCli(['write', 'keep', '-p', 'season=2024', '--from', join(dir, 'empty.csv'), '--allow-empty', ...backend])
    expectExitCode(allowed, 0)
    expect(allowed.stdout).toBe('wrote 0 rows to keep/season=2024\n')
    expect(rowsOf(await runCli(['read', 'keep', ...backend]))).toEqual([])
  })
})

describe('CSV input', () => {
  it('--delimiter, --type zip=string, true/FALSE booleans, 1e3 and NaN numbers, leading zeros kept as text', async () => {
    await writeFile(
      join(dir, 'teams.csv'),
      'team;zip;code;active;score;ratio\n"Boston College";02134;02134;TRUE;1e3;NaN\nBU;02215;00007;false;2.5;0.5\nHarvard;02138;12;False;-3;1\n',
    )
    const written = await runCli(['write', 'teams', '-p', 'season=2024', '--from', join(dir, 'teams.csv'), '--delimiter', ';', '--type', 'zip=string', ...backend])
    expectExitCode(written, 0)
    const csv = await runCli(['read', 'teams', '--format', 'csv', ...backend])
    expect(csv.stdout).toBe('team,zip,code,active,score,ratio,season\nBoston College,02134,02134,true,1000,NaN,2024\nBU,02215,00007,false,2.5,0.5,2024\nHarvard,02138,12,false,-3,1,2024\n')
    // Types as stored: DuckDB sees text, booleans and doubles.
    const types = python(
      `
import sys, duckdb
print(duckdb.sql(f"SELECT typeof(zip), typeof(code), typeof(active), typeof(score), typeof(ratio), isnan(ratio) FROM read_parquet('{sys.argv[1]}/teams/**/*.parquet') LIMIT 1").fetchall())
`,
      [root],
    )
    expect(types.trim()).toBe("[('VARCHAR', 'VARCHAR', 'BOOLEAN', 'DOUBLE', 'DOUBLE', True)]")
  })

  it('without --delimiter a ;-separated file is refused with a hint, and a forced type that does not fit names the record', async () => {
    await writeFile(join(dir, 'semi.csv'), 'a;b\n1;2\n3\n')
    const semi = await runCli(['write', 'semi', '-p', 'season=2024', '--from', join(dir, 'semi.csv'), ...backend])
    expect(semi.code).toBe(2)
    expect(semi.stderr).toMatch(/the header is one column "a;b"; if its fields are separated by ;, add --delimiter ";"/)
    await writeFile(join(dir, 'short.csv'), 'a,b\n1,2\n3\n')
    const short = await runCli(['write', 'semi', '-p', 'season=2024', '--from', join(dir, 'short.csv'), ...backend])
    expect(short.stderr).toMatch(/record 3 has 1 fields, the header has 2/)
    await writeFile(join(dir, 'typed.csv'), 'id,score\n1,10\n2,ten\n')
    const typed = await runCli(['write', 'typed', '-p', 'season=2024', '--from', join(dir, 'typed.csv'), '--type', 'score=number', ...backend])
    expect(typed.code).toBe(2)
    expect(typed.stderr).toMatch(/record 3, column "score": "ten" is not a number/)
    const unknown = await runCli(['write', 'typed', '-p', 'season=2024', '--from', join(dir, 'typed.csv'), '--type', 'zip=string', ...backend])
    expect(unknown.stderr).toMatch(/--type zip: the file has no column "zip"/)
  })

  it('a duplicate header and a __proto__ column are refused, nothing written', async () => {
    await writeFile(join(dir, 'dup.csv'), 'id,id,name\n1,2,a\n')
    await writeFile(join(dir, 'proto.csv'), 'id,__proto__\n1,2\n')
    expectInvalid(await runCli(['write', 'dup', '-p', 'season=2024', '--from', join(dir, 'dup.csv'), ...backend]), /the header names column "id" twice/)
    expectInvalid(await runCli(['write', 'dup', '-p', 'season=2024', '--from', join(dir, 'proto.csv'), ...backend]), /a column named "__proto__" cannot be stored/)
    expect(existsSync(join(root, 'dup'))).toBe(false)
  })
})

describe('input read a piece at a time', () => {
  it('a CSV larger than a read piece: quoted fields across pieces, CRLF, every row as written', async () => {
    // About 3 MB: three 1 MB pieces, with quoted commas, quotes and line ends wherever they fall.
    const count = 40_000
    const note = (i: number) => (i % 3 === 0 ? `say "hi", ${i}\r\nthen ${'x'.repeat(i % 50)}` : `plain ${i} ${'y'.repeat(i % 40)}`)
    const body = Array.from({ length: count }, (_, i) => `${i},${i % 7},"${note(i).replaceAll('"', '""')}"`).join('\r\n')
    await writeFile(join(dir, 'pieces.csv'), `id,season,note\r\n${body}\r\n`)
    expectExitCode(await runCli(['write', 'pieces', '--partition-by', 'season', '--from', join(dir, 'pieces.csv'), ...backend]), 0)
    const rows = rowsOf(await runCli(['read', 'pieces', ...backend]))
    expect(rows).toHaveLength(count)
    const byId = new Map(rows.map((r) => [r.id as number, r]))
    for (const i of [0, 1, 2, 3, 9_999, 20_001, 39_999]) expect(byId.get(i)).toEqual({ id: i, season: i % 7, note: note(i) })
  }, 60_000)

  it('column types come from the first 100,000 records: a later value that does not fit names its record and the fix', async () => {
    const ids = Array.from({ length: 120_000 }, (_, i) => (i === 110_000 ? 'n/a' : String(i)))
    await writeFile(join(dir, 'late.csv'), `id\n${ids.join('\n')}\n`)
    expectInvalid(
      await runCli(['write', 'late', '-p', 'season=2024', '--from', join(dir, 'late.csv'), ...backend]),
      /late\.csv": record 110002, column "id": "n\/a" is not a number \(the type its first 100000 records have\)/,
    )
    expect(existsSync(join(root, 'late'))).toBe(false)
    const forced = await runCli(['write', 'late', '-p', 'season=2024', '--from', join(dir, 'late.csv'), '--type', 'id=string', ...backend])
    expectExitCode(forced, 0)
    expect(forced.stdout).toBe('wrote 120000 rows to late/season=2024\n')
  }, 60_000)

  it('a Parquet file of several row groups is read a group at a time, every row kept', async () => {
    python(
      `
import sys, pyarrow as pa, pyarrow.parquet as pq
n = 25_000
pq.write_table(pa.table({'id': pa.array(range(n), pa.int64()), 'season': pa.array([2020 + i % 4 for i in range(n)], pa.int64()), 'name': [f'p{i}' for i in range(n)]}), f'{sys.argv[1]}/groups.parquet', row_group_size=10_000)
`,
      [dir],
    )
    const written = await runCli(['write', 'groups', '--partition-by', 'season', '--from', join(dir, 'groups.parquet'), ...backend])
    expectExitCode(written, 0)
    expect(written.stdout).toBe('wrote 25000 rows to groups, partitioned by season\n')
    const rows = rowsOf(await runCli(['read', 'groups', '-f', 'season=2021', ...backend]))
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 25_000 }, (_, i) => i).filter((i) => i % 4 === 1))
    expect(rows[0]).toEqual({ id: 1, season: 2021, name: 'p1' })
  }, 60_000)
})
