// The rows over S3 servers: requests and bytes of a filtered read, and reading one partition of a
// table of tens of thousands of partitions, each against the least the Delta log lets a reader fetch.
import { S3Storage } from '@cfb/storage-s3'
import { type S3TestServer, startRecordingProxy, startS3Server } from '@cfb/test-servers'
import { parquetMetadata } from 'hyparquet'
import { ROWS, log, perPartition } from './config.js'
import { playsPartition, SEASONS } from './plays.js'
import type { BenchRow } from './report.js'

const describe = (requests: { method: string; url: string; bytes: number; range?: string }[]) =>
  requests.map((r) => `${r.method} ${decodeURIComponent(r.url).replace(/^\/bench\//, '').slice(0, 90)}${r.range ? ` ${r.range}` : ''} ${r.bytes} B`)

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
  rows.push({ name: 'filtered read over S3: requests', unit: 'req', ours: proxy.requests.length, peer: 3, peerName: 'minimum: list + footer + chunks', target: 4 / 3, note: `ours: ${describe(proxy.requests).join('; ')}` })
  rows.push({ name: 'filtered read over S3: bytes (log + file)', unit: 'B', ours: read, peer: footer + chunkBytes, peerName: 'minimum: footer + 3 column chunks', target: 1.25, note: `all responses ${fetched} B` })
  extra.filteredRead = { requests: proxy.requests.map((r) => `${r.method} ${decodeURIComponent(r.url).slice(0, 100)} ${r.bytes}`) }
  s3writer.close()
  s3reader.close()
  await proxy.stop()
}

/**
 * Partitions of the large table: 20,000 at the default size, fewer in quick runs (moto writes about
 * 100 files a second); `CFB_BENCH_LARGE_PARTITIONS` sets it.
 */
const LARGE = Number(process.env.CFB_BENCH_LARGE_PARTITIONS ?? Math.min(20_000, Math.max(1000, Math.round(ROWS / 50))))
const B = 100
/** Appends after the one big write: the tenth version writes a checkpoint, as a table in use has. */
const APPENDS = 10

/** One partition of a table of LARGE one-row partitions on moto: a cold backend's requests, then a warm one's. */
async function largeTable(rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const moto = await startS3Server('moto')
  try {
    await moto.createBucket('bench')
    const options = { bucket: 'bench', prefix: 'large', region: moto.region, forcePathStyle: true, credentials: moto.credentials }
    const writer = new S3Storage({ ...options, endpoint: moto.endpoint })
    const started = performance.now()
    const records = Array.from({ length: LARGE }, (_, i) => ({ a: Math.floor(i / B), b: i % B, id: i, value: i / 7 }))
    await writer.writePartitioned('big', records, ['a', 'b'])
    for (let v = 1; v <= APPENDS; v++) await writer.write('big', [{ a: 0, b: 0, id: -v, value: 0 }], { a: 0, b: 0 }, { overwrite: false })
    const createMs = performance.now() - started
    log(`large table: ${LARGE} partitions written to moto in one writePartitioned + ${APPENDS} appends, ${(createMs / 1000).toFixed(1)} s`)
    const logFiles = (await writer.listFiles('big/_delta_log/')).map((k) => k.slice(k.lastIndexOf('/') + 1))
    writer.close()
    const checkpoint = Math.max(-1, ...logFiles.filter((f) => f.endsWith('.checkpoint.parquet')).map((f) => Number.parseInt(f, 10)))
    const newest = Math.max(...logFiles.filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number.parseInt(f, 10)))
    const after = newest - Math.max(checkpoint, -1)
    // The least a reader can do: one listing of the log (which finds the checkpoint, so no
    // _last_checkpoint GET), the checkpoint in one GET, each commit after it, and the data file
    // in one GET (the log records its size, so a small file needs no separate footer read).
    const minCold = 1 + (checkpoint >= 0 ? 1 : 0) + (checkpoint >= 0 ? after : newest + 1) + 1
    const minWarm = 2
    const proxy = await startRecordingProxy(moto.endpoint)
    const reader = new S3Storage({ ...options, endpoint: proxy.endpoint })
    const filter = { a: Math.floor(LARGE / B / 2), b: 42 }
    const read = async () => {
      proxy.reset()
      const t = performance.now()
      const got = await reader.readIndex('big', filter)
      if (got.length !== 1) throw new Error(`large table: read ${got.length} rows of partition ${JSON.stringify(filter)}, not 1`)
      return { ms: performance.now() - t, requests: [...proxy.requests] }
    }
    const cold = await read()
    const warm = await read()
    reader.close()
    await proxy.stop()
    const name = `read one partition of a ${LARGE.toLocaleString('en')}-partition table over S3 (moto)`
    rows.push({
      name: `${name}, cold`,
      unit: 'req',
      ours: cold.requests.length,
      peer: minCold,
      peerName: `minimum: list log + checkpoint + ${checkpoint >= 0 ? after : newest + 1} commit(s) + data file`,
      target: (minCold + 1) / minCold,
      note: `fresh backend, ${cold.ms.toFixed(0)} ms; ours: ${describe(cold.requests).join('; ')}`,
    })
    rows.push({
      name: `${name}, warm`,
      unit: 'req',
      ours: warm.requests.length,
      peer: minWarm,
      peerName: 'minimum: one request confirming the cached log (HEAD of the next commit, or a listing) + data file',
      target: (minWarm + 1) / minWarm,
      note: `same backend, second read, ${warm.ms.toFixed(0)} ms; ours: ${describe(warm.requests).join('; ')}`,
    })
    extra.largeTable = { partitions: LARGE, createMs: Math.round(createMs), logFiles, cold: describe(cold.requests), warm: describe(warm.requests), coldMs: Math.round(cold.ms), warmMs: Math.round(warm.ms) }
    log(`large table read: cold ${cold.requests.length} requests (min ${minCold}), warm ${warm.requests.length} (min ${minWarm})`)
  } finally {
    await moto.stop()
  }
}

export async function s3Rows(rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const server = await startS3Server('fauxqs')
  try {
    await server.createBucket('bench')
    await filteredRead(server, rows, extra)
  } finally {
    await server.stop()
  }
  await largeTable(rows, extra)
}
