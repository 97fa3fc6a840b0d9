// pnpm bench: each row is our figure and a peer's, measured in the same run on the same data.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { cliRows } from './cli-rows.js'
import { RUNS, type Section, log, needsDataset, repo, totalRows, wanted } from './config.js'
import { writeDataset } from './dataset.js'
import { duckdb } from './duckdb.js'
import { memoryRows } from './memory-rows.js'
import { migrateRows } from './migrate-rows.js'
import { partitions } from './plays.js'
import { readRows } from './read-rows.js'
import { type BenchRow, markdownTable, met, ratio } from './report.js'
import { s3Rows } from './s3-rows.js'
import { commitThroughput, snapshotLoad } from './table-rows.js'
import { writeRows } from './write-rows.js'

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'cfb-bench-'))
  const rows: BenchRow[] = []
  const extra: Record<string, unknown> = {}
  const sectionSeconds: Record<string, number> = {}
  const section = async (name: Section | 'dataset', body: () => Promise<void>) => {
    const started = performance.now()
    await body()
    sectionSeconds[name] = Math.round((performance.now() - started) / 100) / 10
    log(`section ${name}: ${sectionSeconds[name]} s`)
  }
  const db = needsDataset() ? await duckdb() : undefined
  const duckVersion = db ? (await db.runAndReadAll('select version() as v')).getRowObjects()[0]!.v : 'not started'
  log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, DuckDB ${duckVersion}`)
  log(`dataset: plays, ${totalRows} rows over ${partitions().length} partitions; median of ${RUNS} runs after a warm-up`)
  try {
    if (db) {
      let root = ''
      await section('dataset', async () => {
        root = await writeDataset(db, work)
      })
      if (wanted('write')) await section('write', () => writeRows(db, work, rows, extra))
      if (wanted('read')) await section('read', () => readRows(db, root, rows))
      if (wanted('cli')) await section('cli', () => cliRows(root, work, rows))
    }
    if (wanted('memory')) await section('memory', () => memoryRows(work, rows, extra))
    if (wanted('s3')) await section('s3', () => s3Rows(rows, extra))
    if (wanted('migrate')) await section('migrate', () => migrateRows(work, rows, extra))
    if (wanted('table')) {
      await section('table', async () => {
        await snapshotLoad(rows, RUNS, log)
        await commitThroughput(rows, extra, log)
      })
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }

  process.stdout.write(`\n${markdownTable(rows)}\n\n`)
  for (const r of rows) if (r.note) process.stdout.write(`- ${r.sub ? '↳ ' : ''}${r.name}: ${r.note}\n`)
  for (const [key, value] of Object.entries(extra)) process.stdout.write(`- ${key}: ${JSON.stringify(value)}\n`)
  process.stdout.write(`- seconds per section: ${Object.entries(sectionSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
  const out = join(repo, 'bench-results.json')
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, duckdb: String(duckVersion) }
  const results = { machine, rowsTotal: totalRows, runs: RUNS, sectionSeconds, rows: rows.map((r) => ({ ...r, ratio: ratio(r), met: met(r) })), extra }
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`)
  log(`wrote ${out}`)
}

await main()
