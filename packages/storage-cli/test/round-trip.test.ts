import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeParquet } from '@cfb/storage-core'
import { type CliEnv, type CliResult, cliEnv, expectExitCode, lines, makeTempDir, removeDir, runCli } from './support/cli.js'
import { BUCKET, useS3Server } from './support/s3.js'

// write → read/partitions/ls through the built bin, on local disk and on S3; doctor; --help.

const s3 = useS3Server()
let dir: string
let data: string
let local: string

const week1 = [
  { game_id: 401628374, home_team: 'Ohio State', away_team: 'Michigan', home_points: 30, away_points: 24, neutral: false },
  { game_id: 401628375, home_team: 'Texas', away_team: 'Oklahoma', home_points: 21, away_points: 28, neutral: true },
  { game_id: 401628376, home_team: 'Georgia', away_team: 'Alabama', home_points: 27, away_points: 24, neutral: false },
]
const week2 = [{ game_id: 401628390, home_team: 'Oregon', away_team: 'Washington', home_points: 49, away_points: 21, neutral: false }]
const season2023 = [{ game_id: 401520001, home_team: 'LSU', away_team: 'Florida State', home_points: 38, away_points: 45, neutral: true }]

const csv = (rows: Record<string, unknown>[]) => `${[Object.keys(rows[0]!).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\n')}\n`

/** Runs the bin and insists on exit 0 with nothing on stderr, showing both when it is not so. */
async function ok(args: string[], env: CliEnv = cliEnv()): Promise<CliResult> {
  const result = await runCli(args, { env })
  expectExitCode(result, 0)
  expect(result.stderr).toBe('')
  return result
}

beforeAll(async () => {
  dir = await makeTempDir('round-trip')
  data = join(dir, 'data')
  local = `local:${data}`
  await writeFile(join(dir, 'week1.csv'), csv(week1))
  await writeFile(join(dir, 'week2.ndjson'), week2.map((r) => JSON.stringify(r)).join('\n'))
  await writeFile(join(dir, '2023.json'), JSON.stringify(season2023))
})

afterAll(async () => {
  await removeDir(dir)
})

describe('round trip on local disk', () => {
  it('write takes csv, ndjson and json files into partitions', async () => {
    expect((await ok(['write', 'games', '--partition', 'season=2024,week=1', '--from', join(dir, 'week1.csv'), '--backend', local])).stdout).toBe(
      'wrote 3 rows to games/season=2024/week=1\n',
    )
    expect((await ok(['write', 'games', '-p', 'season=2024,week=2', '--from', join(dir, 'week2.ndjson'), '--backend', local])).stdout).toBe(
      'wrote 1 rows to games/season=2024/week=2\n',
    )
    const json = await ok(['--json', 'write', 'games', '-p', 'season=2023,week=1', '--from', join(dir, '2023.json'), '--backend', local])
    expect(JSON.parse(json.stdout)).toEqual({ entity: 'games', partition: { season: 2023, week: 1 }, rows: 1, mode: 'overwrite' })
  })

  it('write --partition-by splits a file by its columns into partitions', async () => {
    const rows = [...week1.map((r) => ({ ...r, season: 2022, week: 5 })), ...week2.map((r) => ({ ...r, season: 2022, week: 6 }))]
    await writeFile(join(dir, 'split.json'), JSON.stringify(rows))
    expect((await ok(['write', 'games_split', '--partition-by', 'season,week', '--from', join(dir, 'split.json'), '--backend', local])).stdout).toBe(
      'wrote 4 rows to games_split, partitioned by season, week\n',
    )
    expect((await ok(['partitions', 'games_split', '--backend', local])).stdout).toBe('season=2022/week=5\nseason=2022/week=6\n')
    const both = await runCli(['write', 'games_split', '-p', 'season=2022', '--partition-by', 'week', '--from', join(dir, 'split.json'), '--backend', local])
    expectExitCode(both, 2)
    expect(both.stderr).toMatch(/either --partition .* or --partition-by/)
  })

  it('read --filter --columns in json, csv and ndjson, and --limit', async () => {
    const columns = ['--columns', 'game_id,home_team,home_points']
    const asJson = await ok(['read', 'games', '--filter', 'season=2024', ...columns, '--format', 'json', '--backend', local])
    const expected = [...week1, ...week2].map(({ game_id, home_team, home_points }) => ({ game_id, home_team, home_points }))
    expect(JSON.parse(asJson.stdout)).toEqual(expected)

    const asCsv = await ok(['read', 'games', '--filter', 'season=2024', '--filter', 'week=1', ...columns, '--format', 'csv', '--backend', local])
    expect(asCsv.stdout).toBe('game_id,home_team,home_points\n401628374,Ohio State,30\n401628375,Texas,21\n401628376,Georgia,27\n')

    const asNdjson = await ok(['read', 'games', '--filter', 'season=2024', '--format', 'ndjson', '--limit', '2', '--backend', local])
    expect(lines(asNdjson.stdout).map((line) => JSON.parse(line))).toEqual(week1.slice(0, 2).map((r) => ({ ...r, season: 2024, week: 1 })))

    // Not a terminal: NDJSON by default; filters on a data column and IN lists work from the shell.
    const big = await ok(['read', 'games', '--filter', 'home_points>=30', '--filter', 'season=2023,2024', '--columns', 'game_id', '--backend', local])
    expect(big.stdout).toBe('{"game_id":401520001}\n{"game_id":401628374}\n{"game_id":401628390}\n')

    const none = await ok(['read', 'games', '--filter', 'season=1999', '--format', 'json', '--backend', local])
    expect(JSON.parse(none.stdout)).toEqual([])
  })

  it('read --out file.parquet writes Parquet that reads back, and that write accepts', async () => {
    const out = join(dir, 'season-2024.parquet')
    const read = await ok(['read', 'games', '--filter', 'season=2024', '--out', out, '--backend', local])
    expect(read.stdout).toBe('')
    const bytes = await readFile(out)
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1')
    const rows = await decodeParquet(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    expect(rows).toEqual([...week1.map((r) => ({ ...r, season: 2024, week: 1 })), ...week2.map((r) => ({ ...r, season: 2024, week: 2 }))])

    await ok(['write', 'games_copy', '--partition', 'season=2024', '--from', out, '--backend', local])
    const copy = await ok(['read', 'games_copy', '--format', 'json', '--columns', 'game_id,week,season', '--backend', local])
    expect(JSON.parse(copy.stdout)).toEqual(rows.map(({ game_id, week, season }) => ({ game_id, week, season })))
  })

  it('--append adds to a partition; a bad file fails and leaves the partition as it was', async () => {
    const appended = await ok(['write', 'games', '-p', 'season=2024,week=2', '--from', join(dir, 'week2.ndjson'), '--append', '--backend', local])
    expect(appended.stdout).toBe('appended 1 rows to games/season=2024/week=2\n')
    const count = async () => lines((await ok(['read', 'games', '--filter', 'season=2024', '--filter', 'week=2', '--backend', local])).stdout).length
    expect(await count()).toBe(2)

    // A row that says it belongs to another season: refused before anything is committed.
    await writeFile(join(dir, 'wrong.csv'), 'game_id,season\n1,2023\n')
    const refused = await runCli(['write', 'games', '-p', 'season=2024,week=2', '--from', join(dir, 'wrong.csv'), '--backend', local])
    expect(refused.code).not.toBe(0)
    expect(lines(refused.stderr)).toEqual([expect.stringMatching(/^cfb-storage: [A-Z_]+: .*season/)])
    expect(await count()).toBe(2)
  })

  it('partitions lists committed partitions, with filters and --json', async () => {
    expect((await ok(['partitions', 'games', '--backend', local])).stdout).toBe('season=2023/week=1\nseason=2024/week=1\nseason=2024/week=2\n')
    expect((await ok(['partitions', 'games', '--filter', 'week>=2', '--backend', local])).stdout).toBe('season=2024/week=2\n')
    expect(JSON.parse((await ok(['--json', 'partitions', 'games', '--filter', 'season=2024', '--backend', local])).stdout)).toEqual([
      { season: 2024, week: 1 },
      { season: 2024, week: 2 },
    ])
  })

  it('ls lists every object under a prefix, with sizes and as JSON', async () => {
    const keys = lines((await ok(['ls', 'games/', '--backend', local])).stdout)
    expect(keys.length).toBeGreaterThanOrEqual(7) // 4 part files + 3 log versions at least (append adds one of each)
    expect(keys.every((k) => k.startsWith('games/season=') || k.startsWith('games/_delta_log/'))).toBe(true)
    expect(keys.filter((k) => /^games\/_delta_log\/\d{20}\.json$/.test(k)).length).toBeGreaterThanOrEqual(3)
    expect(keys).toEqual([...keys].sort())

    const long = lines((await ok(['ls', '-l', 'games/season=2023/', '--backend', local])).stdout)
    expect(long).toEqual([expect.stringMatching(/^ +\d+ {2}games\/season=2023\/week=1\/part-\w+-0\.parquet$/)])

    const json = JSON.parse((await ok(['--json', 'ls', 'games/season=2023/week=1/part-', '--backend', local])).stdout) as { key: string; size: number }[]
    expect(json).toEqual([{ key: expect.stringMatching(/^games\/season=2023\/week=1\/part-/), size: expect.any(Number) }])
    expect(lines((await ok(['ls', 'nothing-here/', '--backend', local])).stdout)).toEqual([])
    // --json works after the command too.
    expect((await ok(['ls', 'games/season=2023/week=1/part-', '--backend', local, '--json'])).stdout).toBe(`${JSON.stringify(json)}\n`)
  })

  it('doctor prints the settings the spec puts in effect, reachable: yes and writable: yes, and leaves no probe behind', async () => {
    // The spec's root wins over the environment's, in the settings shown as in the backend opened.
    const doctor = await ok(['doctor', '--backend', local], cliEnv({ CFB_MODEL_DATA_ROOT: '/elsewhere' }))
    expect(lines(doctor.stdout)).toEqual([
      `backend: local (${local})`,
      '  CFB_STORAGE_BACKEND=local (from --backend)',
      `  CFB_MODEL_DATA_ROOT=${local.slice('local:'.length)} (from --backend)`,
      `root: ${data}`,
      expect.stringMatching(/^reachable: yes \(\d+ ms\)$/),
      expect.stringMatching(/^writable: yes \(\d+ ms\)$/),
      'missing: nothing',
    ])
    expect((await ok(['ls', '_doctor/', '--backend', local])).stdout).toBe('')

    const env = await ok(['--json', 'doctor'], cliEnv({ CFB_STORAGE_BACKEND: 'local', CFB_MODEL_DATA_ROOT: data }))
    expect(JSON.parse(env.stdout)).toMatchObject({ backend: 'local', root: data, reachable: { ok: true }, writable: { ok: true }, missing: [] })
  })
})

describe('round trip on S3', () => {
  it('write, read, partitions and ls through an s3:// spec', async () => {
    const spec = `s3://${BUCKET}/round-trip`
    await ok(['write', 'games', '--partition', 'season=2024,week=1', '--from', join(dir, 'week1.csv'), '--backend', spec], s3.env())
    const read = await ok(['read', 'games', '--filter', 'season=2024', '--columns', 'game_id,away_team', '--format', 'json', '--backend', spec], s3.env())
    expect(JSON.parse(read.stdout)).toEqual(week1.map(({ game_id, away_team }) => ({ game_id, away_team })))
    expect((await ok(['partitions', 'games', '--backend', spec], s3.env())).stdout).toBe('season=2024/week=1\n')
    expect(lines((await ok(['ls', 'games/', '--backend', spec], s3.env())).stdout)).toEqual([
      'games/_delta_log/00000000000000000000.json',
      expect.stringMatching(/^games\/season=2024\/week=1\/part-\w+-0\.parquet$/),
    ])
    // The same objects through the r2 profile, and a doctor run on it.
    const viaR2 = await ok(['read', 'games', '--columns', 'game_id', '--limit', '1', '--backend', `r2://${BUCKET}/round-trip`], s3.env())
    expect(viaR2.stdout).toBe('{"game_id":401628374}\n')
    const doctor = await ok(['doctor', '--backend', spec], s3.env())
    expect(doctor.stdout).toMatch(new RegExp(`^  CFB_S3_BUCKET=${BUCKET} \\(from --backend\\)$`, 'm'))
    expect(doctor.stdout).toMatch(/^ {2}CFB_S3_PREFIX=round-trip \(from --backend\)$/m)
    expect(doctor.stdout).toMatch(/^ {2}CFB_S3_REGION=\(not set\)$/m)
    expect(doctor.stdout).toMatch(/^reachable: yes/m)
    expect(doctor.stdout).toMatch(/^writable: yes/m)
  })
})

describe('--help on every command', () => {
  const commands = ['ls', 'partitions', 'read', 'write', 'migrate', 'verify', 'vacuum', 'doctor', 'demo']

  it.each([[[]], ...commands.map((c) => [[c]])])('cfb-storage %j --help exits 0 and shows examples', async (command) => {
    const help = await ok([...(command as string[]), '--help'])
    expect(help.stdout).toMatch(/^Usage: cfb-storage/)
    expect(help.stdout).toMatch(/\nExamples:\n {2}cfb-storage /)
  })

  it('`help <command>` says the same', async () => {
    expect((await ok(['help', 'verify'])).stdout).toBe((await ok(['verify', '--help'])).stdout)
  })
})
