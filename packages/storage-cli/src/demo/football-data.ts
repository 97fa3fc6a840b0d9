import type { Row } from '@cfb/storage-core'

/** Conferences and their schools: enough for realistic names, ids and matchups. */
const CONFERENCES: Record<string, string[]> = {
  SEC: ['Alabama', 'Georgia', 'LSU', 'Texas', 'Oklahoma', 'Tennessee', 'Ole Miss', 'Missouri', 'Texas A&M', 'Auburn', 'Florida', 'Kentucky', 'South Carolina', 'Arkansas', 'Mississippi State', 'Vanderbilt'],
  'Big Ten': ['Ohio State', 'Michigan', 'Penn State', 'Oregon', 'USC', 'Washington', 'Iowa', 'Wisconsin', 'Nebraska', 'Minnesota', 'Illinois', 'Maryland', 'Rutgers', 'Indiana', 'Purdue', 'UCLA'],
  ACC: ['Clemson', 'Florida State', 'Miami', 'Louisville', 'North Carolina', 'NC State', 'Duke', 'Virginia Tech', 'SMU', 'Georgia Tech', 'Syracuse', 'Pittsburgh', 'Boston College', 'Virginia', 'Wake Forest', 'California'],
  'Big 12': ['Utah', 'Kansas State', 'Arizona', 'Oklahoma State', 'Iowa State', 'Kansas', 'TCU', 'Baylor', 'Texas Tech', 'BYU', 'UCF', 'Colorado', 'West Virginia', 'Cincinnati', 'Houston', 'Arizona State'],
}

const PLAY_TYPES = ['Rush', 'Pass Reception', 'Pass Incompletion', 'Sack', 'Punt', 'Field Goal Good', 'Kickoff', 'Penalty', 'Interception', 'Fumble Recovery (Own)']
const PLAY_WEIGHTS = [40, 26, 14, 3, 5, 2, 5, 3, 1, 1]

/** mulberry32: small, fast and deterministic, so the demo writes the same data every time. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface WeekData {
  season: number
  week: number
  games: Row[]
  plays: Row[]
  teamGames: Row[]
}

export interface Team extends Record<string, unknown> {
  team_id: number
  school: string
  conference: string
  abbreviation: string
}

export function teams(): Team[] {
  let id = 1
  return Object.entries(CONFERENCES).flatMap(([conference, schools]) =>
    schools.map((school) => ({
      team_id: id++,
      school,
      conference,
      abbreviation: school.replace(/[^A-Z]/g, '').slice(0, 4) || school.slice(0, 4).toUpperCase(),
    })),
  )
}

/**
 * One week of a synthetic season: every team plays once (32 games), about 165 plays a game, and
 * a box score per team. Ids, teams, conferences, scores, yards, play types, downs, distances and
 * timestamps are shaped like the ones a modelling pipeline reads.
 */
export function generateWeek(season: number, week: number, playsPerGame = 165): WeekData {
  const rand = random(season * 100 + week)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const all = teams()
  const order = [...all].sort(() => rand() - 0.5)
  const kickoff = Date.UTC(season, 7, 26 + (week - 1) * 7, 16, 0, 0)
  const games: Row[] = []
  const plays: Row[] = []
  const teamGames: Row[] = []
  for (let g = 0; g + 1 < order.length; g += 2) {
    const home = order[g]!
    const away = order[g + 1]!
    const gameId = season * 100_000 + week * 1_000 + g / 2
    const start = new Date(kickoff + Math.floor(rand() * 4) * 3 * 3_600_000)
    const stats = new Map([home, away].map((t) => [t.school, { points: 0, yards: 0, pass: 0, rush: 0, turnovers: 0, plays: 0 }]))
    const total = playsPerGame - 10 + Math.floor(rand() * 20)
    let offense = rand() < 0.5 ? home : away
    let down = 1
    let distance = 10
    let yardLine = 25
    for (let p = 0; p < total; p++) {
      const defense = offense === home ? away : home
      let weight = rand() * 100
      let typeIndex = 0
      while (weight > PLAY_WEIGHTS[typeIndex]!) weight -= PLAY_WEIGHTS[typeIndex++]!
      const playType = PLAY_TYPES[typeIndex]!
      const passing = playType.startsWith('Pass')
      const yards =
        playType === 'Rush' ? Math.round(-2 + rand() * rand() * 30)
        : playType === 'Pass Reception' ? Math.round(rand() * rand() * 55)
        : playType === 'Sack' ? -Math.round(1 + rand() * 9)
        : playType === 'Penalty' ? pick([-15, -10, -5, 5, 10, 15])
        : 0
      const scoring = yardLine + yards >= 100 || playType === 'Field Goal Good'
      const s = stats.get(offense.school)!
      s.plays++
      s.yards += yards
      if (passing) s.pass += yards
      if (playType === 'Rush') s.rush += yards
      if (playType === 'Interception' || playType.startsWith('Fumble')) s.turnovers++
      if (scoring) s.points += playType === 'Field Goal Good' ? 3 : 7
      const period = Math.min(4, 1 + Math.floor((p / total) * 4))
      plays.push({
        play_id: gameId * 1_000 + p,
        game_id: gameId,
        play_number: p + 1,
        period,
        clock_seconds: 900 - Math.floor(((p / total) * 4 - (period - 1)) * 900),
        offense: offense.school,
        offense_conference: offense.conference,
        defense: defense.school,
        defense_conference: defense.conference,
        down: playType === 'Kickoff' ? null : down,
        distance: playType === 'Kickoff' ? null : distance,
        yard_line: yardLine,
        yards_gained: yards,
        play_type: playType,
        ppa: playType === 'Kickoff' ? null : Math.round((yards / 10 - 0.2 + (rand() - 0.5)) * 1000) / 1000,
        scoring,
        wallclock: new Date(start.getTime() + Math.floor((p / total) * 3.4 * 3_600_000)),
      })
      const turnover = scoring || playType === 'Punt' || playType === 'Interception' || down === 4
      if (turnover) {
        offense = defense
        down = 1
        distance = 10
        yardLine = 25
      } else {
        yardLine = Math.max(1, Math.min(99, yardLine + yards))
        if (yards >= distance) {
          down = 1
          distance = Math.min(10, 100 - yardLine)
        } else {
          down++
          distance -= yards
        }
      }
    }
    const h = stats.get(home.school)!
    const a = stats.get(away.school)!
    games.push({
      game_id: gameId,
      start_date: start,
      neutral_site: rand() < 0.05,
      conference_game: home.conference === away.conference,
      home_team: home.school,
      home_conference: home.conference,
      home_points: h.points,
      away_team: away.school,
      away_conference: away.conference,
      away_points: a.points,
      attendance: 25_000 + Math.floor(rand() * 80_000),
      excitement_index: Math.round(rand() * 1000) / 100,
    })
    for (const [team, opponent, side] of [[home, away, 'home'], [away, home, 'away']] as const) {
      const mine = stats.get(team.school)!
      const theirs = stats.get(opponent.school)!
      teamGames.push({
        game_id: gameId,
        team: team.school,
        conference: team.conference,
        opponent: opponent.school,
        home_away: side,
        points: mine.points,
        opponent_points: theirs.points,
        total_yards: mine.yards,
        passing_yards: mine.pass,
        rushing_yards: mine.rush,
        turnovers: mine.turnovers,
        plays: mine.plays,
        win: mine.points > theirs.points,
      })
    }
  }
  return { season, week, games, plays, teamGames }
}
