// Runs one operation in a fresh process and prints its peak RSS, so memory is measured alone.
import { readFileSync } from 'node:fs'
import { LocalStorage } from '@cfb/storage-local'
import { partitions, playsPartition } from './plays.js'

const [mode, root, perPartition] = process.argv.slice(2)
const storage = new LocalStorage({ root: root! })
const baselineMB = peakRssMB()
const started = performance.now()
let rows = 0
let liveMB = 0
if (mode === 'write' || mode === 'write-live') {
  // Each partition is generated, written and dropped: the dataset never sits in memory whole.
  // write-live (with --expose-gc) samples the heap the write keeps alive, as scan-live does.
  const sampler = mode === 'write-live' ? liveHeapSampler() : undefined
  for (const { season, week } of partitions()) {
    rows += await storage.write('plays', playsPartition(season, week, Number(perPartition)), { season, week })
  }
  if (sampler) clearInterval(sampler)
} else if (mode === 'records') {
  // The write's control: the same partitions generated, held across a turn of the event loop and
  // dropped, with no write. What V8 keeps of the caller's own records is not the writer's memory.
  for (const { season, week } of partitions()) {
    const records = playsPartition(season, week, Number(perPartition))
    await new Promise((resolve) => setImmediate(resolve))
    rows += records.length
  }
} else if (mode === 'partition-heap') {
  // One partition's records as the write holds them: the heap they take, after full GCs (--expose-gc).
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('partition-heap needs node --expose-gc')
  collect()
  const before = process.memoryUsage().heapUsed
  const held = playsPartition(partitions()[0]!.season, 1, Number(perPartition))
  collect()
  liveMB = (process.memoryUsage().heapUsed - before) / 2 ** 20
  rows = held.length
} else if (mode === 'scan-live') {
  // The heap a scan keeps alive, without V8's headroom: a full GC every 25 ms (run with
  // --expose-gc). Timers run at the scan's awaits, so this samples inside row groups too.
  const sampler = liveHeapSampler()
  for await (const batch of storage.scan('plays')) rows += batch.length
  clearInterval(sampler)
} else {
  for await (const batch of storage.scan('plays')) rows += batch.length
}
const ms = performance.now() - started
process.stdout.write(`${JSON.stringify({ mode, rows, ms, maxRssMB: peakRssMB(), baselineMB, maxLiveHeapMB: liveMB })}\n`)

/** A full GC every 25 ms (node --expose-gc), keeping the largest heap left alive in `liveMB`. */
function liveHeapSampler(): NodeJS.Timeout {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error(`${mode} needs node --expose-gc`)
  return setInterval(() => {
    collect()
    liveMB = Math.max(liveMB, process.memoryUsage().heapUsed / 2 ** 20)
  }, 25)
}

/**
 * This process's own peak RSS. Spawned by the bench (with DuckDB loaded), getrusage's maxrss
 * (process.resourceUsage) came out as the bench process's RSS, the same for every child; Linux's
 * VmHWM belongs to this process's own memory map.
 */
function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1]) / 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024
}
