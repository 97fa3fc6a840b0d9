import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Filters, mapConcurrent, type ReadOptions, type Row, type StorageBackend } from '@cfb/storage-core'
import { LocalStorage } from '@cfb/storage-local'
import type { ServerKind } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

/** One week of plays: every value type the pipeline stores, nulls included. */
function plays(season: number, week: number, from = 0, count = 25): Row[] {
  return Array.from({ length: count }, (_, n) => {
    const i = from + n
    return {
      play_id: season * 100_000 + week * 1_000 + i,
      yards: (i * 7) % 23 - 5,
      epa: i % 5 === 0 ? null : Math.round((i * 0.37 - 3.1) * 1000) / 1000 + 0.0005,
      offense: ['Texas', 'Ohio State', 'Oregon', 'Notre Dame'][i % 4],
      scoring: i % 6 === 0,
      wallclock: new Date(Date.UTC(season, 8, week * 7, 18, i % 60, i % 47)),
      penalty: i % 3 === 0 ? 'holding, offense' : null,
    }
  })
}

/**
 * A Delta table of 2 seasons × 3 weeks, one version each; 2024 week 2 written then appended to (7
 * versions); and a CSV file beside it, through the path API (tables hold Parquet). Returns the
 * table's row count.
 */
async function writeDataset(storage: StorageBackend): Promise<number> {
  let rows = 0
  for (const season of [2023, 2024]) {
    for (const week of [1, 2, 3]) {
      rows += await storage.write('plays', plays(season, week), { season, week })
    }
  }
  rows += await storage.write('plays', plays(2024, 2, 500, 10), { season: 2024, week: 2 }, { overwrite: false })
  await storage.writeCsv(CSV_PATH, plays(2023, 3))
  return rows
}

const CSV_PATH = 'exports/plays-2023-3.csv'

/** Object by object, as a user with only the path API would copy: list, read, write. */
async function copyObjects(from: StorageBackend, to: StorageBackend): Promise<string[]> {
  const keys = await from.listFiles('')
  await mapConcurrent(keys, 8, async (key) => to.writeBytes(key, await from.readBytes(key)))
  return keys
}

const READS: [string, Filters | undefined, ReadOptions | undefined][] = [
  ['everything', undefined, undefined],
  ['one season', { season: 2024 }, undefined],
  ['an IN list on the second key, keys out of order', { week: [1, 3], season: 2023 }, undefined],
  ['a range on a partition key', { week: { gte: 2 } }, undefined],
  ['the appended partition', { season: '2024', week: 2 }, undefined],
  ['a partition given whole', { season: 2023, week: 3 }, undefined],
  ['a row filter on a data column', { yards: { gte: 5 }, offense: ['Texas', 'Oregon'] }, undefined],
  ['columns only', undefined, { columns: ['play_id', 'epa', 'wallclock'] }],
  ['columns with a partition column and a filter', { season: 2023 }, { columns: ['week', 'play_id', 'penalty'] }],
]

/** What a partition must hold: its records, with the partition columns added. */
const withPartition = (rows: Row[], season: number, week: number) => rows.map((row) => ({ ...row, season, week }))

async function expectSameReads(source: StorageBackend, copy: StorageBackend, total: number): Promise<void> {
  expect(await copy.readIndex('plays')).toHaveLength(total)
  // The values themselves survived (Parquet and an append), not only the agreement below.
  expect(await copy.readIndex('plays', { season: 2024, week: 1 })).toEqual(withPartition(plays(2024, 1), 2024, 1))
  expect(await copy.readIndex('plays', { season: 2023, week: 3 })).toEqual(withPartition(plays(2023, 3), 2023, 3))
  expect(await copy.readIndex('plays', { season: 2024, week: 2 })).toEqual(
    withPartition([...plays(2024, 2), ...plays(2024, 2, 500, 10)], 2024, 2),
  )
  for (const [, filters, options] of READS) {
    const expected = await source.readIndex('plays', filters, options)
    expect(expected.length).toBeGreaterThan(0)
    expect(await copy.readIndex('plays', filters, options)).toEqual(expected)
  }
  expect(await copy.listPartitions('plays')).toEqual(await source.listPartitions('plays'))
  expect(await copy.history('plays')).toEqual(await source.history('plays'))
  expect(await copy.readCsv(CSV_PATH)).toEqual(await source.readCsv(CSV_PATH))
}

describe.each<ServerKind>(['fauxqs', 's3rver'])('local ⇄ s3 parity on %s', (kind) => {
  const s3 = useS3Server(kind)
  let dir: string
  let locals = 0
  const local = () => new LocalStorage({ root: join(dir, `local-${++locals}`) })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfb-parity-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a dataset written on local reads back identically on S3 after an object-by-object copy', async () => {
    const source = local()
    const total = await writeDataset(source)
    expect(total).toBe(6 * 25 + 10)
    const target = s3.storage()
    const keys = await copyObjects(source, target)
    expect(keys.some((k) => k.endsWith('.csv'))).toBe(true)
    // The table's log travels with it: versions 0..6, one per write.
    expect(keys.filter((k) => k.startsWith('plays/_delta_log/'))).toEqual(
      Array.from({ length: 7 }, (_, v) => `plays/_delta_log/${String(v).padStart(20, '0')}.json`),
    )
    expect(await target.listFiles('')).toEqual(keys)
    await expectSameReads(source, target, total)
  })

  it('a dataset written on S3 reads back identically on local after an object-by-object copy', async () => {
    const source = s3.storage()
    const total = await writeDataset(source)
    const target = local()
    const keys = await copyObjects(source, target)
    expect(await target.listFiles('')).toEqual(keys)
    await expectSameReads(source, target, total)
  })

  it('reads the same rows on both sides, whichever side wrote them', async () => {
    const onLocal = local()
    const onS3 = s3.storage()
    await writeDataset(onLocal)
    await writeDataset(onS3)
    // Different write ids, same data: the rows (not the bytes) must agree.
    const byId = (rows: Row[]) => [...rows].sort((a, b) => Number(a.play_id) - Number(b.play_id))
    for (const [, filters, options] of READS) {
      expect(byId(await onS3.readIndex('plays', filters, options))).toEqual(byId(await onLocal.readIndex('plays', filters, options)))
    }
  })
})
