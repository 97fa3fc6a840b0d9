import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { decodeParquet, encodeCsv, inferSchema, type Row } from '@cfb/storage-core'
import { LocalStorage } from '@cfb/storage-local'
import { parquetMetadata } from 'hyparquet'
import { join } from 'node:path'
import { BIN, type CliResult, cliEnv, expectExitCode, lines, makeTempDir, PACKAGE_DIR, pipedToHead, removeDir, runCli, startCli } from './support/cli.js'

// Output as data engineers pipe it: a reader that stops early ends the command quietly, rows
// stream out in every format, a table stays readable, and an unknown column is an error.

let dir: string
let demo: string
let tree: string
const PLAYS = 157_896

beforeAll(async () => {
  dir = await makeTempDir('streams')
  demo = `local:${join(dir, 'demo')}`
  const made = await runCli(['--json', 'demo', '--root', join(dir, 'demo')])
  expectExitCode(made, 0)
  // 6,000 keys: more than a pipe buffer of `ls` output, so `| head -1` really closes the pipe early.
  tree = join(dir, 'tree')
  for (let d = 0; d < 60; d++) {
    const folder = join(tree, 'raw', `folder-${String(d).padStart(3, '0')}`)
    mkdirSync(folder, { recursive: true })
    for (let f = 0; f < 100; f++) writeFileSync(join(folder, `file-with-a-longish-name-${String(f).padStart(3, '0')}.json`), '{}\n')
  }
}, 180_000)

afterAll(async () => {
  await removeDir(dir)
})

/** Runs the bin with its stdout's reading end closed before it writes a byte: every write meets EPIPE. */
async function withClosedStdout(args: string[]): Promise<CliResult> {
  const started = startCli(args)
  started.child.stdout?.destroy()
  return started.done
}

describe('a closed pipe ends the command quietly (exit 0, nothing on stderr)', () => {
  it('ls | head -1 over 6,000 keys', async () => {
    const result = await pipedToHead(dir, ['ls', '--backend', `local:${tree}`])
    expect(result).toEqual({ head: 'raw/folder-000/file-with-a-longish-name-000.json\n', status: 0, stderr: '' })
  })

  it('read plays --format ndjson | head -1 over 157,896 plays', async () => {
    const result = await pipedToHead(dir, ['read', 'plays', '--format', 'ndjson', '--backend', demo])
    expect(result.status).toBe(0)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.head)).toMatchObject({ season: 2023, week: 1, play_number: 1 })
  })

  it('read --format csv | head -1 prints the header and ends', async () => {
    const result = await pipedToHead(dir, ['read', 'plays', '--format', 'csv', '--columns', 'play_id,offense', '--backend', demo])
    expect(result).toEqual({ head: 'play_id,offense\n', status: 0, stderr: '' })
  })

  it.each([
    ['partitions', ['partitions', 'plays', '--backend']],
    ['partitions --json', ['--json', 'partitions', 'plays', '--backend']],
    ['ls --json', ['--json', 'ls', '--backend']],
    ['read --format json', ['read', 'plays', '--format', 'json', '--backend']],
    ['read --format table', ['read', 'plays', '--format', 'table', '--backend']],
  ])('%s with stdout closed before the first write', async (_what, args) => {
    const result = await withClosedStdout([...args, demo])
    expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code: 0, signal: null, stderr: '' })
  })
})

describe('read streams every format', () => {
  it('ndjson, csv and json give every play, each row once', async () => {
    const ndjson = await runCli(['read', 'plays', '--columns', 'play_id', '--format', 'ndjson', '--backend', demo])
    expectExitCode(ndjson, 0)
    const ids = lines(ndjson.stdout).map((line) => (JSON.parse(line) as { play_id: number }).play_id)
    expect(ids).toHaveLength(PLAYS)
    expect(new Set(ids).size).toBe(PLAYS)

    const csv = await runCli(['read', 'plays', '--columns', 'play_id,offense', '--format', 'csv', '--backend', demo])
    expectExitCode(csv, 0)
    const csvLines = lines(csv.stdout)
    expect(csvLines[0]).toBe('play_id,offense')
    expect(csvLines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(ids)

    const json = await runCli(['read', 'plays', '--columns', 'play_id', '--format', 'json', '--backend', demo])
    expectExitCode(json, 0)
    expect((JSON.parse(json.stdout) as { play_id: number }[]).map((r) => r.play_id)).toEqual(ids)
  }, 120_000)

  it('parquet is written a row group per 65,536 rows as they are read, under the table schema, with every play', async () => {
    const out = join(dir, 'plays.parquet')
    const read = await runCli(['read', 'plays', '--columns', 'play_id,offense,season', '--out', out, '--backend', demo])
    expectExitCode(read, 0)
    const bytes = readFileSync(out)
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    // Row groups of the batch size show the rows went out a group at a time, not as one file at the end.
    expect(parquetMetadata(file).row_groups.map((g) => Number(g.num_rows))).toEqual([65_536, 65_536, PLAYS - 2 * 65_536])
    const rows = await decodeParquet(file)
    expect(Object.keys(rows[0]!)).toEqual(['play_id', 'offense', 'season'])
    const ndjson = await runCli(['read', 'plays', '--columns', 'play_id,offense,season', '--format', 'ndjson', '--backend', demo])
    expect(rows).toEqual(lines(ndjson.stdout).map((line) => JSON.parse(line)))

    // An empty selection is a file with the table's columns and no rows.
    const empty = join(dir, 'none.parquet')
    expectExitCode(await runCli(['read', 'plays', '-f', 'season=1999', '-c', 'play_id', '--out', empty, '--backend', demo]), 0)
    const none = readFileSync(empty)
    const noneFile = none.buffer.slice(none.byteOffset, none.byteOffset + none.byteLength) as ArrayBuffer
    expect(await decodeParquet(noneFile)).toEqual([])
    expect(parquetMetadata(noneFile).schema.map((e) => e.name)).toEqual(['root', 'play_id'])
  }, 120_000)

  it('csv, piped or redirected to a file, is the text encodeCsv writes for the scanned rows', async () => {
    const piped = await runCli(['read', 'plays', '--format', 'csv', '--backend', demo])
    expectExitCode(piped, 0)
    const file = join(dir, 'redirected.csv')
    const redirected = spawn('bash', ['-c', `'${process.execPath}' '${BIN}' read plays --format csv --backend '${demo}' > '${file}'`], {
      cwd: PACKAGE_DIR,
      env: cliEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    expect(await new Promise((resolve) => redirected.on('close', resolve))).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(piped.stdout)

    // What the CLI wrote before it wrote from columns: each scan batch typed by inference.
    const names: string[] = []
    let expected = ''
    for await (const batch of new LocalStorage({ root: join(dir, 'demo') }).scan('plays')) {
      if (names.length === 0) names.push(...Object.keys(batch[0] as Row))
      const types = new Map(inferSchema(batch).columns.map((c) => [c.name, c.type]))
      const text = new TextDecoder().decode(encodeCsv(batch, { columns: names.map((name) => ({ name, type: types.get(name) ?? 'null' })) }))
      expected += expected === '' ? `${text}\n` : `${text.slice(text.indexOf('\n') + 1)}\n`
    }
    expect(piped.stdout.length).toBe(expected.length)
    expect(piped.stdout === expected).toBe(true)
  }, 120_000)

  it('a json read with no rows is an empty array; csv with no rows prints nothing', async () => {
    const none = ['--filter', 'season=1999', '--backend', demo]
    expect((await runCli(['read', 'plays', '--format', 'json', ...none])).stdout).toBe('[]\n')
    expect((await runCli(['read', 'plays', '--format', 'csv', ...none])).stdout).toBe('')
  })

  it('a table shows 50 rows by default and says so on stderr; --limit 140000 prints 140,000 rows without overflowing the stack', async () => {
    const table = await runCli(['read', 'plays', '--format', 'table', '--columns', 'play_id,offense', '--backend', demo])
    expectExitCode(table, 0)
    const out = lines(table.stdout)
    expect(out).toHaveLength(52) // header, rule, 50 rows
    expect(out[0]).toMatch(/^ *play_id {2}offense$/)
    expect(table.stderr).toMatch(/the first 50 rows; --limit n shows more/)

    const big = await runCli(['read', 'plays', '--format', 'table', '--limit', '140000', '--columns', 'play_id', '--backend', demo])
    expectExitCode(big, 0)
    expect(lines(big.stdout)).toHaveLength(140_002)
    expect(big.stderr).toBe('')
  }, 120_000)
})

describe('unknown columns are INVALID_ARGUMENT naming the column (exit 2), before any row', () => {
  it.each([
    ['--columns', ['-c', 'play_id,nocol']],
    ['--filter', ['-f', 'nocol=3']],
    ['a range filter', ['-f', 'nocol>=3']],
  ])('%s', async (_what, args) => {
    const result = await runCli(['read', 'plays', ...args, '--backend', demo])
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' })
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^cfb-storage: INVALID_ARGUMENT: unknown column "nocol" in plays \(it has play_id, /)])
  })

  it('known data and partition columns still filter', async () => {
    const result = await runCli(['read', 'plays', '-f', 'season=2024', '-f', 'week=1', '-f', 'yards_gained>=25', '-c', 'play_id,week', '--backend', demo])
    expectExitCode(result, 0)
    const rows = lines(result.stdout).map((line) => JSON.parse(line) as { week: number })
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.week === 1)).toBe(true)
  })
})
