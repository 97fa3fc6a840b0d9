// Regenerates packages/storage-core/fixtures/ (see its README.md): `node scripts/make-fixtures.mjs`.
// DuckDB writes the Parquet files; expected.json is derived from scripts/fixture-data.mjs and then
// checked against what hyparquet (the reader core uses) actually decodes, so the two cannot drift.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { checkFixtures } from './fixture-check.mjs'
import {
  CODECS,
  GAMES_BY_WEEK,
  GAMES_COLUMNS,
  GAMES_PANDAS_SCHEMA,
  GAMES_WRITE_TIME,
  HIVE_PLAYS,
  HIVE_PLAYS_COLUMNS,
  JS_TYPE,
  PLAYS,
  PLAYS_COLUMNS,
} from './fixture-data.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const out = join(repo, 'packages/storage-core/fixtures')

// @duckdb/node-api is a dev dependency of storage-local only; resolve it from there.
const fromLocal = createRequire(join(repo, 'packages/storage-local/package.json'))
const { DuckDBInstance } = await import(pathToFileURL(fromLocal.resolve('@duckdb/node-api')).href)

function sqlLiteral(value, type) {
  if (value === null) return `NULL::${type}`
  if (type === 'VARCHAR') return `'${value.replaceAll("'", "''")}'`
  if (type === 'TIMESTAMP') return `TIMESTAMP '${value.replace('T', ' ').replace('Z', '')}'`
  return `${value}::${type}`
}

async function createTable(conn, name, columns, rows) {
  const defs = Object.entries(columns).map(([c, t]) => `${c} ${t}`)
  await conn.run(`CREATE OR REPLACE TABLE ${name} (${defs.join(', ')})`)
  const tuples = rows.map((r) => `(${Object.entries(columns).map(([c, t]) => sqlLiteral(r[c], t)).join(', ')})`)
  await conn.run(`INSERT INTO ${name} VALUES ${tuples.join(', ')}`)
}

/** A value as expected.json spells it for a reader of a file of `type` (see README). */
function encode(value, jsType) {
  if (value === null) return null
  if (jsType === 'bigint') return { $bigint: String(value) }
  if (jsType === 'date') return { $date: new Date(value).toISOString() }
  return value
}

function encodeRow(row, columns, jsTypeOf) {
  return Object.fromEntries(Object.keys(columns).map((c) => [c, encode(row[c], jsTypeOf(columns[c]))]))
}

const parquetType = (t) => JS_TYPE[t]
// A CSV carries no integer width: a reader types ints as numbers, never bigint.
const csvType = (t) => (JS_TYPE[t] === 'bigint' ? 'number' : JS_TYPE[t])

/** CSV as pandas `to_csv(index=False)` writes it: True/False, floats keep `.0`, quotes when needed. */
function pandasCsv(rows, columns) {
  const cell = (value, type) => {
    if (value === null) return ''
    if (type === 'BOOLEAN') return value ? 'True' : 'False'
    if (type === 'DOUBLE' && Number.isInteger(value)) return `${value}.0`
    const text = String(value)
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const names = Object.keys(columns)
  const lines = [names.join(','), ...rows.map((r) => names.map((c) => cell(r[c], columns[c])).join(','))]
  return `${lines.join('\n')}\n`
}

/** JSON with one row per line, so a diff of expected.json shows which rows changed. */
function formatExpected({ $comment, files, datasets }) {
  const rows = (list, pad) => `[\n${list.map((r) => `${pad}  ${JSON.stringify(r)}`).join(',\n')}\n${pad}]`
  const fileLines = Object.entries(files).map(([k, v]) => `    ${JSON.stringify(k)}: ${rows(v, '    ')}`)
  const datasetLines = Object.entries(datasets).map(
    ([k, { entity, partitions, rows: r }]) =>
      `    ${JSON.stringify(k)}: {\n      "entity": ${JSON.stringify(entity)},\n` +
      `      "partitions": ${JSON.stringify(partitions)},\n      "rows": ${rows(r, '      ')}\n    }`,
  )
  return `{\n  "$comment": ${JSON.stringify($comment)},\n  "files": {\n${fileLines.join(',\n')}\n  },\n  "datasets": {\n${datasetLines.join(',\n')}\n  }\n}\n`
}

async function put(relative, bytes) {
  const file = join(out, relative)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, bytes)
}

const files = {}
const datasets = {}

async function writeLegacy(conn) {
  const rows = []
  for (const [week, games] of Object.entries(GAMES_BY_WEEK)) {
    const dir = `legacy/games/season=2023/week=${week}`
    const manifest = { rows: games.length, write_time: GAMES_WRITE_TIME[week], schema: GAMES_PANDAS_SCHEMA }
    await put(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`)
    const csv = week !== '1'
    const parquet = week !== '2'
    if (parquet) {
      await createTable(conn, 'games', GAMES_COLUMNS, games)
      await mkdir(join(out, dir), { recursive: true })
      await conn.run(`COPY games TO '${join(out, dir, 'part-0.parquet')}' (FORMAT PARQUET, COMPRESSION SNAPPY)`)
      files[`${dir}/part-0.parquet`] = games.map((g) => encodeRow(g, GAMES_COLUMNS, parquetType))
    }
    if (csv) {
      await put(`${dir}/data.csv`, pandasCsv(games, GAMES_COLUMNS))
      files[`${dir}/data.csv`] = games.map((g) => encodeRow(g, GAMES_COLUMNS, csvType))
    }
    // A dataset read types a legacy CSV by its manifest's pandas dtypes (int64 -> bigint), so every
    // partition reads with the Parquet types; Parquet wins when a partition holds both anyway.
    for (const g of games) rows.push({ ...encodeRow(g, GAMES_COLUMNS, parquetType), season: 2023, week: Number(week) })
  }
  datasets['legacy/games'] = {
    entity: 'games',
    partitions: Object.keys(GAMES_BY_WEEK).map((w) => ({ season: 2023, week: Number(w) })),
    rows,
  }
  // Junk that must never be read as data.
  const appleDouble = Uint8Array.from([0, 5, 22, 7, 0, 2, 0, 0, ...Buffer.from('Mac OS X        '), 0, 1, 0, 0])
  await put('legacy/games/season=2023/week=1/._part-0.parquet', appleDouble)
  await put('legacy/games/season=2023/week=2/._data.csv', appleDouble)
  await put('legacy/games/.DS_Store', Uint8Array.from([0, 0, 0, 1, ...Buffer.from('Bud1'), 0, 0, 16, 0, 0, 0, 8, 0]))
  await put('legacy/games/_SUCCESS', new Uint8Array(0))
}

async function writeCodecs(conn) {
  await createTable(conn, 'plays', PLAYS_COLUMNS, PLAYS)
  for (const codec of CODECS) {
    const file = `codecs/plays-${codec}.parquet`
    await mkdir(join(out, 'codecs'), { recursive: true })
    await conn.run(`COPY plays TO '${join(out, file)}' (FORMAT PARQUET, COMPRESSION ${codec.toUpperCase()})`)
    files[file] = PLAYS.map((p) => encodeRow(p, PLAYS_COLUMNS, parquetType))
  }
}

async function writeDuckdbHive(conn) {
  await createTable(conn, 'hive_plays', HIVE_PLAYS_COLUMNS, HIVE_PLAYS)
  const dir = join(out, 'duckdb-hive/plays')
  await mkdir(join(out, 'duckdb-hive'), { recursive: true })
  await conn.run(
    `COPY (SELECT * FROM hive_plays ORDER BY play_id) TO '${dir}' (FORMAT PARQUET, PARTITION_BY (season, week))`,
  )
  const { season: _s, week: _w, ...fileColumns } = HIVE_PLAYS_COLUMNS
  const rows = []
  const partitions = []
  for (const p of HIVE_PLAYS) {
    const file = `duckdb-hive/plays/season=${p.season}/week=${p.week}/data_0.parquet`
    if (!files[file]) {
      files[file] = []
      partitions.push({ season: p.season, week: p.week })
    }
    files[file].push(encodeRow(p, fileColumns, parquetType))
    // Folder values carry no type: they are inferred as DuckDB does, so 2023 reads as a number.
    rows.push({ ...encodeRow(p, fileColumns, parquetType), season: p.season, week: p.week })
  }
  datasets['duckdb-hive/plays'] = { entity: 'plays', partitions, rows }
}

// README.md is hand-written; only generated entries are replaced.
for (const sub of ['legacy', 'codecs', 'duckdb-hive', 'expected.json']) {
  await rm(join(out, sub), { recursive: true, force: true })
}
const db = await DuckDBInstance.create(':memory:')
const conn = await db.connect()
// One thread keeps row order and file layout identical from run to run.
await conn.run('SET threads = 1')
await writeLegacy(conn)
await writeCodecs(conn)
await writeDuckdbHive(conn)

const expected = {
  $comment:
    'Rows each fixture reads back as; see README.md. {"$bigint": "1"} is a JS bigint, {"$date": iso} a Date.',
  files,
  datasets,
}
await writeFile(join(out, 'expected.json'), formatExpected(expected))
await checkFixtures(out, conn)
console.log(`fixtures written to ${out}`)
