// Rows about the Delta log itself: commits from concurrent writers, and loading a large table's
// snapshot with and without a checkpoint.
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StorageBackend } from '@cfb/storage-core'
import { LocalStorage } from '@cfb/storage-local'
import { S3Storage } from '@cfb/storage-s3'
import { startS3Server } from '@cfb/test-servers'
import type { BenchRow } from './report.js'
import { alternating } from './timing.js'

const WRITERS = 8
const APPENDS = 25

/** 8 writers, each with its own backend, appending 25 batches to one table at once. */
interface Race {
  writers: number
  appends: number
  ms: number
  commitsPerSecond: number
  lost: number
  versions: number
  contiguous: boolean
}

async function appendRace(open: () => StorageBackend): Promise<Race> {
  const started = performance.now()
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const storage = open()
      for (let b = 0; b < APPENDS; b++) {
        await storage.write('events', [{ writer: w, batch: b, at: new Date() }], { day: 1 }, { overwrite: false })
      }
    }),
  )
  const ms = performance.now() - started
  const reader = open()
  const rows = await reader.readIndex('events')
  const versions = (await reader.history('events')).map((h) => h.version)
  return {
    writers: WRITERS,
    appends: WRITERS * APPENDS,
    ms: Math.round(ms),
    commitsPerSecond: Number(((WRITERS * APPENDS) / (ms / 1000)).toFixed(1)),
    lost: WRITERS * APPENDS - rows.length,
    versions: versions.length,
    contiguous: versions.every((v, i) => v === i),
  }
}

/** A race as a row: commits per second, printed; met when no batch is lost and the versions are contiguous. */
function raceRow(where: string, race: Race): BenchRow {
  return {
    name: `${WRITERS} concurrent writers appending to one table, ${where}`,
    unit: 'commits/s',
    ours: race.commitsPerSecond,
    peerName: '—',
    targetText: 'no lost batch',
    met: race.lost === 0 && race.contiguous,
    note: `${race.appends} appends in ${race.ms} ms; lost ${race.lost}; ${race.versions} versions, ${race.contiguous ? 'contiguous' : 'NOT contiguous'}`,
  }
}

/** Commit throughput on local disk and on moto (the S3 test server that enforces conditional PUT). */
export async function commitThroughput(rows: BenchRow[], extra: Record<string, unknown>, log: (text: string) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cfb-bench-commits-'))
  try {
    const race = await appendRace(() => new LocalStorage({ root }))
    extra.commitThroughputLocal = race
    rows.push(raceRow('local', race))
    log(`commits, local: ${JSON.stringify(extra.commitThroughputLocal)}`)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const moto = await startS3Server('moto')
  try {
    await moto.createBucket('bench')
    const options = { bucket: 'bench', prefix: 'commits', endpoint: moto.endpoint, region: moto.region, forcePathStyle: true, credentials: moto.credentials }
    const opened: S3Storage[] = []
    const race = await appendRace(() => {
      const storage = new S3Storage(options)
      opened.push(storage)
      return storage
    })
    extra.commitThroughputMoto = race
    rows.push(raceRow('moto', race))
    for (const storage of opened) storage.close()
    log(`commits, moto: ${JSON.stringify(extra.commitThroughputMoto)}`)
  } finally {
    await moto.stop()
  }
}

const FILES = 10_000
/** Loads take tens of milliseconds: their rounds are repeated for about this long (see `alternating`). */
const ROUNDS_MS = 2000

/** Loading a 10,000-file table's snapshot from its checkpoint, against replaying its commits. */
export async function snapshotLoad(rows: BenchRow[], runs: number, log: (text: string) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cfb-bench-snapshot-'))
  try {
    const storage = new LocalStorage({ root })
    await storage.write('big', [{ id: 0 }], { part: 0 })
    // Version 1 adds 10,000 files at once (their bytes are never read by a snapshot load).
    const now = Date.now()
    const adds = Array.from({ length: FILES }, (_, i) =>
      JSON.stringify({ add: { path: `part=${i}/part-${i}.parquet`, partitionValues: { part: String(i) }, size: 1000, modificationTime: now, dataChange: true, stats: `{"numRecords":10,"minValues":{"id":${i}},"maxValues":{"id":${i + 9}},"nullCount":{"id":0}}` } }),
    )
    const commitInfo = JSON.stringify({ commitInfo: { timestamp: now, operation: 'WRITE', operationParameters: { mode: 'Append' } } })
    await storage.writeBytes('big/_delta_log/00000000000000000001.json', new TextEncoder().encode(`${commitInfo}\n${adds.join('\n')}\n`))
    // Nine more versions; the tenth commit writes a checkpoint.
    for (let v = 2; v <= 10; v++) await storage.write('big', [{ id: v }], { part: 0 }, { overwrite: false })
    // A copy without the checkpoint, so the two loads alternate (load from elsewhere falls on both).
    const replayRoot = `${root}-replay`
    await cp(root, replayRoot, { recursive: true })
    await new LocalStorage({ root: replayRoot }).delete(['big/_delta_log/00000000000000000010.checkpoint.parquet', 'big/_delta_log/_last_checkpoint'])
    const load = (at: string) => async () => {
      const fresh = new LocalStorage({ root: at })
      const info = await fresh.schema('big')
      if (info.version !== 10) throw new Error(`expected version 10, got ${info.version}`)
    }
    const { medians, rounds } = await alternating(runs, [load(root), load(replayRoot)], undefined, ROUNDS_MS)
    const [fromCheckpoint, replayed] = medians as [number, number]
    log(`snapshot of ${FILES + 10} files: ${fromCheckpoint.toFixed(1)} ms from the checkpoint, ${replayed.toFixed(1)} ms replaying 11 commits (medians of ${rounds} rounds, alternating)`)
    rows.push({
      name: `snapshot load, ${FILES.toLocaleString('en')}-file table (cold process state)`,
      unit: 'ms',
      ours: fromCheckpoint,
      peer: replayed,
      peerName: 'the same table without its checkpoint (11 commits replayed)',
      target: 1,
    })
  } finally {
    await rm(root, { recursive: true, force: true })
    await rm(`${root}-replay`, { recursive: true, force: true })
  }
}
