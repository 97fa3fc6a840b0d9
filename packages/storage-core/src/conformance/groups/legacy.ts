import { describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import type { Partition } from '../../partition/partition.js'
import type { ConformanceContext, ConformanceGroup } from '../context.js'
import { copyFixtureTree, fixtureBytes, loadExpected, sortedBy } from '../fixture-files.js'
import { failureOf } from '../harness.js'

// Files written by other tools (fixtures/README.md): the old Python pipeline's layout, DuckDB's
// four codecs and a DuckDB-partitioned dataset. Each must read back exactly as expected.json says.

const CODECS = ['snappy', 'zstd', 'gzip', 'uncompressed'] as const
// Junk that is never data. Planted here, not only copied: npm and pnpm pack leave `.DS_Store`
// and `._*` files out of a published package, so fixtures/ may not hold them.
const APPLE_DOUBLE = new Uint8Array([0, 5, 22, 7, 0, 2, 0, 0, 77, 97, 99, 32, 79, 83, 32, 88])
const JUNK: Record<string, Uint8Array> = {
  'games/.DS_Store': new Uint8Array([0, 0, 0, 1, 66, 117, 100, 49, 0, 0, 16, 0]),
  'games/_SUCCESS': new Uint8Array(0),
  'games/season=2023/week=1/._part-0.parquet': APPLE_DOUBLE,
  'games/season=2023/week=2/._data.csv': APPLE_DOUBLE,
}

async function legacyGames(ctx: ConformanceContext): Promise<StorageBackend> {
  const storage = await ctx.create()
  await copyFixtureTree(storage, 'legacy')
  await Promise.all(Object.entries(JUNK).map(([key, bytes]) => storage.writeBytes(key, bytes)))
  return storage
}

async function gamesOfWeek(week: number): Promise<Row[]> {
  const { rows } = (await loadExpected()).datasets['legacy/games']!
  return sortedBy(
    rows.filter((row) => row.week === week),
    'game_id',
  )
}

function valuesOf(partitions: readonly Partition[]): Record<string, unknown>[] {
  const byFolder = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    Number(a.season) - Number(b.season) || Number(a.week) - Number(b.week)
  return partitions.map((p) => ({ ...p.values })).sort(byFolder)
}

export const legacyLayout: ConformanceGroup = (ctx) => {
  describe('legacy layout', () => {
    describe('the Python pipeline layout', () => {
      it('reads every partition, adding season and week from the folder names as numbers', async () => {
        const storage = await legacyGames(ctx)
        const { rows } = (await loadExpected()).datasets['legacy/games']!
        const read = await storage.readIndex('games')
        expect(sortedBy(read, 'game_id')).toEqual(sortedBy(rows, 'game_id'))
        expect(read.every((row) => typeof row.season === 'number' && typeof row.week === 'number')).toBe(true)
      })

      it('never reads ._*, .DS_Store, _SUCCESS or _-prefixed folders as data', async () => {
        const storage = await legacyGames(ctx)
        // Valid Parquet under a hidden folder (Spark's _temporary) and junk alone in a folder.
        await storage.writeBytes('games/_temporary/0/part-0.parquet', await fixtureBytes('codecs/plays-snappy.parquet'))
        await storage.writeBytes('games/season=2023/week=4/._part-0.parquet', new Uint8Array([0, 5, 22, 7, 1, 2]))
        // Planted for sure (exists, not listFiles: a backend may leave `._*` out of its listings).
        for (const junk of Object.keys(JUNK)) expect(await storage.exists(junk)).toBe(true)
        expect(sortedBy(await storage.readIndex('games', { week: 1 }), 'game_id')).toEqual(await gamesOfWeek(1))
        expect(await storage.readIndex('games')).toHaveLength(15)
        expect(await storage.readIndex('games', { week: 4 })).toEqual([])
        expect(await storage.listPartitions('games')).toHaveLength(3)
      })

      it('reads a CSV-only partition with typed values', async () => {
        const storage = await legacyGames(ctx)
        const read = sortedBy(await storage.readIndex('games', { week: 2 }), 'game_id')
        expect(read).toEqual(await gamesOfWeek(2))
        const first = read[0]!
        // Typed by the manifest's pandas dtypes, as the Parquet partitions are (int64 -> bigint).
        expect(typeof first.game_id).toBe('bigint')
        expect(typeof first.home_points).toBe('bigint')
        // pandas writes booleans as True/False.
        expect(first.neutral_site).toBe(false)
        expect(read[4]!.neutral_site).toBe(true)
        expect(first.excitement).toBe(7.125)
        expect(read[3]!.home_team).toBe('San José State')
      })

      it('prefers part-0.parquet over data.csv when a partition holds both', async () => {
        const storage = await legacyGames(ctx)
        const read = sortedBy(await storage.readIndex('games', { week: 3 }), 'game_id')
        expect(read).toHaveLength(5)
        // The Parquet file's INT64 columns read as bigint; the CSV copy's would be numbers.
        expect(read).toEqual(await gamesOfWeek(3))
        expect(typeof read[0]!.game_id).toBe('bigint')
      })

      it('lists the three partitions', async () => {
        const storage = await legacyGames(ctx)
        const { partitions } = (await loadExpected()).datasets['legacy/games']!
        expect(valuesOf(await storage.listPartitions('games'))).toEqual(partitions)
        expect(valuesOf(await storage.listPartitions('games', { week: { gte: 2 } }))).toEqual(partitions.slice(1))
      })

      it('reads the legacy files through the path API as they are', async () => {
        const storage = await legacyGames(ctx)
        const { files } = await loadExpected()
        for (const path of ['season=2023/week=1/part-0.parquet', 'season=2023/week=3/data.csv']) {
          const read = path.endsWith('.csv') ? storage.readCsv(`games/${path}`) : storage.readParquet(`games/${path}`)
          expect(await read).toEqual(files[`legacy/games/${path}`])
        }
      })

      it('filters on a data column across Parquet and CSV partitions', async () => {
        const storage = await legacyGames(ctx)
        const { rows } = (await loadExpected()).datasets['legacy/games']!
        const read = await storage.readIndex('games', { neutral_site: true })
        expect(sortedBy(read, 'game_id')).toEqual(rows.filter((row) => row.neutral_site === true))
      })

      it('projects columns from Parquet and CSV partitions alike', async () => {
        const storage = await legacyGames(ctx)
        const columns = ['game_id', 'home_team', 'week']
        const read = sortedBy(await storage.readIndex('games', { week: [1, 2] }, { columns }), 'game_id')
        expect(read.map((row) => Object.keys(row).sort())).toEqual(read.map(() => [...columns].sort()))
        const wanted = [...(await gamesOfWeek(1)), ...(await gamesOfWeek(2))]
        expect(read).toEqual(wanted.map((row) => ({ game_id: row.game_id, home_team: row.home_team, week: row.week })))
      })

      it('refuses a write until the folder is converted, naming the way out; nothing changes', async () => {
        const storage = await legacyGames(ctx)
        const before = await storage.listFiles('')
        const error = await failureOf(storage.write('games', [{ game_id: 1 }], { season: 2023, week: 1 }))
        expect(error).toMatchObject({ code: 'NOT_SUPPORTED' })
        expect(String(error.message)).toMatch(/convert/)
        expect(await storage.listFiles('')).toEqual(before)
        expect(await storage.readIndex('games')).toHaveLength(15)
      })

      it('refuses to convert a folder holding CSV files (Delta tables hold Parquet), naming them', async () => {
        const storage = await legacyGames(ctx)
        const before = await storage.listFiles('')
        const error = await failureOf(storage.convertToDelta('games'))
        expect(error).toMatchObject({ code: 'NOT_SUPPORTED' })
        expect(String(error.message)).toMatch(/data\.csv/)
        expect(await storage.listFiles('')).toEqual(before)
      })
    })

    describe('Parquet codecs DuckDB writes', () => {
      for (const codec of CODECS) {
        it(`reads a ${codec} file`, async () => {
          const storage = await ctx.create()
          const file = `codecs/plays-${codec}.parquet`
          await storage.writeBytes(file, await fixtureBytes(file))
          expect(await storage.readParquet(file)).toEqual((await loadExpected()).files[file])
        })
      }
    })

    describe('a dataset DuckDB partitioned', () => {
      it('reads one season, typing season and week as DuckDB infers them', async () => {
        const storage = await ctx.create()
        await copyFixtureTree(storage, 'duckdb-hive')
        const { rows } = (await loadExpected()).datasets['duckdb-hive/plays']!
        const read = await storage.readIndex('plays', { season: 2023 })
        expect(sortedBy(read, 'play_id')).toEqual(rows.filter((row) => row.season === 2023))
      })

      it('reads and lists every partition', async () => {
        const storage = await ctx.create()
        await copyFixtureTree(storage, 'duckdb-hive')
        const { rows, partitions } = (await loadExpected()).datasets['duckdb-hive/plays']!
        expect(sortedBy(await storage.readIndex('plays'), 'play_id')).toEqual(rows)
        expect(valuesOf(await storage.listPartitions('plays'))).toEqual(partitions)
      })

      it('converts to a Delta table in place: same rows, no data copied, then writes like any table', async () => {
        const storage = await ctx.create()
        await copyFixtureTree(storage, 'duckdb-hive')
        const { rows, partitions } = (await loadExpected()).datasets['duckdb-hive/plays']!
        const dataBefore = (await storage.listFiles('plays/')).filter((k) => k.endsWith('.parquet'))
        expect(await storage.convertToDelta('plays')).toEqual({ version: 0, files: dataBefore.length })
        expect((await storage.listFiles('plays/')).filter((k) => k.endsWith('.parquet'))).toEqual(dataBefore)
        expect(sortedBy(await storage.readIndex('plays'), 'play_id')).toEqual(rows)
        expect(valuesOf(await storage.listPartitions('plays'))).toEqual(partitions)
        const info = await storage.schema('plays')
        expect(info.partitionBy).toEqual(['season', 'week'])
        // The files keep DuckDB's INTEGER (INT32) columns, which this library does not write: refused, not widened.
        const before = await storage.listFiles('')
        const one = rows.find((r) => r.season === 2023 && r.week === 1)!
        expect(await failureOf(storage.write('plays', [{ ...one }], { season: 2023, week: 1 }))).toMatchObject({ code: 'NOT_SUPPORTED' })
        expect(await storage.listFiles('')).toEqual(before)
        expect(await failureOf(storage.convertToDelta('plays'))).toMatchObject({ code: 'CONFLICT' })
      })
    })
  })
}
