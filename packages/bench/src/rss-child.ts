// Runs one operation in a fresh process and prints its peak RSS, so memory is measured alone.
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
process.stdout.write(`${JSON.stringify({ mode, rows, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`)
