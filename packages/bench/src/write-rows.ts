// The write rows: the seed pipeline's 165 `write` calls and one `writePartitioned`, each over
// records of every origin, against DuckDB's partitioned COPY of the same table.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { LocalStorage } from '@cfb/storage-local'
import type { DuckDBConnection } from '@duckdb/node-api'
import { RUNS, log, millions, perPartition, totalRows } from './config.js'
import { ORIGINS, type Origin, originRecords } from './record-origins.js'
import { partitions } from './plays.js'
import type { BenchRow } from './report.js'
import { alternating, middle } from './timing.js'

interface OriginTimes {
  origin: Origin
  sequential: number
  partitioned: number
  duck: number
}

export async function writeRows(db: DuckDBConnection, work: string, rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const duckRoot = join(work, 'duck')
  const copy = () => db.run(`COPY plays TO '${duckRoot}' (FORMAT PARQUET, COMPRESSION SNAPPY, PARTITION_BY (season, week), OVERWRITE_OR_IGNORE)`)
  const measured: OriginTimes[] = []
  const duckTimes: number[] = []
  for (const origin of ORIGINS) {
    // One origin's records at a time, dropped before the next is built.
    let groups = await originRecords(origin, perPartition, db)
    let flat = groups.flatMap((g) => g.records)
    if (flat.length !== totalRows) throw new Error(`${origin}: built ${flat.length} records, not ${totalRows}`)
    const root = join(work, 'write-origin')
    const storage = new LocalStorage({ root })
    // Every call overwrites its partition (the default), as a re-run of the pipeline does.
    const sequential = async () => {
      for (const g of groups) await storage.write('sequential', g.records, { season: g.season, week: g.week })
    }
    const partitioned = () => storage.writePartitioned('partitioned', flat, ['season', 'week'])
    const { medians, times } = await alternating(RUNS, [sequential, partitioned, copy])
    measured.push({ origin, sequential: medians[0]!, partitioned: medians[1]!, duck: medians[2]! })
    duckTimes.push(...times[2]!)
    log(`write, ${origin}: sequential ${medians[0]!.toFixed(0)} ms, writePartitioned ${medians[1]!.toFixed(0)} ms, DuckDB ${medians[2]!.toFixed(0)} ms (medians of ${RUNS}, alternating)`)
    groups = []
    flat = []
    await rm(root, { recursive: true, force: true })
  }
  await rm(duckRoot, { recursive: true, force: true })
  const duck = middle(duckTimes)
  const size = millions(totalRows)
  const kinds = [
    { key: 'sequential', name: `${partitions().length} sequential write calls, ${size} rows, local`, target: 1.2 },
    { key: 'partitioned', name: `writePartitioned, ${size} rows, local`, target: 1.0 },
  ] as const
  for (const { key, name, target } of kinds) {
    const slowest = measured.reduce((a, b) => (b[key] > a[key] ? b : a))
    rows.push({
      name,
      unit: 'ms',
      ours: slowest[key],
      peer: duck,
      peerName: 'DuckDB COPY PARTITION_BY',
      target,
      note: `ours is the slowest record origin (${slowest.origin}); fresh strings per value; DuckDB is the median of all its runs`,
    })
    for (const m of measured) {
      rows.push({ name: `${m.origin}`, unit: 'ms', ours: m[key], peer: m.duck, peerName: 'DuckDB, same rounds', target, sub: true })
    }
  }
  extra.writeByOrigin = measured.map((m) => ({ ...m, sequential: Math.round(m.sequential), partitioned: Math.round(m.partitioned), duck: Math.round(m.duck) }))
}
