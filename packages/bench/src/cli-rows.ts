// The CLI row: `cfb-storage read plays --format csv > file` against DuckDB's COPY to CSV, each a
// fresh process (its start counted), alternating.
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { RUNS, here, log, millions, profileFlags, repo, totalRows } from './config.js'
import type { BenchRow } from './report.js'
import { alternating } from './timing.js'

/** Runs a command with stdout into `out`; rejects on a non-zero exit with its stderr. */
async function runTo(command: string, args: string[], out: string): Promise<void> {
  const file = await open(out, 'w')
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', file.fd, 'pipe'] })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk
      })
      child.on('error', reject)
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`))))
    })
  } finally {
    await file.close()
  }
}

async function lines(path: string): Promise<number> {
  let n = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++
  }
  return n
}

export async function cliRows(root: string, work: string, rows: BenchRow[]): Promise<void> {
  const bin = join(repo, 'packages', 'storage-cli', 'dist', 'bin.js')
  const oursOut = join(work, 'ours.csv')
  const duckOut = join(work, 'duck.csv')
  const ours = () => runTo(process.execPath, [...profileFlags, bin, 'read', 'plays', '--backend', `local:${root}`, '--format', 'csv'], oursOut)
  const peer = () => runTo(process.execPath, [join(here, 'duckdb-copy-child.js'), root, duckOut], '/dev/null')
  const { medians } = await alternating(RUNS, [ours, peer])
  const [oursLines, duckLines] = [await lines(oursOut), await lines(duckOut)]
  if (oursLines !== duckLines || oursLines !== totalRows + 1) {
    throw new Error(`CSV row counts differ: ours ${oursLines - 1}, DuckDB ${duckLines - 1}, dataset ${totalRows}`)
  }
  rows.push({
    name: `cfb-storage read plays --format csv > file, ${millions(totalRows)} rows`,
    unit: 'ms',
    ours: medians[0]!,
    peer: medians[1]!,
    peerName: 'DuckDB COPY (SELECT *) TO csv, node child',
    target: 1.5,
    note: `both fresh processes, start counted; ${totalRows} rows each (checked)`,
  })
  log(`CLI csv: ours ${medians[0]!.toFixed(0)} ms, DuckDB ${medians[1]!.toFixed(0)} ms`)
  await rm(oursOut, { force: true })
  await rm(duckOut, { force: true })
}
