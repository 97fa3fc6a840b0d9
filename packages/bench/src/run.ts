// pnpm bench: each row is our figure and a peer's, measured in the same run on the same data.
import { execFile, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { LocalStorage } from '@cfb/storage-local'
import { S3Storage } from '@cfb/storage-s3'
import { type S3TestServer, startRecordingProxy, startS3Server } from '@cfb/test-servers'
import { parquetMetadata } from 'hyparquet'
import { duckdb, hiveGlob } from './duckdb.js'

type DuckDb = Awaited<ReturnType<typeof duckdb>>
import { partitions, playsPartition, SEASONS } from './plays.js'
import { type BenchRow, markdownTable, ratio } from './report.js'
import { commitThroughput, snapshotLoad } from './table-rows.js'
import { alternatingMedians, median } from './timing.js'

const run = promisify(execFile)
const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..', '..')
const ROWS = Number(process.env.CFB_BENCH_ROWS ?? 1_000_000)
const RUNS = Number(process.env.CFB_BENCH_RUNS ?? 5)
const SECTIONS = ['write', 'read', 'memory', 's3', 'migrate', 'table']
/** `CFB_BENCH_ONLY=read,migrate` runs only those sections (the reads run on the written dataset). */
const ONLY = process.env.CFB_BENCH_ONLY?.split(',').map((s) => s.trim())
for (const section of ONLY ?? []) {
  if (!SECTIONS.includes(section)) throw new Error(`CFB_BENCH_ONLY: ${JSON.stringify(section)} is none of ${SECTIONS.join(', ')}`)
}
const wanted = (section: string) =>
  ONLY === undefined || ONLY.includes(section) || (section === 'write' && ONLY.includes('read'))
const perPartition = Math.ceil(ROWS / partitions().length)
const log = (text: string) => process.stderr.write(`${text}\n`)
/** `CFB_BENCH_CPU_PROF=dir`: our CLI runs write V8 CPU profiles there (for `node --cpu-prof` analysis). */
const profileFlags = process.env.CFB_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CFB_BENCH_CPU_PROF}`] : []

async function childRss(mode: 'write' | 'scan' | 'scan-live', root: string, rowsPerPartition: number, nodeFlags: string[] = []) {
  const { stdout } = await run(process.execPath, [...nodeFlags, join(here, 'rss-child.js'), mode, root, String(rowsPerPartition)], {
    maxBuffer: 1 << 20,
  })
  return JSON.parse(stdout) as { rows: number; ms: number; maxRssMB: number; maxLiveHeapMB: number }
}

/** The median of three scans in processes of their own: a peak moves with when V8 collects. */
async function scanRss(root: string, nodeFlags: string[] = []) {
  const scans = []
  for (let i = 0; i < 3; i++) scans.push(await childRss('scan', root, 0, nodeFlags))
  scans.sort((a, b) => a.maxRssMB - b.maxRssMB)
  return { ...scans[1]!, runsMB: scans.map((r) => Math.round(r.maxRssMB)) }
}

async function smallFiles(root: string, count: number): Promise<number> {
  let bytes = 0
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'raw', `season=${2000 + (i % 25)}`, `week=${1 + (Math.floor(i / 25) % 15)}`)
    await mkdir(dir, { recursive: true })
    const body = JSON.stringify({ id: i, payload: 'x'.repeat(200 + (i % 1800)) })
    bytes += body.length
    await writeFile(join(dir, `game-${i}.json`), body)
  }
  return bytes
}

function ensureRclone(): boolean {
  if (spawnSync('rclone', ['version']).status === 0) return true
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
    log('rclone is missing: installing Debian rclone (the migrate peer)')
    spawnSync('apt-get', ['install', '-y', 'rclone'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  return spawnSync('rclone', ['version']).status === 0
}

/** The write, read and peak-memory rows: a generated dataset against DuckDB. */
async function datasetRows(db: DuckDb, work: string, rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  // ---------------------------------------------------------------- write
  // One table with its partition columns, split by both sides: DuckDB's PARTITION_BY, our writePartitioned.
  const records = partitions().flatMap(({ season, week }) =>
    playsPartition(season, week, perPartition).map((row) => ({ season, week, ...row })),
  )
  const oursRoot = join(work, 'ours')
  const storage = new LocalStorage({ root: oursRoot })
  // A first write makes the files DuckDB loads its table from; the timed ones overwrite them.
  await storage.writePartitioned('plays', records, ['season', 'week'])
  await db.run(`CREATE TABLE plays AS SELECT * FROM ${hiveGlob(oursRoot, 'plays')}`)
  const duckRoot = join(work, 'duck')
  // Alternating, as the migrate row: load from elsewhere that comes and goes falls on both alike.
  const write = await alternatingMedians(
    RUNS,
    () => storage.writePartitioned('plays', records, ['season', 'week']),
    () => db.run(`COPY plays TO '${duckRoot}' (FORMAT PARQUET, COMPRESSION SNAPPY, PARTITION_BY (season, week), OVERWRITE_OR_IGNORE)`),
  )
  rows.push({ name: 'partitioned write, local, snappy', unit: 'ms', ours: write.a, peer: write.b, peerName: 'DuckDB COPY', target: 1.5 })
  records.length = 0
  log(`write: ours ${write.a.toFixed(0)} ms, DuckDB ${write.b.toFixed(0)} ms (medians of ${RUNS}, alternating)`)

  // ----------------------------------------------------------------- reads
  const season = SEASONS[6]!
  const reader = () => new LocalStorage({ root: oursRoot })
  const glob = hiveGlob(oursRoot, 'plays')
  const readCases: { name: string; ours: () => Promise<number>; sql: string }[] = [
    {
      name: 'read one partition, 3 columns',
      ours: async () => (await reader().readIndex('plays', { season, week: 7 }, { columns: ['play_id', 'yards_gained', 'ppa'] })).length,
      sql: `SELECT play_id, yards_gained, ppa FROM ${glob} WHERE season = ${season} AND week = 7`,
    },
    {
      name: 'read week = 3 across all seasons (prunes 154 of 165)',
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
  for (const c of wanted('read') ? readCases : []) {
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
      target: 1,
      note: `${ours.result} rows; DuckDB with rows left inside: ${inside.ms.toFixed(1)} ms`,
    })
    log(`${c.name}: ours ${ours.ms.toFixed(1)} ms, DuckDB ${peer.ms.toFixed(1)} ms (${ours.result} rows)`)
  }
  await memoryRows(work, extra)
}

/**
 * Old-generation cap for the bounded scans: V8 sizes its heap to its garbage, not to what is live,
 * so a peak RSS alone does not tell whether a scan holds the dataset. One that does cannot finish
 * under a cap that a small dataset fits in.
 */
const SCAN_OLD_SPACE_MB = 48

/** Peak RSS of a write and of a whole-dataset scan, each in a process of its own, at 1x and 4x. */
async function memoryRows(work: string, extra: Record<string, unknown>): Promise<void> {
  for (const multiple of wanted('memory') ? [1, 4] : []) {
    const root = join(work, `rss-${multiple}`)
    const w = await childRss('write', root, perPartition * multiple)
    const s = await scanRss(root)
    const capped = await scanRss(root, [`--max-old-space-size=${SCAN_OLD_SPACE_MB}`])
    const live = await childRss('scan-live', root, 0, ['--expose-gc'])
    extra[`rss_${multiple}x`] = {
      rows: w.rows,
      writeMaxRssMB: w.maxRssMB,
      scanMaxRssMB: s.maxRssMB,
      scanMaxRssRunsMB: s.runsMB,
      scanMs: s.ms,
      [`scanMaxRssMB_oldSpace${SCAN_OLD_SPACE_MB}`]: capped.maxRssMB,
      [`scanMs_oldSpace${SCAN_OLD_SPACE_MB}`]: capped.ms,
      scanMaxLiveHeapMB: live.maxLiveHeapMB,
    }
    log(
      `peak RSS at ${w.rows} rows: write ${w.maxRssMB.toFixed(0)} MB; scan ${s.maxRssMB.toFixed(0)} MB (runs ${s.runsMB.join(', ')}), ` +
        `${capped.maxRssMB.toFixed(0)} MB with --max-old-space-size=${SCAN_OLD_SPACE_MB} (runs ${capped.runsMB.join(', ')}); ` +
        `live heap after a full GC at most ${live.maxLiveHeapMB.toFixed(1)} MB`,
    )
    await rm(root, { recursive: true, force: true })
  }
}

/** Filtered read over S3: requests and bytes against the least a reader must fetch. */
async function filteredRead(server: S3TestServer, rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const season = SEASONS[6]!
  const proxy = await startRecordingProxy(server.endpoint)
  // The test server has no conditional create: this bench is the table's only writer.
  const s3opts = { bucket: 'bench', prefix: 'filtered', forcePathStyle: true, credentials: server.credentials, capabilities: server.quirks, singleWriter: true }
  const s3writer = new S3Storage({ ...s3opts, endpoint: server.endpoint })
  await s3writer.write('plays', playsPartition(season, 7, perPartition), { season, week: 7 })
  const file = (await s3writer.listFiles('plays/')).find((k) => k.endsWith('.parquet'))!
  const bytes = await s3writer.readBytes(file)
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  const columns = ['play_id', 'yards_gained', 'ppa']
  const chunkBytes = metadata.row_groups
    .flatMap((g) => g.columns)
    .filter((c) => columns.includes(c.meta_data!.path_in_schema[0]!))
    .reduce((sum, c) => sum + Number(c.meta_data!.total_compressed_size), 0)
  const footer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true) + 8
  const s3reader = new S3Storage({ ...s3opts, endpoint: proxy.endpoint })
  proxy.reset()
  await s3reader.readIndex('plays', { season, week: 7 }, { columns })
  const fetched = proxy.requests.reduce((sum, r) => sum + r.bytes, 0)
  // Everything but the listing: the log's version file and the data file (footer + chunks).
  const read = proxy.requests.filter((r) => !r.url.includes('list-type=2')).reduce((sum, r) => sum + r.bytes, 0)
  rows.push({ name: 'filtered read over S3: requests', unit: 'req', ours: proxy.requests.length, peer: 3, peerName: 'minimum: list + footer + chunks', target: 4 / 3, note: 'ours: list the log, its one version, the footer, the chunks' })
  rows.push({ name: 'filtered read over S3: bytes (log + file)', unit: 'B', ours: read, peer: footer + chunkBytes, peerName: 'minimum: footer + 3 column chunks', target: 1.25, note: `all responses ${fetched} B` })
  extra.filteredRead = { requests: proxy.requests.map((r) => `${r.method} ${decodeURIComponent(r.url).slice(0, 100)} ${r.bytes}`) }
  s3writer.close()
  s3reader.close()
  await proxy.stop()
}

/** The rows against an S3 test server: the filtered read and the migrate against rclone. */
async function serverRows(work: string, rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const server = await startS3Server('fauxqs')
  await server.createBucket('bench')
  const s3env = {
    ...process.env,
    CFB_S3_ENDPOINT: server.endpoint,
    CFB_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  try {
    if (wanted('s3')) await filteredRead(server, rows, extra)
    if (!wanted('migrate')) return
    // Migrate 5,300 small files: the CLI against rclone, to the same server.
    const files = join(work, 'small')
    const fileBytes = await smallFiles(files, 5300)
    const bin = join(repo, 'packages', 'storage-cli', 'dist', 'bin.js')
    let n = 0
    const ours = async () => {
      n++
      await run(process.execPath, [...profileFlags, bin, 'migrate', '--from', `local:${files}`, '--to', `s3://bench/ours-${n}`, '--concurrency', '16', '--json'], { env: s3env })
    }
    if (ensureRclone()) {
      // A CA bundle meant for HTTPS makes rclone refuse to build its plain-HTTP client.
      const { AWS_CA_BUNDLE: _ca, ...inherited } = process.env
      const rcloneEnv = {
        ...inherited,
        RCLONE_CONFIG_BENCH_TYPE: 's3',
        RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
        RCLONE_CONFIG_BENCH_ENDPOINT: server.endpoint,
        RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: server.credentials.accessKeyId,
        RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
      }
      let m = 0
      const peer = async () => {
        m++
        await run('rclone', ['copy', files, `bench:bench/rclone-${m}`, '--transfers', '16', '--checkers', '16'], { env: rcloneEnv })
      }
      // Each run copies into an empty prefix of the same server, both processes started afresh.
      const ms = await alternatingMedians(RUNS, ours, peer)
      rows.push({ name: 'migrate 5,300 small files local -> S3 test server', unit: 'ms', ours: ms.a, peer: ms.b, peerName: 'rclone copy --transfers 16', target: 1, note: `${fileBytes} bytes` })
      log(`migrate: ours ${ms.a.toFixed(0)} ms, rclone ${ms.b.toFixed(0)} ms (medians of ${RUNS}, alternating)`)
    } else {
      log('rclone is not installed: the migrate row has no peer')
      extra.migrateOursMs = (await median(RUNS, ours)).ms
    }
  } finally {
    await server.stop()
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'cfb-bench-'))
  const rows: BenchRow[] = []
  const extra: Record<string, unknown> = {}
  const db = wanted('write') ? await duckdb() : undefined
  const duckVersion = db ? (await db.runAndReadAll('select version() as v')).getRowObjects()[0]!.v : 'not started'
  log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, DuckDB ${duckVersion}`)
  log(`dataset: plays, ${perPartition * partitions().length} rows over ${partitions().length} partitions; median of ${RUNS} runs after a warm-up`)
  try {
    if (db) await datasetRows(db, work, rows, extra)
    else await memoryRows(work, extra)
    if (wanted('s3') || wanted('migrate')) await serverRows(work, rows, extra)
    if (wanted('table')) {
      await snapshotLoad(rows, RUNS, log)
      await commitThroughput(extra, log)
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }

  const table = markdownTable(rows)
  process.stdout.write(`\n${table}\n\n`)
  for (const r of rows) if (r.note) process.stdout.write(`- ${r.name}: ${r.note}\n`)
  for (const [key, value] of Object.entries(extra)) process.stdout.write(`- ${key}: ${JSON.stringify(value)}\n`)
  const out = join(repo, 'bench-results.json')
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, duckdb: String(duckVersion) }
  await writeFile(out, `${JSON.stringify({ machine, rowsTotal: perPartition * partitions().length, runs: RUNS, rows: rows.map((r) => ({ ...r, ratio: ratio(r) })), extra }, null, 2)}\n`)
  log(`wrote ${out}`)
}

await main()

