// Deterministic rows for scripts/make-fixtures.mjs. Each column carries the DuckDB type it is
// written with and the JS type a hyparquet reader gives back, so expected.json follows from here.

/** DuckDB type -> how a JS reader sees it. BIGINT is Parquet INT64, which hyparquet reads as bigint. */
export const JS_TYPE = {
  BIGINT: 'bigint',
  INTEGER: 'number',
  DOUBLE: 'number',
  VARCHAR: 'string',
  BOOLEAN: 'boolean',
  TIMESTAMP: 'date',
}

// Legacy games as the Python pipeline wrote them from pandas: every int column is int64 (BIGINT).
export const GAMES_COLUMNS = {
  game_id: 'BIGINT',
  home_team: 'VARCHAR',
  away_team: 'VARCHAR',
  home_points: 'BIGINT',
  away_points: 'BIGINT',
  neutral_site: 'BOOLEAN',
  excitement: 'DOUBLE',
}

/** pandas dtypes, as `df.dtypes.astype(str)` recorded them in manifest.json. */
export const GAMES_PANDAS_SCHEMA = {
  game_id: 'int64',
  home_team: 'object',
  away_team: 'object',
  home_points: 'int64',
  away_points: 'int64',
  neutral_site: 'bool',
  excitement: 'float64',
}

const game = (game_id, home_team, away_team, home_points, away_points, neutral_site, excitement) => ({
  game_id,
  home_team,
  away_team,
  home_points,
  away_points,
  neutral_site,
  excitement,
})

// Non-ASCII, apostrophes and '&' check UTF-8 and CSV quoting; 5.0 checks an integral float.
export const GAMES_BY_WEEK = {
  1: [
    game(401520145, 'Georgia', 'UT Martin', 48, 7, false, 1.75),
    game(401520147, 'Michigan', 'East Carolina', 30, 3, false, 2.5),
    game(401520150, 'Florida State', 'LSU', 45, 24, true, 6.5),
    game(401520152, 'TCU', 'Colorado', 42, 45, false, 8.25),
    game(401520160, 'Notre Dame', 'Navy', 42, 3, true, 3.25),
  ],
  2: [
    game(401520201, 'Texas A&M', 'Miami', 33, 48, false, 7.125),
    game(401520203, 'Alabama', 'Texas', 24, 34, false, 9.5),
    game(401520207, "Hawai'i", 'Stanford', 20, 37, false, 4.1),
    game(401520210, 'San José State', 'Oregon State', 17, 42, false, 5),
    game(401520215, 'Ohio State', 'Youngstown State', 35, 7, true, 0.75),
  ],
  3: [
    game(401520301, 'Colorado', 'Nebraska', 36, 14, false, 6.75),
    game(401520305, 'Auburn', 'California', 14, 10, false, 5.5),
    game(401520308, 'Iowa', 'Iowa State', 20, 13, false, 7.25),
    game(401520311, 'Washington', 'Tulsa', 43, 10, false, 1.25),
    game(401520316, 'Miami (OH)', 'Cincinnati', 31, 24, true, 8.5),
  ],
}

export const GAMES_WRITE_TIME = {
  1: '2023-09-03T12:00:00Z',
  2: '2023-09-10T12:00:00Z',
  3: '2023-09-17T12:00:00Z',
}

// Plays for the codec fixtures: every common type, and nulls in three of them.
export const PLAYS_COLUMNS = {
  play_id: 'INTEGER',
  game_id: 'BIGINT',
  offense: 'VARCHAR',
  yards: 'INTEGER',
  epa: 'DOUBLE',
  is_scoring: 'BOOLEAN',
  wallclock: 'TIMESTAMP',
  penalty: 'VARCHAR',
}

const play = (play_id, game_id, offense, yards, epa, is_scoring, wallclock, penalty) => ({
  play_id,
  game_id,
  offense,
  yards,
  epa,
  is_scoring,
  wallclock,
  penalty,
})

// Wallclock strings are UTC; DuckDB TIMESTAMP has no zone and hyparquet reads it as UTC.
export const PLAYS = [
  play(1, 401520145, 'Georgia', 12, 0.85, false, '2023-09-02T23:00:05.000Z', null),
  play(2, 401520145, 'Georgia', -3, -0.42, false, '2023-09-02T23:00:41.250Z', 'holding'),
  play(3, 401520145, 'UT Martin', 0, null, false, '2023-09-02T23:01:30.000Z', null),
  play(4, 401520145, 'Georgia', 75, 6.125, true, '2023-09-02T23:02:10.500Z', null),
  play(5, 401520150, 'LSU', null, 0.0, false, '2023-09-03T23:30:00.000Z', 'false start'),
  play(6, 401520150, 'Florida State', 44, 3.5, true, null, null),
]

// The DuckDB-partitioned dataset: season and week live only in the folder names.
export const HIVE_PLAYS_COLUMNS = {
  play_id: 'INTEGER',
  game_id: 'BIGINT',
  offense: 'VARCHAR',
  yards: 'INTEGER',
  epa: 'DOUBLE',
  is_scoring: 'BOOLEAN',
  season: 'INTEGER',
  week: 'INTEGER',
}

const hivePlay = (play_id, game_id, offense, yards, epa, is_scoring, season, week) => ({
  play_id,
  game_id,
  offense,
  yards,
  epa,
  is_scoring,
  season,
  week,
})

export const HIVE_PLAYS = [
  hivePlay(101, 401403854, 'Georgia', 8, 0.31, false, 2022, 1),
  hivePlay(102, 401403854, 'Oregon', 25, 1.75, true, 2022, 1),
  hivePlay(103, 401403854, 'Georgia', -2, -0.5, false, 2022, 1),
  hivePlay(111, 401403870, 'Alabama', 4, 0.125, false, 2022, 2),
  hivePlay(112, 401403870, 'Texas', 60, 4.5, true, 2022, 2),
  hivePlay(201, 401520145, 'Georgia', 12, 0.85, false, 2023, 1),
  hivePlay(202, 401520145, 'UT Martin', 0, -1.25, false, 2023, 1),
  hivePlay(203, 401520150, 'LSU', 33, 2.25, true, 2023, 1),
  hivePlay(211, 401520203, 'Texas', 39, 3.75, true, 2023, 2),
  hivePlay(212, 401520203, 'Alabama', 5, 0.2, false, 2023, 2),
  hivePlay(213, 401520207, 'Stanford', null, null, false, 2023, 2),
]

export const CODECS = ['snappy', 'zstd', 'gzip', 'uncompressed']
