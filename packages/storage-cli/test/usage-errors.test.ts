import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type CliEnv, type CliResult, cliEnv, lines, makeTempDir, removeDir, runCli } from './support/cli.js'
import { BUCKET, useS3Server } from './support/s3.js'

// Usage and configuration mistakes: one line on stderr saying what is wrong, exit code 2, nothing
// on stdout and nothing written. Secrets never appear, whatever the command.

const s3 = useS3Server()
let dir: string
/** A backend root that must still not exist after every failing command. */
let untouched: string
let rowsCsv: string

beforeAll(async () => {
  dir = await makeTempDir('errors')
  untouched = join(dir, 'untouched')
  rowsCsv = join(dir, 'rows.csv')
  await writeFile(rowsCsv, 'game_id,home_team\n1,Ohio State\n')
  await writeFile(join(dir, 'rows.txt'), 'not a table\n')
})

afterAll(async () => {
  await removeDir(dir)
})

function expectOneLineUsageError(result: CliResult, reason: RegExp): void {
  // stderr is in the comparison, so a failure shows what the bin said.
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(reason) })
  expect(lines(result.stderr)).toHaveLength(1)
}

describe('usage errors: one line on stderr, exit 2, nothing written', () => {
  // [what, arguments (with {untouched} and {dir} filled in), the reason on stderr, extra env]. Every
  // row has all four: a shorter row would make jest pass its `done` callback as the fourth.
  const cases: [string, string[], RegExp, CliEnv][] = [
    ['a filter with no operator', ['read', 'plays', '--filter', 'season', '--backend', 'local:{untouched}'], /bad filter "season": use key=value/, {}],
    ['a filter with no key', ['partitions', 'plays', '--filter', '=2024', '--backend', 'local:{untouched}'], /bad filter "=2024"/, {}],
    ['a filter with no value', ['read', 'plays', '--filter', 'season>=', '--backend', 'local:{untouched}'], /bad filter "season>="/, {}],
    ['migrate without --to', ['migrate', '--from', 'local:x'], /required option '--to <spec>' not specified/, {}],
    ['an unknown flag', ['--bogus'], /unknown option '--bogus'/, {}],
    ['an unknown command flag', ['ls', '--recursive', '--backend', 'local:{untouched}'], /unknown option '--recursive'/, {}],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/, {}],
    ['a missing argument', ['read', '--backend', 'local:{untouched}'], /missing required argument 'entity'/, {}],
    ['a --limit that is not a number', ['read', 'plays', '--limit', 'abc', '--backend', 'local:{untouched}'], /--limit must be a whole number, got "abc"/, {}],
    ['a negative --limit', ['read', 'plays', '--limit', '-3', '--backend', 'local:{untouched}'], /--limit must be a whole number/, {}],
    ['an unknown --format', ['read', 'plays', '--format', 'xml', '--backend', 'local:{untouched}'], /argument 'xml' is invalid/, {}],
    ['an unknown backend spec', ['ls', '--backend', 'ftp://host/dir'], /unknown backend "ftp:\/\/host\/dir": expected local:<dir>/, {}],
    ['an s3 spec with no bucket', ['ls', '--backend', 's3://'], /no bucket in "s3:\/\/"/, {}],
    ['--concurrency 0', ['migrate', '--from', 'local:{dir}', '--to', 'local:{untouched}', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256, got "0"/, {}],
    ['an unknown --checksum', ['verify', '--from', 'local:{dir}', '--to', 'local:{untouched}', '--checksum', 'md5'], /argument 'md5' is invalid. Allowed choices are metadata, download/, {}],
    ['a partition with no value', ['write', 'games', '--partition', 'season', '--from', '{dir}/rows.csv', '--backend', 'local:{untouched}'], /bad partition "season"/, {}],
    ['an input file of unknown type', ['write', 'games', '--partition', 'season=2024', '--from', '{dir}/rows.txt', '--backend', 'local:{untouched}'], /use a \.csv, \.json, \.ndjson or \.parquet file/, {}],
    ['an input file that does not exist', ['write', 'games', '--partition', 'season=2024', '--from', '{dir}/nope.csv', '--backend', 'local:{untouched}'], /--from ".*nope\.csv": ENOENT/, {}],
    ['a --buffer-rows that is not a positive whole number', ['write', 'games', '-p', 'season=2024', '--buffer-rows', '0', '--from', '{dir}/rows.csv', '--backend', 'local:{untouched}'], /bad --buffer-rows "0": use a positive whole number/, {}],
    ['write without --partition', ['write', 'games', '--from', '{dir}/rows.csv', '--backend', 'local:{untouched}'], /give either --partition k=v,... or --partition-by col,.../, {}],
    ['demo with too few weeks', ['demo', '--root', '{untouched}', '--weeks', '1'], /--weeks must be a whole number from 3 to 20/, {}],
    ['an unknown CFB_STORAGE_BACKEND', ['ls'], /CONFIG: CFB_STORAGE_BACKEND must be one of local, s3, r2, memory/, { CFB_STORAGE_BACKEND: 'ftp' }],
  ]

  it.each(cases)('%s', async (_what, args, reason, env) => {
    const filled = args.map((a) => a.replaceAll('{untouched}', untouched).replaceAll('{dir}', dir))
    const result = await runCli(filled, { env: cliEnv(env) })
    expectOneLineUsageError(result, reason)
    expect(existsSync(untouched)).toBe(false)
  })

  it('--help is not an error', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })
})

describe('missing credentials', () => {
  it('an r2:// spec with no R2 settings names every missing variable (CONFIG, exit 2)', async () => {
    const result = await runCli(['ls', '--backend', 'r2://bucket'])
    expectOneLineUsageError(result, /^cfb-storage: CONFIG: .*needs CFB_R2_ACCOUNT_ID, CFB_R2_ACCESS_KEY, CFB_R2_SECRET_KEY/)
  })

  it('an r2:// spec with an endpoint but no keys does not ask for the account id', async () => {
    const result = await runCli(['ls', '--backend', 'r2://bucket'], { env: cliEnv({ CFB_R2_ENDPOINT: s3.endpoint }) })
    expectOneLineUsageError(result, /CONFIG: .*needs CFB_R2_ACCESS_KEY, CFB_R2_SECRET_KEY/)
    expect(result.stderr).not.toMatch(/CFB_R2_ACCOUNT_ID/)
  })

  it('CFB_STORAGE_BACKEND=r2 from the environment says the same', async () => {
    const result = await runCli(['ls'], { env: cliEnv({ CFB_STORAGE_BACKEND: 'r2' }) })
    expectOneLineUsageError(result, /CONFIG: .*needs CFB_R2_BUCKET, CFB_R2_ACCOUNT_ID, CFB_R2_ACCESS_KEY, CFB_R2_SECRET_KEY/)
  })

  it('migrate to r2:// with no credentials fails before reading the source or writing anything', async () => {
    const result = await runCli(['migrate', '--from', `local:${dir}`, '--to', 'r2://bucket/x'])
    expectOneLineUsageError(result, /CONFIG: .*CFB_R2_ACCESS_KEY/)
  })

  it('an s3:// spec with no AWS credentials anywhere fails with one line that says so', async () => {
    // S3 credentials may come from any link of the AWS chain (profile, SSO, instance role), so the
    // adapter only learns they are missing when the first request is signed.
    const result = await runCli(['ls', '--backend', `s3://${BUCKET}`], { env: cliEnv({ CFB_S3_ENDPOINT: s3.endpoint, CFB_S3_FORCE_PATH_STYLE: 'true' }) })
    expectOneLineUsageError(result, /CONFIG: .*no credentials/)
  })

  it('a bucket that does not exist is a configuration error', async () => {
    const result = await runCli(['ls', '--backend', 's3://no-such-bucket'], { env: s3.env() })
    expectOneLineUsageError(result, /CONFIG: .*bucket no-such-bucket does not exist/)
  })
})

describe('secrets never appear in output', () => {
  const SECRET = 'cfb-e2e-S3cr3t-7f3a9c1e-never-print-me'
  const ACCESS = 'AKIAE2EDISTINCTIVE7Q'
  const secretEnv = () =>
    s3.env({ AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET, CFB_R2_ACCESS_KEY: ACCESS, CFB_R2_SECRET_KEY: SECRET })
  const seen: CliResult[] = []
  const run = async (args: string[], env: CliEnv = secretEnv()) => {
    const result = await runCli(args, { env })
    seen.push(result)
    return result
  }

  afterAll(() => {
    // Checked here as well as per test, so a command added later is covered without thinking.
    for (const { stdout, stderr } of seen) {
      for (const secret of [SECRET, ACCESS, SECRET.slice(8, 24)]) {
        expect(stdout).not.toContain(secret)
        expect(stderr).not.toContain(secret)
      }
    }
  })

  it('doctor shows secrets as **** for s3, r2 and the env backend, text and --json', async () => {
    const s3Doctor = await run(['doctor', '--backend', `s3://${BUCKET}/doctor`])
    expect(s3Doctor.code).toBe(0)
    expect(lines(s3Doctor.stdout)).toEqual(
      expect.arrayContaining(['  AWS_ACCESS_KEY_ID=****', '  AWS_SECRET_ACCESS_KEY=****', `  CFB_S3_ENDPOINT=${s3.endpoint}`, expect.stringMatching(/^reachable: yes/), expect.stringMatching(/^writable: yes/)]),
    )

    const r2Doctor = await run(['doctor', '--backend', `r2://${BUCKET}/doctor`])
    expect(r2Doctor.code).toBe(0)
    expect(lines(r2Doctor.stdout)).toEqual(expect.arrayContaining(['  CFB_R2_ACCESS_KEY=****', '  CFB_R2_SECRET_KEY=****']))

    const envDoctor = await run(['--json', 'doctor'], { ...secretEnv(), CFB_STORAGE_BACKEND: 'r2', CFB_R2_BUCKET: BUCKET, CFB_R2_PREFIX: 'doctor' })
    expect(envDoctor.code).toBe(0)
    const report = JSON.parse(envDoctor.stdout) as { backend: string; settings: Record<string, string>; reachable: { ok: boolean }; writable: { ok: boolean } }
    expect(report).toMatchObject({ backend: 'r2', reachable: { ok: true }, writable: { ok: true } })
    expect(report.settings).toMatchObject({ CFB_R2_ACCESS_KEY: '****', CFB_R2_SECRET_KEY: '****', CFB_R2_BUCKET: BUCKET })
  })

  it('doctor reports what is missing without showing what is set', async () => {
    const env = { ...secretEnv(), CFB_R2_ENDPOINT: undefined }
    const result = await run(['doctor', '--backend', 'r2://bucket'], env)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^missing: .*CFB_R2_ACCOUNT_ID/m)
    expect(result.stdout).toMatch(/^ {2}CFB_R2_SECRET_KEY=\*\*\*\*$/m)
  })

  it('errors, listings, writes, migrations and verifications with secrets set', async () => {
    const unreachable = await run(['ls', '--backend', 's3://bucket/x'], { ...secretEnv(), CFB_S3_ENDPOINT: 'http://127.0.0.1:1' })
    expect(unreachable.code).toBe(1)
    expect(lines(unreachable.stderr)).toEqual([expect.stringMatching(/^cfb-storage: UNAVAILABLE: /)])

    const noAccount = await run(['ls', '--backend', 'r2://bucket'], { ...secretEnv(), CFB_R2_ENDPOINT: undefined })
    expectOneLineUsageError(noAccount, /CFB_R2_ACCOUNT_ID/)

    const written = await run(['write', 'games', '--partition', 'season=2024', '--from', rowsCsv, '--backend', `r2://${BUCKET}/secret`])
    expect(written.code).toBe(0)
    const read = await run(['read', 'games', '--backend', `r2://${BUCKET}/secret`])
    expect(lines(read.stdout)).toEqual(['{"game_id":1,"home_team":"Ohio State","season":2024}'])
    expect((await run(['ls', '--backend', `r2://${BUCKET}/secret`])).code).toBe(0)

    const migrated = await run(['migrate', '--from', `r2://${BUCKET}/secret`, '--to', `s3://${BUCKET}/secret-copy`])
    expect(migrated.code).toBe(0)
    const verified = await run(['verify', '--from', `r2://${BUCKET}/secret`, '--to', `s3://${BUCKET}/secret-copy`, '--checksum', 'download'])
    expect(verified.code).toBe(0)
    expect(lines(verified.stdout)).toEqual(['games: source=2, dest=2, missing=0, extra=0, differ=0'])
  })
})

describe('nothing is partially written', () => {
  it('a failing command leaves no backend directory behind', async () => {
    expect(existsSync(untouched)).toBe(false)
    expect((await readdir(dir)).sort()).toEqual(['rows.csv', 'rows.txt'])
  })
})
