// The read rows: ours into JS records against DuckDB's rows into JS objects, on the written dataset.
import { LocalStorage } from '@cfb/storage-local'
import type { DuckDBConnection } from '@duckdb/node-api'
import { RUNS, log } from './config.js'
import { hiveGlob } from './duckdb.js'
import { partitions, SEASONS } from './plays.js'
import type { BenchRow } from './report.js'
import { median } from './timing.js'

const TARGET = 0.5

export async function readRows(db: DuckDBConnection, root: string, rows: BenchRow[]): Promise<void> {
  const season = SEASONS[6]!
  const reader = () => new LocalStorage({ root })
  const glob = hiveGlob(root, 'plays')
  const pruned = partitions().length - SEASONS.length
  const cases: { name: string; ours: () => Promise<number>; sql: string }[] = [
    {
      name: 'read one partition, 3 columns',
      ours: async () => (await reader().readIndex('plays', { season, week: 7 }, { columns: ['play_id', 'yards_gained', 'ppa'] })).length,
      sql: `SELECT play_id, yards_gained, ppa FROM ${glob} WHERE season = ${season} AND week = 7`,
    },
    {
      name: `read week = 3 across all seasons (prunes ${pruned} of ${partitions().length})`,
      ours: async () => (await reader().readIndex('plays', { week: 3 })).length,
      sql: `SELECT * FROM ${glob} WHERE week = 3`,
    },
    {
      name: 'full scan of 1 column',
      ours: async () => {
        let n = 0
        for await (const batch of reader().scan('plays', {}, { columns: ['epa'] })) n += batch.length
        return n
      },
      sql: `SELECT epa FROM ${glob}`,
    },
  ]
  for (const c of cases) {
    const ours = await median(RUNS, c.ours)
    const peer = await median(RUNS, async () => (await db.runAndReadAll(c.sql)).getRowObjects().length)
    const inside = await median(RUNS, async () => (await db.runAndReadAll(`SELECT count(*) FROM (${c.sql})`)).getRowObjects())
    if (ours.result !== peer.result) throw new Error(`${c.name}: we read ${ours.result} rows, DuckDB ${peer.result}`)
    rows.push({
      name: c.name,
      unit: 'ms',
      ours: ours.ms,
      peer: peer.ms,
      peerName: 'DuckDB to row objects',
      target: TARGET,
      note: `${ours.result} rows; DuckDB with rows left inside: ${inside.ms.toFixed(1)} ms`,
    })
    log(`${c.name}: ours ${ours.ms.toFixed(1)} ms, DuckDB ${peer.ms.toFixed(1)} ms (${ours.result} rows)`)
  }
}
