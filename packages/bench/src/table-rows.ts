// Rows about the Delta log itself: commits from concurrent writers, and loading a large table's
// snapshot with and without a checkpoint.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalStorage } from '@cfb/storage-local'
import type { BenchRow } from './report.js'
import { median } from './timing.js'

const WRITERS = 8
const APPENDS = 25

/** 8 writers, each with its own backend, appending 25 batches to one table at once. */
export async function commitThroughput(extra: Record<string, unknown>, log: (text: string) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cfb-bench-commits-'))
  try {
    const started = performance.now()
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const storage = new LocalStorage({ root })
        for (let b = 0; b < APPENDS; b++) {
          await storage.write('events', [{ writer: w, batch: b, at: new Date() }], { day: 1 }, { overwrite: false })
        }
      }),
    )
    const ms = performance.now() - started
    const reader = new LocalStorage({ root })
    const rows = await reader.readIndex('events')
    const versions = (await reader.history('events')).map((h) => h.version)
    const contiguous = versions.every((v, i) => v === i)
    const lost = WRITERS * APPENDS - rows.length
    extra.commitThroughputLocal = { writers: WRITERS, appends: WRITERS * APPENDS, ms: Math.round(ms), commitsPerSecond: Number(((WRITERS * APPENDS) / (ms / 1000)).toFixed(1)), lost, versions: versions.length, contiguous }
    log(`commits: ${WRITERS} writers x ${APPENDS} appends on local in ${ms.toFixed(0)} ms, ${((WRITERS * APPENDS) / (ms / 1000)).toFixed(1)} commits/s, lost ${lost}, versions contiguous: ${contiguous}`)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

const FILES = 10_000

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
    const load = async () => {
      const fresh = new LocalStorage({ root })
      const info = await fresh.schema('big')
      if (info.version !== 10) throw new Error(`expected version 10, got ${info.version}`)
    }
    const withCheckpoint = await median(runs, load)
    await storage.delete(['big/_delta_log/00000000000000000010.checkpoint.parquet', 'big/_delta_log/_last_checkpoint'])
    const withoutCheckpoint = await median(runs, load)
    log(`snapshot of ${FILES + 10} files: ${withCheckpoint.ms.toFixed(1)} ms from the checkpoint, ${withoutCheckpoint.ms.toFixed(1)} ms replaying 11 commits`)
    rows.push({
      name: `snapshot load, ${FILES.toLocaleString('en')}-file table (cold process state)`,
      unit: 'ms',
      ours: withCheckpoint.ms,
      peer: withoutCheckpoint.ms,
      peerName: 'the same table without its checkpoint (11 commits replayed)',
      target: 1,
    })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
