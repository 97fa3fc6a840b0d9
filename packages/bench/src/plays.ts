import type { Row } from '@cfb/storage-core'

export const SEASONS = Array.from({ length: 11 }, (_, i) => 2014 + i)
export const WEEKS = Array.from({ length: 15 }, (_, i) => i + 1)
const TEAMS = ['Alabama', 'Georgia', 'Texas', 'Ohio State', 'Michigan', 'Oregon', 'LSU', 'Clemson', 'Utah', 'Miami', 'USC', 'Penn State']
const PLAY_TYPES = ['Rush', 'Pass Reception', 'Pass Incompletion', 'Sack', 'Punt', 'Kickoff', 'Penalty']

/** The bench's `plays` partition: 12 columns (ints, floats, strings, a timestamp), deterministic. */
export function playsPartition(season: number, week: number, rows: number): Row[] {
  let seed = season * 100 + week
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
    return seed / 4_294_967_296
  }
  const start = Date.UTC(season, 8, week * 7, 17)
  const out: Row[] = new Array(rows)
  for (let i = 0; i < rows; i++) {
    const yards = Math.floor(random() * 40) - 5
    out[i] = {
      play_id: season * 10_000_000 + week * 100_000 + i,
      game_id: season * 100_000 + week * 1_000 + Math.floor(i / 160),
      offense: TEAMS[(i + week) % TEAMS.length],
      defense: TEAMS[(i + week + 5) % TEAMS.length],
      down: 1 + (i % 4),
      distance: 1 + Math.floor(random() * 15),
      yard_line: 1 + Math.floor(random() * 98),
      yards_gained: yards,
      ppa: Math.round((yards / 10 + random() - 0.5) * 1000) / 1000,
      epa: random() * 6 - 3,
      play_type: PLAY_TYPES[Math.floor(random() * PLAY_TYPES.length)],
      wallclock: new Date(start + i * 20_000),
    }
  }
  return out
}

export function partitions(): { season: number; week: number }[] {
  return SEASONS.flatMap((season) => WEEKS.map((week) => ({ season, week })))
}
