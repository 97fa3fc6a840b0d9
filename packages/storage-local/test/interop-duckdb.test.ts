import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Filters, Row } from '@cfb/storage-core'
import { LocalStorage } from '../src/index.js'
import { tableFiles } from '@cfb/test-servers'
import { DuckDBSession, readDataset, sqlString } from './duckdb-session.js'

// Interop both ways: DuckDB reads the data files of our Delta tables with hive_partitioning, and we
// read what DuckDB writes with PARTITION_BY. DuckDB's glob names the partition depth
// (`plays/*/*/*.parquet`): `**` would also take the log's checkpoints (`_delta_log/*.checkpoint.parquet`).
// Type mapping, JS value -> Delta type -> Parquet -> DuckDB -> JS from DuckDB:
//   integer number -> long -> INT64 -> BIGINT -> bigint (we read a number back)
//   float -> double -> DOUBLE -> DOUBLE -> number      bigint -> long -> INT64 -> BIGINT -> bigint
//   Date -> timestamp -> INT64 TIMESTAMP(UTC, ms) -> TIMESTAMP WITH TIME ZONE -> Date
//   string -> string -> UTF8 -> VARCHAR -> string      boolean -> boolean -> BOOLEAN -> boolean
// Partition folder values carry no type: DuckDB infers BIGINT (a bigint), we read the table's type.

const DUCKDB_TYPES = {
  play_id: 'BIGINT',
  game_id: 'BIGINT',
  offense: 'VARCHAR',
  yards: 'BIGINT',
  epa: 'DOUBLE',
  is_scoring: 'BOOLEAN',
  wallclock: 'TIMESTAMP WITH TIME ZONE',
  penalty: 'VARCHAR',
  sequence: 'BIGINT',
  season: 'BIGINT',
  week: 'BIGINT',
}

const OFFENSES = ['Georgia', 'Texas', "Hawai'i", 'San José State']
const SEASONS = [2023, 2024]
const WEEKS = [1, 2, 3]

/** Three plays of one partition; season and week stay out of the records (they are the folders). */
function playsOf(season: number, week: number): Row[] {
  return [0, 1, 2].map((n) => {
    const i = (season - 2023) * 9 + (week - 1) * 3 + n
    return {
      play_id: 1000 + i,
      game_id: 401_520_000 + (season % 10) * 100 + week,
      offense: OFFENSES[i % OFFENSES.length],
      yards: ((i * 7) % 30) - 5,
      // Never integral, so the column stays a float column.
      epa: i * 0.375 - 2.0625,
      is_scoring: i % 4 === 3,
      wallclock: new Date(Date.UTC(season, 8, week * 7, 17, 0, 0) + i * 1250),
      penalty: i % 3 === 0 ? 'holding' : null,
      // Above Number.MAX_SAFE_INTEGER: only a bigint holds it exactly.
      sequence: 9_007_199_254_740_993n + BigInt(i),
    }
  })
}

const sortedBy = (rows: readonly Row[], column: string): Row[] =>
  [...rows].sort((a, b) => Number(a[column]) - Number(b[column]))

/** Columns of our tables that hold JS integers: Delta `long`, so BIGINT (a bigint) in DuckDB. */
const OUR_INTEGERS = ['play_id', 'game_id', 'yards', 'season', 'week']

/** DuckDB's row in our terms: `columns` (BIGINT) become numbers; Hive partition columns by default. */
function fromDuckDB(row: Row, columns: readonly string[] = ['season', 'week']): Row {
  const out = { ...row }
  for (const key of columns) if (typeof out[key] === 'bigint') out[key] = Number(out[key])
  return out
}

/** DuckDB's rows of one of our tables, in our terms. */
const ourRows = (rows: readonly Row[]) => rows.map((row) => fromDuckDB(row, OUR_INTEGERS))

let duck: DuckDBSession
const roots: string[] = []

async function freshStorage(): Promise<{ root: string; storage: LocalStorage }> {
  const root = await mkdtemp(join(tmpdir(), 'cfb-interop-'))
  roots.push(root)
  return { root, storage: new LocalStorage({ root }) }
}

beforeAll(async () => {
  duck = await DuckDBSession.open()
})

afterAll(async () => {
  duck?.close()
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
})

describe('DuckDB reads what we write', () => {
  let root: string
  let storage: LocalStorage
  const written: Row[] = []

  beforeAll(async () => {
    ;({ root, storage } = await freshStorage())
    for (const season of SEASONS) {
      for (const week of WEEKS) {
        const rows = playsOf(season, week)
        expect(await storage.write('plays', rows, { season, week })).toBe(rows.length)
        written.push(...rows.map((row) => ({ ...row, season, week })))
      }
    }
  })

  it('gives back every row with the documented types', async () => {
    const { types, rows } = await duck.query(`SELECT * FROM ${readDataset(join(root, 'plays'), 2)} ORDER BY play_id`)
    expect(types).toEqual(DUCKDB_TYPES)
    expect(ourRows(rows)).toEqual(written)
    // Each side as it is, before any mapping: DuckDB's folder columns are bigint, ours numbers.
    const ours = sortedBy(await storage.readIndex('plays'), 'play_id')
    expect(ours).toEqual(written)
    expect(typeof rows[0]!.season).toBe('bigint')
    expect(typeof ours[0]!.season).toBe('number')
    for (const [i, row] of rows.entries()) {
      const mine = ours[i]!
      expect(typeof row.play_id).toBe('bigint')
      expect(typeof mine.play_id).toBe('number')
      expect(Number(row.play_id)).toBe(mine.play_id)
      expect(typeof row.sequence).toBe('bigint')
      expect(row.sequence).toBe(mine.sequence)
      expect(row.wallclock).toBeInstanceOf(Date)
      expect((row.wallclock as Date).getTime()).toBe((mine.wallclock as Date).getTime())
    }
  })

  it('keeps millisecond timestamps exact (compared in microseconds)', async () => {
    const { rows } = await duck.query(
      `SELECT play_id, epoch_us(wallclock) AS us FROM ${readDataset(join(root, 'plays'), 2)} ORDER BY play_id`,
    )
    expect(rows.map((r) => r.us)).toEqual(written.map((r) => BigInt((r.wallclock as Date).getTime()) * 1000n))
  })

  it('sees exactly the latest rows after overwrites and appends, checkpoint included in the log, superseded files deleted', async () => {
    const { root: other, storage: store } = await freshStorage()
    // 12 versions: overwrites and appends over three partitions, so the log has its checkpoint (version 10).
    const expected = new Map<string, Row[]>()
    const at = (season: number, week: number) => `${season}/${week}`
    let version = 0
    for (const [season, week, source, overwrite] of [
      [2023, 1, [2023, 1], true], [2023, 2, [2023, 2], true], [2024, 1, [2024, 1], true],
      [2023, 1, [2024, 3], true], [2023, 1, [2023, 3], false], [2023, 2, [2024, 2], false],
      [2024, 1, [2023, 2], true], [2023, 2, [2023, 1], true], [2024, 1, [2024, 2], false],
      [2023, 1, [2024, 1], true], [2024, 1, [2024, 3], false], [2023, 2, [2023, 3], false],
    ] as const) {
      const rows = playsOf(source[0], source[1]).map((row, n) => ({ ...row, play_id: 10_000 + version * 10 + n }))
      await store.write('plays', rows, { season, week }, { overwrite })
      const withKeys = rows.map((row) => ({ ...row, season, week }))
      expected.set(at(season, week), overwrite ? withKeys : [...(expected.get(at(season, week)) ?? []), ...withKeys])
      version++
    }
    const listed = await store.listFiles('plays/')
    expect(listed.filter((key) => key.startsWith('plays/_delta_log/')).some((key) => key.endsWith('.checkpoint.parquet'))).toBe(true)
    // The depth glob takes exactly the live data files: the checkpoint lives under `_delta_log/`.
    const live = await tableFiles(store, 'plays')
    expect(live.removedStillThere).toEqual([])
    const { rows: files } = await duck.query(`SELECT file FROM glob(${sqlString(join(other, 'plays/*/*/*.parquet'))}) ORDER BY file`)
    expect(files.map((r) => r.file)).toEqual(live.live.map((key) => join(other, key)).sort())
    const all = sortedBy([...expected.values()].flat(), 'play_id')
    expect(all).toHaveLength(18)
    const { rows } = await duck.query(`SELECT * FROM ${readDataset(join(other, 'plays'), 2)} ORDER BY play_id`)
    expect(ourRows(rows)).toEqual(all)
    expect(sortedBy(await store.readIndex('plays'), 'play_id')).toEqual(all)
  })

  it('reads our checkpoint file: one add row per live file (path, partition values, size, row count), protocol and metadata', async () => {
    const { root: other, storage: store } = await freshStorage()
    // Versions 0-10, overwrites and appends over six partitions: version 10 is checkpointed.
    for (let version = 0; version <= 10; version++) {
      const season = SEASONS[version % 2]!
      const week = WEEKS[version % 3]!
      await store.write('plays', playsOf(season, week).slice(0, 1 + (version % 3)), { season, week }, { overwrite: version % 4 !== 0 })
    }
    const checkpoint = sqlString(join(other, 'plays/_delta_log/00000000000000000010.checkpoint.parquet'))
    const { rows: adds } = await duck.query(
      `SELECT add.path AS path, add.partitionValues['season'] AS season, add.partitionValues['week'] AS week, add.size AS size,
              CAST(json_extract(add.stats, '$.numRecords') AS BIGINT) AS records
       FROM read_parquet(${checkpoint}) WHERE add IS NOT NULL ORDER BY path`,
    )
    const live = (await tableFiles(store, 'plays')).live.sort()
    const expected = await Promise.all(
      live.map(async (key) => {
        const path = key.slice('plays/'.length)
        const [, season, week] = /^season=(\d+)\/week=(\d+)\//.exec(path)!
        return { path, season, week, size: BigInt((await stat(join(other, key))).size) }
      }),
    )
    expect(adds.map(({ records, ...file }) => file)).toEqual(expected)
    // The stats' row counts, summed per partition, are the partition's rows (appends hold several files).
    const counted = new Map<string, number>()
    for (const { season, week, records } of adds) counted.set(`${season}/${week}`, (counted.get(`${season}/${week}`) ?? 0) + Number(records))
    expect(counted.size).toBe(6)
    for (const [partition, records] of counted) {
      const [season, week] = partition.split('/').map(Number)
      expect({ partition, records }).toEqual({ partition, records: (await store.readIndex('plays', { season: season!, week: week! })).length })
    }
    const { rows: meta } = await duck.query(
      `SELECT protocol.minReaderVersion AS reader, protocol.minWriterVersion AS writer, array_to_string(metaData.partitionColumns, ',') AS partitionColumns
       FROM read_parquet(${checkpoint}) WHERE protocol IS NOT NULL OR metaData IS NOT NULL ORDER BY reader NULLS LAST`,
    )
    expect(meta).toEqual([
      { reader: 1, writer: 2, partitionColumns: null },
      { reader: null, writer: null, partitionColumns: 'season,week' },
    ])
  })

  it('sees an overwritten partition as the new rows only, and an append as both', async () => {
    const { root: other, storage: store } = await freshStorage()
    await store.write('plays', playsOf(2023, 1), { season: 2023, week: 1 })
    const replacement = playsOf(2024, 3)
    await store.write('plays', replacement, { season: 2023, week: 1 })
    const dataset = readDataset(join(other, 'plays'), 2)
    // DuckDB knows nothing of the log: the superseded file must be gone from disk.
    const afterOverwrite = await duck.query(`SELECT * EXCLUDE (season, week) FROM ${dataset} ORDER BY play_id`)
    expect(ourRows(afterOverwrite.rows)).toEqual(replacement)
    await store.write('plays', playsOf(2023, 2), { season: 2023, week: 1 }, { overwrite: false })
    const afterAppend = await duck.query(`SELECT * EXCLUDE (season, week) FROM ${dataset} ORDER BY play_id`)
    expect(ourRows(afterAppend.rows)).toEqual(sortedBy([...playsOf(2023, 2), ...replacement], 'play_id'))
  })
})

describe('we read what DuckDB writes', () => {
  let storage: LocalStorage
  let dataset: string

  // 36 plays over 2 seasons x 3 weeks; nulls in yards and penalty; a BIGINT and a TIMESTAMP.
  const source = `
    SELECT i::INTEGER AS play_id,
           (401500000 + i // 6)::BIGINT AS game_id,
           ['Georgia', 'Texas', 'LSU', 'San José State'][i % 4 + 1] AS offense,
           CASE WHEN i % 11 = 0 THEN NULL ELSE ((i * 7) % 40 - 5)::INTEGER END AS yards,
           (i * 0.25 - 1.5)::DOUBLE AS epa,
           i % 5 = 0 AS is_scoring,
           TIMESTAMP '2024-09-01 17:00:00' + to_milliseconds(i * 1500) AS wallclock,
           CASE i % 3 WHEN 0 THEN 'holding' WHEN 1 THEN 'false start' END AS penalty,
           (2023 + i % 2)::INTEGER AS season,
           (1 + i % 3)::INTEGER AS week
    FROM range(1, 37) t(i)`

  beforeAll(async () => {
    const fresh = await freshStorage()
    storage = fresh.storage
    await duck.run(`COPY (${source}) TO ${sqlString(join(fresh.root, 'plays2'))} (FORMAT PARQUET, PARTITION_BY (season, week))`)
    dataset = readDataset(join(fresh.root, 'plays2'), 2)
  })

  async function duckRows(select: string, where: string): Promise<Row[]> {
    const { rows } = await duck.query(`SELECT ${select} FROM ${dataset} WHERE ${where} ORDER BY play_id`)
    return rows.map((row) => fromDuckDB(row))
  }

  it('reads one season as DuckDB does, season and week as numbers', async () => {
    const ours = sortedBy(await storage.readIndex('plays2', { season: 2024 }), 'play_id')
    const theirs = await duckRows('*', 'season = 2024')
    expect(theirs).toHaveLength(18)
    expect(ours).toEqual(theirs)
    expect(typeof ours[0]!.season).toBe('number')
    expect(typeof ours[0]!.game_id).toBe('bigint')
    expect(ours[0]!.wallclock).toBeInstanceOf(Date)
    expect(ours.some((row) => row.yards === null)).toBe(true)
  })

  it('lists the partitions DuckDB wrote', async () => {
    const listed = (await storage.listPartitions('plays2')).map((p) => ({ ...p.values }))
    const { rows } = await duck.query(`SELECT DISTINCT season, week FROM ${dataset} ORDER BY season, week`)
    const byFolder = (a: Row, b: Row) => Number(a.season) - Number(b.season) || Number(a.week) - Number(b.week)
    expect(listed.sort(byFolder)).toEqual(rows.map((row) => fromDuckDB(row)))
  })

  const cases: { name: string; filters: Filters; where: string }[] = [
    { name: 'partition equality and IN', filters: { season: 2024, week: [1, 3] }, where: 'season = 2024 AND week IN (1, 3)' },
    { name: 'a partition given as text', filters: { season: '2023' }, where: 'season = 2023' },
    { name: 'a range on a partition key', filters: { week: { gte: 2 } }, where: 'week >= 2' },
    { name: 'a range on a data column', filters: { yards: { gt: 10, lte: 30 } }, where: 'yards > 10 AND yards <= 30' },
    { name: 'a range over a column with nulls', filters: { yards: { lt: 0 } }, where: 'yards < 0' },
    { name: 'string equality', filters: { offense: 'San José State' }, where: "offense = 'San José State'" },
    { name: 'string IN', filters: { offense: ['Georgia', 'LSU'] }, where: "offense IN ('Georgia', 'LSU')" },
    { name: 'a boolean and a partition', filters: { is_scoring: true, season: 2023 }, where: 'is_scoring AND season = 2023' },
    { name: 'a BIGINT column', filters: { game_id: { gte: 401500003n } }, where: 'game_id >= 401500003' },
    {
      name: 'a timestamp range',
      filters: { wallclock: { lt: new Date('2024-09-01T17:00:30Z') } },
      where: "wallclock < TIMESTAMP '2024-09-01 17:00:30'",
    },
    { name: 'null equality', filters: { penalty: null }, where: 'penalty IS NULL' },
    // SQL (and pyarrow): a comparison with NULL is not true, so <> never keeps null rows.
    { name: 'ne skips nulls', filters: { penalty: { ne: 'holding' } }, where: "penalty <> 'holding'" },
  ]

  for (const { name, filters, where } of cases) {
    it(`filters like DuckDB's WHERE: ${name}`, async () => {
      const theirs = await duckRows('*', where)
      expect(theirs.length).toBeGreaterThan(0)
      expect(sortedBy(await storage.readIndex('plays2', filters), 'play_id')).toEqual(theirs)
    })
  }

  it("projects like DuckDB's SELECT, partition columns included when named", async () => {
    const columns = ['play_id', 'yards', 'week']
    const ours = sortedBy(await storage.readIndex('plays2', { season: 2024 }, { columns }), 'play_id')
    expect(ours).toEqual(await duckRows(columns.join(', '), 'season = 2024'))
    expect(ours.every((row) => Object.keys(row).sort().join() === 'play_id,week,yards')).toBe(true)
  })

  it('filters on a column it does not return', async () => {
    const ours = sortedBy(await storage.readIndex('plays2', { yards: { gte: 20 } }, { columns: ['play_id'] }), 'play_id')
    const theirs = await duckRows('play_id', 'yards >= 20')
    expect(theirs.length).toBeGreaterThan(0)
    expect(ours).toEqual(theirs)
  })
})

// Files of many pages and several row groups: our pages (cut every PAGE_ROWS rows, dictionary
// indexes split across them) read by DuckDB, and DuckDB's pages (cut by bytes, so at different rows
// in each column) read by ours, a page at a time.
describe('large files, page by page', () => {
  const ROWS = 30_000
  const big = (i: number): Row => ({
    play_id: i,
    // A dictionary column with nulls: each page takes its own run of the dictionary's indexes.
    offense: i % 7 === 0 ? null : OFFENSES[(i * 5) % OFFENSES.length],
    yards: i % 11 === 0 ? null : ((i * 7) % 40) - 5,
    epa: i * 0.5 + 0.25,
    note: `play ${i} ${'x'.repeat(i % 50)}`,
  })

  it('DuckDB reads every row of a file of many pages', async () => {
    const { root, storage } = await freshStorage()
    const rows = Array.from({ length: ROWS }, (_, i) => big(i))
    await storage.write('big', rows, { season: 2024 })
    const { rows: theirs } = await duck.query(`SELECT * EXCLUDE (season) FROM ${readDataset(join(root, 'big'), 1)} ORDER BY play_id`)
    // Compared row by row, so a mismatch names its row instead of diffing 30,000.
    expect(theirs).toHaveLength(ROWS)
    const differing = ourRows(theirs).findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(rows[i]))
    expect(differing === -1 ? 'all equal' : { row: differing, duckdb: ourRows(theirs)[differing], ours: rows[differing] }).toBe('all equal')
  })

  it('reads a DuckDB file of several row groups whose pages end at different rows', async () => {
    const { root, storage } = await freshStorage()
    const select = `SELECT i::INTEGER AS play_id,
        CASE WHEN i % 7 = 0 THEN NULL ELSE ['Georgia', 'Texas', 'LSU'][i % 3 + 1] END AS offense,
        (i * 0.5 + 0.25)::DOUBLE AS epa, 'play ' || i || repeat('x', i % 50) AS note
      FROM range(0, 100000) t(i)`
    await mkdir(join(root, 'duck', 'season=2024'), { recursive: true })
    await duck.run(`COPY (${select}) TO ${sqlString(join(root, 'duck', 'season=2024', 'part.parquet'))} (FORMAT PARQUET, ROW_GROUP_SIZE 30000)`)
    const ours = await storage.readIndex('duck', {})
    expect(ours).toHaveLength(100_000)
    ours.sort((a, b) => Number(a.play_id) - Number(b.play_id))
    const { rows: theirs } = await duck.query(`${select} ORDER BY play_id`)
    expect(ours).toEqual(theirs.map((row) => ({ ...row, season: 2024 })))
    const { rows: groups } = await duck.query(
      `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${sqlString(join(root, 'duck', 'season=2024', 'part.parquet'))})`,
    )
    expect(Number(groups[0]!.n)).toBeGreaterThan(2)
  })

  it('reads nested columns (lists, structs) that DuckDB writes', async () => {
    const { root, storage } = await freshStorage()
    const file = join(root, 'nested', 'season=2024', 'part.parquet')
    await mkdir(join(root, 'nested', 'season=2024'), { recursive: true })
    await duck.run(
      `COPY (SELECT i::INTEGER AS play_id, [i, i + 1]::INTEGER[] AS players, {'down': (i % 4 + 1)::INTEGER, 'team': 'Texas'} AS situation
        FROM range(0, 5000) t(i)) TO ${sqlString(file)} (FORMAT PARQUET)`,
    )
    const ours = sortedBy(await storage.readIndex('nested', {}), 'play_id')
    expect(ours).toHaveLength(5000)
    expect(ours[4321]).toEqual({ play_id: 4321, players: [4321, 4322], situation: { down: 2, team: 'Texas' }, season: 2024 })
  })
})
