import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseFilters } from '../src/filter-args.js'
import { type CliResult, expectExitCode, lines, makeTempDir, removeDir, runCli } from './support/cli.js'
import { python } from './support/python.js'

// Arguments as people type them: filters with commas, repeated keys and hostile keys; roots
// with typos; --version, vacuum and reading one file by its path; partitions in natural order.

let dir: string
let root: string
let backend: string[]

const rowsOf = (result: CliResult) => lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)

beforeAll(async () => {
  dir = await makeTempDir('arguments')
  root = join(dir, 'data')
  backend = ['--backend', `local:${root}`]
  const games = [
    { game_id: 1, offense: 'Alabama, Tuscaloosa', week: 2, team: 'Café' },
    { game_id: 2, offense: 'Alabama', week: 10, team: 'Café' },
    { game_id: 3, offense: 'Auburn', week: 3, team: 'Zoo' },
    { game_id: 4, offense: 'Auburn', week: 4, team: 'Zoo' },
    { game_id: 5, offense: 'Say "hi"', week: 1, team: 'Zoo' },
  ]
  await writeFile(join(dir, 'games.json'), JSON.stringify(games))
  const written = await runCli(['write', 'games', '--partition-by', 'week,team', '--from', join(dir, 'games.json'), ...backend])
  expectExitCode(written, 0)
})

afterAll(async () => {
  await removeDir(dir)
})

const ids = async (...filters: string[]) => {
  const result = await runCli(['read', 'games', ...filters.flatMap((f) => ['-f', f]), '-c', 'game_id', ...backend])
  expectExitCode(result, 0)
  return rowsOf(result).map((r) => r.game_id)
}

describe('--filter', () => {
  it('a quoted value may hold commas and quotes; an unquoted list is IN', async () => {
    expect(await ids('offense="Alabama, Tuscaloosa"')).toEqual([1])
    expect(await ids('offense="Alabama, Tuscaloosa",Auburn')).toEqual([1, 3, 4])
    expect(await ids('offense="Say ""hi"""')).toEqual([5])
    expect(await ids('offense=Alabama, Tuscaloosa')).toEqual([2]) // two values: "Alabama" and "Tuscaloosa"
  })

  it('a repeated key= adds to the set (IN); other conditions on one key combine; a repeated range operator is an error', async () => {
    expect(await ids('week=3', 'week=4')).toEqual([3, 4])
    expect(await ids('week=3,4', 'week=10')).toEqual([2, 3, 4])
    expect(await ids('week>=2', 'week<4')).toEqual([1, 3])
    const twice = await runCli(['read', 'games', '-f', 'week>=2', '-f', 'week>=3', ...backend])
    expect(twice.code).toBe(2)
    expect(twice.stderr).toMatch(/bad filter "week>=3": week>= is given twice/)
  })

  it('--filter takes one condition, so the entity after it is the entity', async () => {
    const result = await runCli(['read', '--filter', 'week=3', 'games', '-c', 'game_id', ...backend])
    expectExitCode(result, 0)
    expect(rowsOf(result)).toEqual([{ game_id: 3 }])
  })

  it('parseFilters puts __proto__ in a prototype-free object and leaves Object.prototype alone', () => {
    const filters = parseFilters(['__proto__>=5', 'season=2024'])
    expect(Object.getPrototypeOf(filters)).toBeNull()
    expect(Object.keys(filters)).toEqual(['__proto__', 'season'])
    expect({ ...(Object.getOwnPropertyDescriptor(filters, '__proto__')?.value as object) }).toEqual({ gte: 5 })
    expect(({} as Record<string, unknown>).gte).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('gte')
  })

  it("--filter '__proto__>=5' with another filter: an unknown column (exit 2), and the other filter is not touched", async () => {
    const result = await runCli(['read', 'games', '-f', '__proto__>=5', '-f', 'week=3', ...backend])
    expect(result.code).toBe(2)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^cfb-storage: INVALID_ARGUMENT: unknown column "__proto__" in games/)])
    const partitions = await runCli(['partitions', 'games', '-f', '__proto__>=5', ...backend])
    expect(partitions.code).toBe(2)
    expect(partitions.stderr).toMatch(/__proto__ is not a partition key of games/)
  })
})

describe('partitions', () => {
  it('sorts naturally (week=2 before week=10) and prints decoded values, as read does', async () => {
    const result = await runCli(['partitions', 'games', ...backend])
    expectExitCode(result, 0)
    expect(lines(result.stdout)).toEqual(['week=1/team=Zoo', 'week=2/team=Café', 'week=3/team=Zoo', 'week=4/team=Zoo', 'week=10/team=Café'])
    const json = await runCli(['--json', 'partitions', 'games', '-f', 'team=Café', ...backend])
    expect(JSON.parse(json.stdout)).toEqual([
      { week: 2, team: 'Café' },
      { week: 10, team: 'Café' },
    ])
  })
})

describe('every command checks its root', () => {
  const typo = () => join(dir, 'typo3')
  it.each([
    ['ls', ['ls']],
    ['partitions', ['partitions', 'games']],
    ['read', ['read', 'games']],
    ['vacuum', ['vacuum']],
  ])('%s on a root that does not exist is CONFIG (exit 2)', async (_what, args) => {
    const result = await runCli([...args, '--backend', `local:${typo()}`])
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' })
    expect(lines(result.stderr)).toEqual([`cfb-storage: CONFIG: the local root ${typo()} does not exist (check --backend or CFB_MODEL_DATA_ROOT)`])
    expect(existsSync(typo())).toBe(false)
  })

  it('a root that is a file is CONFIG for reading and writing commands alike', async () => {
    const file = join(dir, 'games.json')
    for (const args of [['ls'], ['read', 'games'], ['write', 'games', '-p', 'week=1', '--from', file]]) {
      const result = await runCli([...args, '--backend', `local:${file}`])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(`cfb-storage: CONFIG: the local root ${file} is a file, not a folder (check --backend or CFB_MODEL_DATA_ROOT)\n`)
    }
  })

  it('verify --to a root that does not exist is CONFIG; doctor reports it and does not create it', async () => {
    const verify = await runCli(['verify', '--from', `local:${root}`, '--to', `local:${typo()}`])
    expect(verify.code).toBe(2)
    expect(verify.stderr).toMatch(/CONFIG: the local root .*typo3 does not exist/)
    const doctor = await runCli(['doctor', '--backend', `local:${typo()}`])
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toMatch(/^reachable: no: CONFIG: the local root .*typo3 does not exist/m)
    expect(existsSync(typo())).toBe(false)
  })

  it('the env backend is checked the same way', async () => {
    const result = await runCli(['ls'], { env: { PATH: process.env.PATH, CFB_STORAGE_BACKEND: 'local', CFB_MODEL_DATA_ROOT: typo() } })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/CONFIG: the local root .*typo3 does not exist/)
  })

  it('write creates a new root', async () => {
    const fresh = join(dir, 'fresh')
    expectExitCode(await runCli(['write', 'games', '-p', 'week=1', '--from', join(dir, 'games.json'), '--backend', `local:${fresh}`]), 2) // rows say other weeks
    expectExitCode(await runCli(['write', 'games2', '--partition-by', 'week', '--from', join(dir, 'games.json'), '--backend', `local:${fresh}`]), 0)
    expect(await readdir(fresh)).toEqual(['games2'])
  })
})

describe('--version, vacuum and reading one file', () => {
  it('--version prints the package version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default as { version: string }
    const result = await runCli(['--version'])
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: `${version}\n` })
  })

  it('vacuum removes a stray file and, past --older-than, a crashed write; what reads see stays', async () => {
    const from = join(dir, 'one.json')
    await writeFile(from, JSON.stringify([{ id: 1 }]))
    expectExitCode(await runCli(['write', 'vac', '-p', 'season=2024', '--from', from, ...backend]), 0)
    const folder = join(root, 'vac', 'season=2024')
    const part = (await readdir(folder)).find((name) => name.startsWith('part-'))!
    // A file of ours no commit names (a writer that crashed before committing), and a foreign one.
    const crashed = part.replace(/-0\.parquet$/, '-7.parquet')
    await writeFile(join(folder, crashed), 'half a file')
    await writeFile(join(folder, 'stray.parquet'), 'not ours')

    // Default 1h: files no version names may be a write still running, so young ones stay.
    const young = await runCli(['--json', 'vacuum', 'vac', ...backend])
    expectExitCode(young, 0)
    expect(JSON.parse(young.stdout)).toEqual({ deleted: [] })

    const all = await runCli(['vacuum', '--older-than', '0', ...backend])
    expectExitCode(all, 0)
    expect(lines(all.stdout)).toEqual(['removed 2 files:', `  vac/season=2024/${crashed}`, '  vac/season=2024/stray.parquet'])
    expect((await readdir(folder)).sort()).toEqual([part])
    expect(rowsOf(await runCli(['read', 'vac', ...backend]))).toEqual([{ id: 1, season: 2024 }])

    const bad = await runCli(['vacuum', '--older-than', 'soon', ...backend])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--older-than must be a duration/)
  })

  it('read <file> reads a Parquet, CSV or NDJSON file by its path, with filters and columns', async () => {
    python(
      `
import sys, pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({'id': pa.array([1, 2, 3], pa.int64()), 'team': ['a', 'b', 'c']}), sys.argv[1])
`,
      [join(dir, 'pa.parquet')],
    )
    const parquet = await runCli(['read', 'pa.parquet', '-f', 'id>=2', '-c', 'team'], { cwd: dir })
    expectExitCode(parquet, 0)
    expect(parquet.stdout).toBe('{"team":"b"}\n{"team":"c"}\n')
    const byPath = await runCli(['read', join(dir, 'games.json'), '-f', 'week=3,4', '-c', 'game_id', '--format', 'csv'])
    expect(byPath.stdout).toBe('game_id\n3\n4\n')
    const missing = await runCli(['read', join(dir, 'nope.parquet')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/nope\.parquet": ENOENT/)
  })
})
