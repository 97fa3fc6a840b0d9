// Runs one operation in a fresh process and prints its peak RSS, so memory is measured alone.
import { readFileSync } from 'node:fs'
import { LocalStorage } from '@cfb/storage-local'
import { partitions, playsPartition } from './plays.js'

const [mode, root, perPartition] = process.argv.slice(2)
const storage = new LocalStorage({ root: root! })
const started = performance.now()
let rows = 0
if (mode === 'write') {
  // Each partition is generated, written and dropped: the dataset never sits in memory whole.
  for (const { season, week } of partitions()) {
    rows += await storage.write('plays', playsPartition(season, week, Number(perPartition)), { season, week })
  }
} else {
  for await (const batch of storage.scan('plays')) rows += batch.length
}
const ms = performance.now() - started
process.stdout.write(`${JSON.stringify({ mode, rows, ms, maxRssMB: peakRssMB() })}\n`)

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
