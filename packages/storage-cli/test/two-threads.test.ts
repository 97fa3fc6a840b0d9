import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LocalStorage } from '@cfb/storage-local'
import { BUCKET, useS3Server } from './support/s3.js'
import { BIN, type CliEnv, cliEnv, expectExitCode, lines, makeTempDir, PACKAGE_DIR, pipedToHead, removeDir, runCli, startCli } from './support/cli.js'

// `read --format csv` of a table of 16 MiB or more reads it on two threads: the main thread and a
// worker each take the next file and encode it, and the lines go out in one reader's order. Each
// test compares the output with the same read on one thread (`--limit` keeps a read on one).

const s3 = useS3Server()
let dir: string
let root: string
const ROWS = 280_000
const ONE_THREAD = ['--limit', String(10 * ROWS)]

/** A seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

beforeAll(async () => {
  dir = await makeTempDir('two-threads')
  root = join(dir, 'data')
  const next = random(7)
  // Values CSV writes in each of its ways: random and short decimals with -0 and nulls, text that
  // needs quotes or is beyond ASCII, timestamps, booleans, and runs of one value.
  const texts = ['plain', 'with, comma', 'say "hi"', 'line\nbreak', ' padded ', 'Café', '日本', '']
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: i,
    season: 2020 + (i % 4),
    week: 1 + (Math.floor(i / 4) % 6),
    epa: next() * 8 - 4,
    // Random doubles, which no encoding shrinks: a table past the size with few rows.
    x1: next(),
    x2: next(),
    x3: next(),
    x4: next(),
    x5: next(),
    ppa: i % 97 === 0 ? -0 : i % 89 === 0 ? null : Math.round((next() * 6 - 3) * 1000) / 1000,
    code: next().toString(36).slice(2, 14),
    note: i % 5 === 0 ? texts[i % texts.length]! : null,
    at: new Date(Date.UTC(2020, 8, 1) + i * 20_000),
    won: i % 3 === 0,
  }))
  const storage = new LocalStorage({ root })
  await storage.writePartitioned('big', rows, ['season', 'week'])
  // Second files in some partitions: files, not partitions, are what the threads take.
  const more = (from: number, to: number) => rows.slice(from, to).map(({ season: _s, week: _w, ...r }) => ({ ...r, id: r.id + ROWS }))
  await storage.write('big', more(0, 3000), { season: 2021, week: 2 }, { overwrite: false })
  await storage.write('big', more(3000, 5000), { season: 2023, week: 6 }, { overwrite: false })
  const { files } = await storage.dataFiles('big')
  const bytes = files.reduce((sum, f) => sum + f.size, 0)
  // The size at which a CSV read takes a second thread (TWO_THREADS_MIN_BYTES).
  if (bytes < 16 * 1024 * 1024) throw new Error(`the test table is ${bytes} bytes: too small for two threads`)
}, 180_000)

afterAll(async () => {
  await removeDir(dir)
})

async function csv(args: string[], env?: CliEnv): Promise<string> {
  const result = await runCli(['read', 'big', '--format', 'csv', ...args], { env })
  expectExitCode(result, 0)
  return result.stdout
}

/** The threads a run of the bin had: V8 writes one CPU profile per thread. */
async function threadsOf(args: string[]): Promise<number> {
  const profiles = await makeTempDir('profiles')
  try {
    expectExitCode(await runCli(args, { nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profiles}`] }), 0)
    return (await readdir(profiles)).filter((name) => name.endsWith('.cpuprofile')).length
  } finally {
    await removeDir(profiles)
  }
}

describe('read --format csv on two threads', () => {
  it('writes the bytes one thread writes, every row once, in one reader order', async () => {
    const local = `local:${root}`
    const both = await csv(['--backend', local])
    const one = await csv([...ONE_THREAD, '--backend', local])
    expect(both.length).toBe(one.length)
    expect(both === one).toBe(true)
    const ids = lines(both)
      .slice(1)
      .filter((line) => /^\d+,/.test(line))
      .map((line) => Number(line.slice(0, line.indexOf(','))))
    expect(new Set(ids).size).toBe(ROWS + 5000)
  }, 120_000)

  it('uses a second thread only for a read that large', async () => {
    expect(await threadsOf(['read', 'big', '--format', 'csv', '--out', join(dir, 'all.csv'), '--backend', `local:${root}`])).toBe(2)
    // One partition: a small read stays on one thread; so do --limit and other formats.
    expect(await threadsOf(['read', 'big', '--format', 'csv', '-f', 'season=2021', '-f', 'week=2', '--out', join(dir, 'one.csv'), '--backend', `local:${root}`])).toBe(1)
    expect(await threadsOf(['read', 'big', '--format', 'csv', ...ONE_THREAD, '--out', join(dir, 'limited.csv'), '--backend', `local:${root}`])).toBe(1)
    expect(await threadsOf(['read', 'big', '--format', 'ndjson', '--out', join(dir, 'all.ndjson'), '--backend', `local:${root}`])).toBe(1)
  }, 120_000)

  it('stays on one thread on one core (taskset), and writes the same bytes', async () => {
    const args = ['read', 'big', '--format', 'csv', '--backend', `local:${root}`]
    const profiles = await makeTempDir('profiles')
    try {
      const pinned = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn('taskset', ['-c', '0', process.execPath, '--cpu-prof', `--cpu-prof-dir=${profiles}`, BIN, ...args], { cwd: PACKAGE_DIR, env: cliEnv() })
        const out: Buffer[] = []
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
        child.on('error', reject)
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8') }))
      })
      expect(pinned.code).toBe(0)
      expect((await readdir(profiles)).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(1)
      expect(pinned.stdout === (await csv(['--backend', `local:${root}`]))).toBe(true)
    } finally {
      await removeDir(profiles)
    }
  }, 120_000)

  it('filters rows, projects columns and reads an older version as one thread does', async () => {
    const local = `local:${root}`
    for (const args of [
      ['-f', 'ppa>=0', '--columns', 'week,id,ppa,note'],
      ['--columns', 'at,code,season'],
      ['--as-of', '0'],
    ]) {
      const both = await csv([...args, '--backend', local])
      expect(lines(both).length).toBeGreaterThan(1000)
      expect(both === (await csv([...args, ...ONE_THREAD, '--backend', local]))).toBe(true)
    }
  }, 120_000)

  it('reads an s3:// table on two threads, each with its own client, as it reads the local one', async () => {
    const spec = `s3://${BUCKET}/two-threads`
    expectExitCode(await runCli(['migrate', '--from', `local:${root}`, '--to', spec], { env: s3.env() }), 0)
    const fromS3 = await csv(['--backend', spec], s3.env())
    expect(fromS3 === (await csv(['--backend', `local:${root}`]))).toBe(true)
  }, 180_000)

  it('| head -1 prints the header and ends quietly', async () => {
    const result = await pipedToHead(dir, ['read', 'big', '--format', 'csv', '--backend', `local:${root}`])
    expect(result).toEqual({ head: 'id,epa,x1,x2,x3,x4,x5,ppa,code,note,at,won,season,week\n', status: 0, stderr: '' })
  }, 60_000)

  it('Ctrl-C ends a two-thread read with 130, and leaves neither the --out file nor a temporary file', async () => {
    const outDir = join(dir, 'interrupted')
    await mkdir(outDir)
    const reading = startCli(['read', 'big', '--format', 'csv', '--out', join(outDir, 'big.csv'), '--backend', `local:${root}`])
    // Well into the rows, when the worker has sent lines too.
    const written = async () => (await Promise.all((await readdir(outDir)).map((name) => stat(join(outDir, name)).then((s) => s.size, () => 0)))).reduce((a, b) => a + b, 0)
    while (reading.child.exitCode === null && (await written()) < 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 10))
    reading.child.kill('SIGINT')
    const interrupted = await reading.done
    if (interrupted.code === 0) throw new Error('the read ended before it could be interrupted')
    expect(interrupted.code).toBe(130)
    expect(await readdir(outDir)).toEqual([])
  }, 60_000)

  it('a file that fails on either thread fails the read: CORRUPT_DATA, and no --out file or temporary file', async () => {
    const copy = join(dir, 'broken')
    expectExitCode(await runCli(['migrate', '--from', `local:${root}`, '--to', `local:${copy}`]), 0)
    // Every third file, so that both threads meet one whichever files they take.
    const storage = new LocalStorage({ root: copy })
    const { files } = await storage.dataFiles('big')
    for (const file of files.filter((_, i) => i % 3 === 2)) await writeFile(join(copy, file.path), 'PAR1 this is not a parquet file PAR1')
    const outDir = join(dir, 'out')
    await mkdir(outDir)
    const failed = await runCli(['read', 'big', '--format', 'csv', '--out', join(outDir, 'big.csv'), '--backend', `local:${copy}`])
    expect(failed.code).toBe(1)
    expect(lines(failed.stderr)).toEqual([expect.stringMatching(/^cfb-storage: CORRUPT_DATA: .*big\/season=\d+\/week=\d\/part-/)])
    expect(readdirSync(outDir)).toEqual([])
    const toStdout = await runCli(['read', 'big', '--format', 'csv', '--backend', `local:${copy}`])
    expect(toStdout.code).toBe(1)
    expect(lines(toStdout.stderr)).toEqual([expect.stringMatching(/^cfb-storage: CORRUPT_DATA: /)])
    expect(await readFile(join(copy, files[0]!.path))).not.toHaveLength(0)
  }, 180_000)
})
