// Writes and reads through getStorage() with only the CFB_S3_* settings, as an application would.
import { getStorage } from '@cfb/storage-core'

const storage = await getStorage()
const plays = [
  { play_id: 1, offense: 'Texas', yards: 12, epa: 0.41 },
  { play_id: 2, offense: 'Oregon', yards: -3, epa: -0.7 },
]
await storage.write('plays', plays, { season: 2024, week: 1 })
const rows = await storage.readIndex('plays', { season: 2024 }, { columns: ['play_id', 'offense', 'yards', 'epa'] })
console.log(JSON.stringify(rows.sort((a, b) => a.play_id - b.play_id)))
