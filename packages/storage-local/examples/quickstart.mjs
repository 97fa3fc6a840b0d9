// The quick start: write a small season of plays partitioned by season/week, read some back.
// Run from the repository root after `pnpm install` (the root `pnpm start` builds and runs it).
import { getStorage, Partition } from '@cfb/storage-core'

const storage = await getStorage({ ...process.env, CFB_MODEL_DATA_ROOT: process.env.CFB_MODEL_DATA_ROOT ?? './data' })
const teams = ['Georgia', 'Michigan', 'Texas', 'Oregon', 'Alabama', 'Ohio State']
const started = performance.now()
let written = 0
for (const season of [2023, 2024]) {
  for (let week = 1; week <= 15; week++) {
    const plays = Array.from({ length: 2_000 }, (_, i) => ({
      play_id: season * 1_000_000 + week * 10_000 + i,
      offense: teams[(i + week) % teams.length],
      defense: teams[(i + week + 1) % teams.length],
      down: (i % 4) + 1,
      distance: 1 + ((i * 7) % 15),
      yards: ((i * 13) % 31) - 5,
      epa: Math.round(Math.sin(i) * 1000) / 1000,
      wallclock: new Date(Date.UTC(season, 8, week * 7, 18, 0, i % 3600)),
    }))
    written += await storage.write('plays', plays, new Partition({ season, week }))
  }
}
const wroteMs = performance.now() - started

const t0 = performance.now()
const rows = await storage.readIndex(
  'plays',
  { season: 2024, week: [1, 2], yards: { gte: 20 } },
  { columns: ['play_id', 'offense', 'yards', 'epa', 'week'] },
)
const readMs = performance.now() - t0

console.log(`backend: ${storage.name}  root: ${storage.root()}`)
console.log(`wrote ${written} plays in 30 partitions in ${wroteMs.toFixed(0)} ms`)
console.log(`read ${rows.length} plays (season 2024, weeks 1-2, yards >= 20) in ${readMs.toFixed(0)} ms:`)
console.table(rows.slice(0, 8))
