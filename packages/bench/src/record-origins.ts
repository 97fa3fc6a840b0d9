// The records a write is given, built as callers build them: the write's speed depends on the
// objects' shapes and strings, so every write row is measured over each origin.
import { decodeCsv, encodeCsv, type Row, type TableSchema } from '@cfb/storage-core'
import type { DuckDBConnection } from '@duckdb/node-api'
import Papa from 'papaparse'
import { partitions, playsPartition } from './plays.js'

export const ORIGINS = ['object literal', 'spread-then-add', 'JSON.parse', 'DuckDB getRowObjectsJS', 'CSV (core decodeCsv)', 'CSV (papaparse)'] as const
export type Origin = (typeof ORIGINS)[number]

/** One partition's records, as a seed pipeline hands them to `write` one call at a time. */
export interface PartitionRecords {
  season: number
  week: number
  records: Row[]
}

const codes = new Map<string, number[]>()
/**
 * A new string object with `text`'s characters: parsed data has a fresh string per value, where
 * the generator reuses twelve constants (which a writer's per-string work would see as one).
 */
function fresh(text: unknown): string {
  const s = text as string
  let c = codes.get(s)
  if (!c) {
    c = Array.from(s, (ch) => ch.charCodeAt(0))
    codes.set(s, c)
  }
  return String.fromCharCode.apply(null, c)
}

/** The plays columns with fresh strings, in the generator's order (partition keys not included). */
function playFields(r: Row) {
  return {
    play_id: r.play_id,
    game_id: r.game_id,
    offense: fresh(r.offense),
    defense: fresh(r.defense),
    down: r.down,
    distance: r.distance,
    yard_line: r.yard_line,
    yards_gained: r.yards_gained,
    ppa: r.ppa,
    epa: r.epa,
    play_type: fresh(r.play_type),
    wallclock: r.wallclock,
  }
}

/** An object literal with the partition keys first: one shape from the first record on. */
function literal(season: number, week: number, r: Row): Row {
  return {
    season,
    week,
    play_id: r.play_id,
    game_id: r.game_id,
    offense: fresh(r.offense),
    defense: fresh(r.defense),
    down: r.down,
    distance: r.distance,
    yard_line: r.yard_line,
    yards_gained: r.yards_gained,
    ppa: r.ppa,
    epa: r.epa,
    play_type: fresh(r.play_type),
    wallclock: r.wallclock,
  }
}

const CSV_SCHEMA: TableSchema = {
  columns: [
    ['season', 'int'],
    ['week', 'int'],
    ['play_id', 'int'],
    ['game_id', 'int'],
    ['offense', 'string'],
    ['defense', 'string'],
    ['down', 'int'],
    ['distance', 'int'],
    ['yard_line', 'int'],
    ['yards_gained', 'int'],
    ['ppa', 'float'],
    ['epa', 'float'],
    ['play_type', 'string'],
    ['wallclock', 'timestamp'],
  ].map(([name, type]) => ({ name: name!, type: type as 'int' })),
}

async function partitionOf(origin: Origin, season: number, week: number, rows: number, db: DuckDBConnection): Promise<Row[]> {
  if (origin === 'DuckDB getRowObjectsJS') {
    // The bench's DuckDB table holds the same plays: ints come out as bigint, as DuckDB gives them.
    return (await db.run(`SELECT * FROM plays WHERE season = ${season} AND week = ${week}`)).getRowObjectsJS() as Promise<Row[]>
  }
  const generated = playsPartition(season, week, rows)
  switch (origin) {
    case 'object literal':
      return generated.map((r) => literal(season, week, r))
    case 'spread-then-add':
      return generated.map((r) => ({ ...playFields(r), season, week }))
    case 'JSON.parse': {
      const parsed = JSON.parse(JSON.stringify(generated.map((r) => literal(season, week, r)))) as Row[]
      for (const r of parsed) r.wallclock = new Date(r.wallclock as string)
      return parsed
    }
    case 'CSV (core decodeCsv)': {
      const text = encodeCsv(
        generated.map((r) => literal(season, week, r)),
        CSV_SCHEMA,
      )
      return decodeCsv(text, CSV_SCHEMA) as Row[]
    }
    case 'CSV (papaparse)': {
      // A parser that builds each row up from {} (as papaparse's `header: true` does) gives rows a
      // layout of their own in V8, unlike core's decodeCsv: both are measured.
      const text = new TextDecoder().decode(encodeCsv(generated.map((r) => literal(season, week, r)), CSV_SCHEMA))
      const parsed = Papa.parse<Row>(text, { header: true, dynamicTyping: true, skipEmptyLines: true })
      if (parsed.errors.length > 0) throw new Error(`papaparse: ${parsed.errors[0]!.message}`)
      return parsed.data
    }
  }
}

/** One origin's records for every partition of the dataset (`rows` per partition). */
export async function originRecords(origin: Origin, rows: number, db: DuckDBConnection): Promise<PartitionRecords[]> {
  const out: PartitionRecords[] = []
  for (const { season, week } of partitions()) out.push({ season, week, records: await partitionOf(origin, season, week, rows, db) })
  return out
}
