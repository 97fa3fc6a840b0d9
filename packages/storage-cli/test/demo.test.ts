import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type CliResult, expectExitCode, lines, makeTempDir, removeDir, runCli } from './support/cli.js'

// The README's main job: the demo writes ~158k plays, reads them back and verifies a migration.
// `--cloud` starts its own S3-compatible server, so this file starts none.

let dir: string

beforeAll(async () => {
  dir = await makeTempDir('demo')
})

afterAll(async () => {
  await removeDir(dir)
})

const VERIFY_LINE = /^ {2}(games|plays|team_game|teams): source=(\d+), dest=\2, missing=0, extra=0, differ=0$/

function checkDemo(result: CliResult): string[] {
  expectExitCode(result, 0)
  const out = lines(result.stdout)
  const wrote = /^wrote (\d+) plays, (\d+) games, (\d+) team_game rows and (\d+) teams$/.exec(out[0] ?? '')
  expect(wrote).not.toBeNull()
  expect(Number(wrote![1])).toBeGreaterThanOrEqual(150_000)
  expect(result.stdout).toMatch(/^explosive plays \(40\+ yards\), 2024 weeks 1-3: \d+ rows, read in \d+ ms$/m)
  expect(result.stdout).toMatch(/^2024 standings from \d+ team_game rows/m)
  expect(result.stdout).toMatch(/^migrate to memory: copied \d+ files/m)
  // Not a terminal: progress is plain lines on stderr, no bar; and no SDK notices.
  expect(result.stderr).toMatch(/^demo: writing \d+\/\d+ partitions/m)
  expect(result.stderr).not.toMatch(/Warning/)
  expect(result.stderr).not.toContain('\u001b')
  expect(result.stderr).not.toContain('\r')
  return out
}

describe('cfb-storage demo', () => {
  it('writes at least 150,000 plays, reads them back and verifies with missing=0', async () => {
    const root = join(dir, 'local')
    const result = await runCli(['demo', '--root', root])
    const out = checkDemo(result)
    expect(out.filter((line) => VERIFY_LINE.test(line)).map((line) => line.split(':')[0]!.trim())).toEqual(['games', 'plays', 'team_game', 'teams'])
    expect(out.filter((line) => line.includes('missing='))).toEqual(out.filter((line) => VERIFY_LINE.test(line)))
    expect(existsSync(join(root, 'plays', 'season=2024', 'week=15'))).toBe(true)
  }, 120_000)

  it('--cloud migrates through the s3 and the r2 profiles to its own server and verifies both', async () => {
    const result = await runCli(['demo', '--cloud', '--root', join(dir, 'cloud')])
    const out = checkDemo(result)
    for (const target of ['s3://cfb-demo/s3-profile', 'r2://cfb-demo/r2-profile']) {
      const at = out.findIndex((line) => line.startsWith(`migrate to ${target}: copied `))
      expect(at).toBeGreaterThan(0)
      expect(out.slice(at + 1, at + 5)).toEqual([expect.stringMatching(VERIFY_LINE), expect.stringMatching(VERIFY_LINE), expect.stringMatching(VERIFY_LINE), expect.stringMatching(VERIFY_LINE)])
      expect(out[at + 5]).toBe(`  read back from ${target}: 32 games of 2024 week 1, 3 columns`)
    }
    expect(out.filter((line) => line.includes('missing=')).length).toBe(12) // memory, s3, r2 x 4 entities
  }, 120_000)
})
