// Peak RSS of a write and of a whole-dataset scan, each in a process of its own, at 1x and 4x rows.
import { execFile } from 'node:child_process'
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { here, log, millions, perPartition } from './config.js'
import type { BenchRow } from './report.js'

const run = promisify(execFile)

interface ChildResult {
  rows: number
  ms: number
  maxRssMB: number
  baselineMB: number
  maxLiveHeapMB: number
}

async function childRss(mode: 'write' | 'write-live' | 'records' | 'scan' | 'scan-live' | 'partition-heap', root: string, rowsPerPartition: number, nodeFlags: string[] = []) {
  const { stdout } = await run(process.execPath, [...nodeFlags, join(here, 'rss-child.js'), mode, root, String(rowsPerPartition)], { maxBuffer: 1 << 20 })
  return JSON.parse(stdout) as ChildResult
}

/** The median peak of three processes of their own: a peak moves with when V8 collects. */
async function medianRss(child: () => Promise<ChildResult>) {
  const runs = []
  for (let i = 0; i < 3; i++) runs.push(await child())
  runs.sort((a, b) => a.maxRssMB - b.maxRssMB)
  return { ...runs[1]!, runsMB: runs.map((r) => Math.round(r.maxRssMB)) }
}

const scanRss = (root: string, nodeFlags: string[] = []) => medianRss(() => childRss('scan', root, 0, nodeFlags))

/** The bytes of the largest partition's data files. */
async function largestPartitionBytes(table: string): Promise<number> {
  let largest = 0
  for (const season of await readdir(table)) {
    if (!season.includes('=')) continue
    for (const week of await readdir(join(table, season))) {
      let bytes = 0
      for (const file of await readdir(join(table, season, week))) bytes += (await stat(join(table, season, week, file))).size
      largest = Math.max(largest, bytes)
    }
  }
  return largest
}

/**
 * Old-generation cap for the bounded scans: V8 sizes its heap to its garbage, not to what is live,
 * so a peak RSS alone does not tell whether a scan holds the dataset. One that does cannot finish
 * under a cap that a small dataset fits in.
 */
const SCAN_OLD_SPACE_MB = 48
/**
 * Flat: at 4x the rows (each partition 4x larger), a scan's peak RSS at most this many times the
 * 1x one's. A write's peak at most this many times that of its control, the same records made and
 * dropped without a write: a write bounded by one partition's data adds little to what the
 * caller's records cost, and 4x larger partitions make those records alone grow V8's heap.
 */
const FLAT = 1.25

export async function memoryRows(work: string, rows: BenchRow[], extra: Record<string, unknown>): Promise<void> {
  const scans: number[] = []
  const writes: number[] = []
  for (const multiple of [1, 4]) {
    const root = join(work, `rss-${multiple}`)
    // Each write starts from no table; the last one's is what the scans read.
    const w = await medianRss(async () => {
      await rm(root, { recursive: true, force: true })
      return childRss('write', root, perPartition * multiple)
    })
    const alone = await medianRss(() => childRss('records', root, perPartition * multiple))
    const partition = await childRss('partition-heap', root, perPartition * multiple, ['--expose-gc'])
    const writeLive = await childRss('write-live', `${root}-live`, perPartition * multiple, ['--expose-gc'])
    await rm(`${root}-live`, { recursive: true, force: true })
    const fileBytes = await largestPartitionBytes(join(root, 'plays'))
    const s = await scanRss(root)
    const capped = await scanRss(root, [`--max-old-space-size=${SCAN_OLD_SPACE_MB}`])
    const live = await childRss('scan-live', root, 0, ['--expose-gc'])
    scans.push(s.maxRssMB)
    const size = millions(w.rows)
    writes.push(w.maxRssMB)
    rows.push({
      name: `peak RSS: write of a ${size}-row table (165 write calls)`,
      unit: 'MB',
      ours: w.maxRssMB,
      peer: alone.maxRssMB,
      peerName: 'the same records made and dropped, no write',
      target: FLAT,
      note: `medians of 3 processes each (write ${w.runsMB.join(', ')} MB; records alone ${alone.runsMB.join(', ')} MB); ${multiple === 1 ? '' : `${(w.maxRssMB / writes[0]!).toFixed(2)}x the ${millions(w.rows / multiple)}-row write; `}idle process ${w.baselineMB.toFixed(0)} MB; one partition's records ${partition.maxLiveHeapMB.toFixed(1)} MB of heap, its files ${(fileBytes / 2 ** 20).toFixed(2)} MB on disk; live heap after full GCs at most ${writeLive.maxLiveHeapMB.toFixed(1)} MB`,
    })
    rows.push({
      name: `peak RSS: full scan, ${size} rows`,
      unit: 'MB',
      ours: s.maxRssMB,
      ...(multiple === 1 ? { peerName: '—' } : { peer: scans[0]!, peerName: `the ${millions(w.rows / multiple)}-row scan`, target: FLAT }),
      note: `median of 3 processes (${s.runsMB.join(', ')} MB); ${capped.maxRssMB.toFixed(0)} MB under --max-old-space-size=${SCAN_OLD_SPACE_MB}; live heap after full GCs at most ${live.maxLiveHeapMB.toFixed(1)} MB`,
    })
    extra[`rss_${multiple}x`] = {
      rows: w.rows,
      writeMaxRssMB: w.maxRssMB,
      writeMaxRssRunsMB: w.runsMB,
      recordsAloneMaxRssMB: alone.maxRssMB,
      recordsAloneMaxRssRunsMB: alone.runsMB,
      writeBaselineMB: w.baselineMB,
      writeMaxLiveHeapMB: writeLive.maxLiveHeapMB,
      partitionHeapMB: partition.maxLiveHeapMB,
      largestPartitionFileBytes: fileBytes,
      scanMaxRssMB: s.maxRssMB,
      scanMaxRssRunsMB: s.runsMB,
      scanMs: s.ms,
      [`scanMaxRssMB_oldSpace${SCAN_OLD_SPACE_MB}`]: capped.maxRssMB,
      [`scanMs_oldSpace${SCAN_OLD_SPACE_MB}`]: capped.ms,
      scanMaxLiveHeapMB: live.maxLiveHeapMB,
    }
    log(
      `peak RSS at ${w.rows} rows: write ${w.maxRssMB.toFixed(0)} MB (runs ${w.runsMB.join(', ')}; the records alone ${alone.maxRssMB.toFixed(0)} MB, runs ${alone.runsMB.join(', ')}; idle ${w.baselineMB.toFixed(0)}, one partition ${partition.maxLiveHeapMB.toFixed(1)} MB of heap, live heap at most ${writeLive.maxLiveHeapMB.toFixed(1)} MB); ` +
        `scan ${s.maxRssMB.toFixed(0)} MB (runs ${s.runsMB.join(', ')}), ${capped.maxRssMB.toFixed(0)} MB with --max-old-space-size=${SCAN_OLD_SPACE_MB}; ` +
        `live heap after a full GC at most ${live.maxLiveHeapMB.toFixed(1)} MB`,
    )
    await rm(root, { recursive: true, force: true })
  }
}
