import { describe, expect, it } from '@jest/globals'
import type { FileFormat, StorageBackend } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'
import { byId, failureOf, fromUtf8, utf8 } from '../harness.js'
import { type HostileCase, type Refusal, runCase, type Seed, scanAll } from './hostile-case.js'

/**
 * Corrupt files: planted after a good write by overwriting the stored bytes with `writeBytes`, so
 * every backend is tested the same way. Every read fails loudly, naming the key.
 */


const GOOD_2023 = [
  { id: 1, score: 10, team: 'a' },
  { id: 2, score: 20, team: 'b' },
]
const GOOD_2024 = [
  { id: 3, score: 30, team: 'c' },
  { id: 4, score: 40, team: 'd' },
  { id: 5, score: 50, team: 'e' },
]

/**
 * Two partitions; returns the 2024 partition's data file and, for a table, the log version that
 * added it. CSV is seeded as the Python pipeline's plain folders (`data.csv` + `manifest.json`).
 */
async function seedGames(s: StorageBackend, format: FileFormat): Promise<Seed> {
  if (format === 'csv') {
    const manifest = utf8(JSON.stringify({ rows: 0, schema: { id: 'int32', score: 'int32', team: 'object' } }))
    for (const [season, rows] of [[2023, GOOD_2023], [2024, GOOD_2024]] as const) {
      await s.writeCsv(`games/season=${season}/data.csv`, rows)
      await s.writeBytes(`games/season=${season}/manifest.json`, manifest)
    }
    return { data: 'games/season=2024/data.csv' }
  }
  await s.write('games', GOOD_2023, { season: 2023 })
  await s.write('games', GOOD_2024, { season: 2024 })
  const keys = await s.listFiles('games/season=2024/')
  const data = keys.find((k) => k.endsWith(`.${format}`))
  if (!data) throw new Error(`seed wrote no data file: ${keys.join(', ')}`)
  return { data, commit: 'games/_delta_log/00000000000000000001.json' }
}

/** The healthy partition still reads on its own, so the failure is the corrupt file's, not the whole entity's. */
async function healthyStillReads(s: StorageBackend): Promise<void> {
  expect(byId(await s.readIndex('games', { season: 2023 }))).toEqual(GOOD_2023.map((r) => ({ ...r, season: 2023 })))
}

/** A committed data file whose bytes are replaced; the whole-entity read must fail naming it. */
function corruptData(label: string, format: FileFormat, mutate: (bytes: Uint8Array) => Uint8Array): Refusal {
  return {
    name: `corrupt ${format}: ${label}`,
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      const seed = await seedGames(s, format)
      await s.writeBytes(seed.data!, mutate(await s.readBytes(seed.data!)))
      return seed
    },
    act: (s) => s.readIndex('games'),
    key: (seed) => seed.data!,
    after: async (s, seed) => {
      // Never the other partitions' rows as if they were all: every way of reading fails loudly.
      expect(await failureOf(scanAll(s, 'games'))).toMatchObject({ code: 'CORRUPT_DATA', key: seed.data })
      expect(await failureOf(s.readIndex('games', { season: 2024 }))).toMatchObject({
        code: 'CORRUPT_DATA',
        key: seed.data,
      })
      await healthyStillReads(s)
    },
  }
}

/** A version file of the Delta log whose bytes are replaced; reads and appends must fail naming it. */
function corruptCommit(label: string, mutate: (bytes: Uint8Array) => Uint8Array): Refusal {
  return {
    name: `corrupt commit file: ${label}`,
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      const seed = await seedGames(s, 'parquet')
      await s.writeBytes(seed.commit!, mutate(await s.readBytes(seed.commit!)))
      return seed
    },
    act: (s) => s.readIndex('games'),
    key: (seed) => seed.commit!,
    after: async (s, seed) => {
      expect(await failureOf(s.listPartitions('games'))).toMatchObject({ code: 'CORRUPT_DATA', key: seed.commit })
      const before = await s.listFiles('')
      expect(await failureOf(s.write('games', [{ id: 9 }], { season: 2024 }, { overwrite: false }))).toMatchObject({
        code: 'CORRUPT_DATA',
        key: seed.commit,
      })
      // One log holds the whole table: no partition reads around a corrupt version.
      expect(await s.listFiles('')).toEqual(before)
    },
  }
}

/** Edits the `add` action of a version file (NDJSON, one action per line). */
function editAdd(edit: (add: any) => void): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    const lines = fromUtf8(bytes).trim().split('\n').map((line) => JSON.parse(line))
    for (const action of lines) if (action.add) edit(action.add)
    return utf8(`${lines.map((a) => JSON.stringify(a)).join('\n')}\n`)
  }
}

const half = (bytes: Uint8Array) => bytes.slice(0, Math.floor(bytes.length / 2))
const text = (value: string) => () => utf8(value)

const CASES: readonly HostileCase[] = [
  // Corrupt or truncated Parquet in a committed partition.
  corruptData('garbage bytes', 'parquet', text('this is not parquet at all')),
  corruptData('cut in half', 'parquet', half),
  corruptData('empty', 'parquet', () => new Uint8Array(0)),
  corruptData('zeros, same length', 'parquet', (b) => new Uint8Array(b.length)),
  {
    // Dataset reads plan from the footer their commit carries, so only a reader of the file's own
    // footer (the path API, DuckDB) meets this damage; it must not read garbage there either.
    name: 'corrupt parquet: footer length past the start, read by path',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      const seed = await seedGames(s, 'parquet')
      const copy = (await s.readBytes(seed.data!)).slice()
      copy.set([0xff, 0xff, 0xff, 0x7f], copy.length - 8)
      await s.writeBytes(seed.data!, copy)
      return seed
    },
    act: (s, seed) => s.readParquet(seed.data!),
    key: (seed) => seed.data!,
  },
  {
    name: 'corrupt parquet: read with a column projection',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      const seed = await seedGames(s, 'parquet')
      await s.writeBytes(seed.data!, half(await s.readBytes(seed.data!)))
      return seed
    },
    act: (s) => s.readIndex('games', undefined, { columns: ['id'] }),
    key: (seed) => seed.data!,
  },
  {
    name: 'corrupt parquet: readParquet of the file',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      await s.writeBytes('raw/broken.parquet', utf8('PAR1 and then nothing'))
      return { data: 'raw/broken.parquet' }
    },
    act: (s, seed) => s.readParquet(seed.data!),
    key: (seed) => seed.data!,
  },
  {
    name: 'corrupt parquet in a legacy folder (no commits)',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      await s.writeParquet('games/season=2023/part-0.parquet', GOOD_2023)
      await s.writeBytes('games/season=2024/part-0.parquet', utf8('garbage'))
      return { data: 'games/season=2024/part-0.parquet' }
    },
    act: (s) => s.readIndex('games'),
    key: (seed) => seed.data!,
    after: async (s) => healthyStillReads(s),
  },

  // Broken CSV in a committed partition, and through the path API.
  corruptData('a short (ragged) row', 'csv', text('id,score,team\n3,30\n')),
  corruptData('a long (ragged) row', 'csv', text('id,score,team\n3,30,c,extra\n')),
  corruptData('an unterminated quote', 'csv', text('id,score,team\n3,30,"c\n')),
  corruptData('text in an integer column', 'csv', text('id,score,team\n3,thirty,c\n')),
  {
    name: 'readCsv of a ragged file',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      await s.writeBytes('raw/ragged.csv', utf8('a,b,c\n1,2,3\n4,5\n'))
      return { data: 'raw/ragged.csv' }
    },
    act: (s, seed) => s.readCsv(seed.data!),
    key: (seed) => seed.data!,
  },

  // Truncated or foreign commit files.
  corruptCommit('a line that is not an action: [1,2]', text('[1,2]\n')),
  corruptCommit('cut in half', half),
  corruptCommit('empty', () => new Uint8Array(0)),
  corruptCommit('JSON null', text('null\n')),
  corruptCommit(
    'partition values null',
    editAdd((add) => {
      add.partitionValues = null
    }),
  ),
  corruptCommit(
    'a size that is not a number',
    editAdd((add) => {
      add.size = 'big'
    }),
  ),
  corruptCommit(
    'a path reaching out of the table',
    editAdd((add) => {
      add.path = `../other/${add.path}`
    }),
  ),
  corruptCommit(
    'an absolute path',
    editAdd((add) => {
      add.path = `/etc/${add.path}`
    }),
  ),
  {
    name: 'a version listing a data file that is gone',
    code: 'CORRUPT_DATA',
    setup: async (s) => {
      const seed = await seedGames(s, 'parquet')
      await s.delete(seed.data!)
      return seed
    },
    act: (s) => s.readIndex('games'),
    key: (seed) => seed.data!,
    after: async (s) => healthyStillReads(s),
  },
]

export const corruptFiles: ConformanceGroup = (ctx) => {
  describe('corrupt files', () => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await runCase(await ctx.create(), c)
    })
  })
}
