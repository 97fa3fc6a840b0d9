// The read rows: ours into JS records against DuckDB's rows into JS objects, on the written dataset.
import { LocalStorage } from '@cfb/storage-local'
import type { DuckDBConnection } from '@duckdb/node-api'
import { RUNS, log } from './config.js'
import { hiveGlob } from './duckdb.js'
import { partitions, SEASONS } from './plays.js'
import type { BenchRow } from './report.js'
import { alternating } from './timing.js'

const TARGET = 0.5
/** Quick reads are repeated for about this long (at least RUNS rounds): see `alternating`. */
const ROUNDS_MS = 2000

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
    let oursRows = 0
    let peerRows = 0
    const ours = async () => {
      oursRows = await c.ours()
    }
    const peer = async () => {
      peerRows = (await db.runAndReadAll(c.sql)).getRowObjects().length
    }
    const inside = async () => (await db.runAndReadAll(`SELECT count(*) FROM (${c.sql})`)).getRowObjects()
    const { medians, rounds } = await alternating(RUNS, [ours, peer, inside], undefined, ROUNDS_MS)
    const [oursMs, peerMs, insideMs] = medians as [number, number, number]
    if (oursRows !== peerRows) throw new Error(`${c.name}: we read ${oursRows} rows, DuckDB ${peerRows}`)
    rows.push({
      name: c.name,
      unit: 'ms',
      ours: oursMs,
      peer: peerMs,
      peerName: 'DuckDB to row objects',
      target: TARGET,
      note: `${oursRows} rows; DuckDB with rows left inside: ${insideMs.toFixed(1)} ms; medians of ${rounds} rounds, alternating`,
    })
    log(`${c.name}: ours ${oursMs.toFixed(1)} ms, DuckDB ${peerMs.toFixed(1)} ms (${oursRows} rows)`)
  }
}
