// The plays dataset the read and CLI rows read, and the DuckDB table the write rows' peer copies.
import { join } from 'node:path'
import { LocalStorage } from '@cfb/storage-local'
import type { DuckDBConnection } from '@duckdb/node-api'
import { perPartition } from './config.js'
import { hiveGlob } from './duckdb.js'
import { partitions, playsPartition } from './plays.js'

/** Writes `plays` under `work/ours` and loads it into DuckDB as table `plays`; returns the root. */
export async function writeDataset(db: DuckDBConnection, work: string): Promise<string> {
  const root = join(work, 'ours')
  const records = partitions().flatMap(({ season, week }) =>
    playsPartition(season, week, perPartition).map((row) => ({ season, week, ...row })),
  )
  await new LocalStorage({ root }).writePartitioned('plays', records, ['season', 'week'])
  await db.run(`CREATE TABLE plays AS SELECT * FROM ${hiveGlob(root, 'plays')}`)
  return root
}
