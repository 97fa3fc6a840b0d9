import { resolve } from 'node:path'
import { type Env, formatGroup, migrate, type ObjectStorage, type Row, verify } from '@cfb/storage-core'
import type { Command } from 'commander'
import { closeBackend, openBackend } from '../backend-spec.js'
import { generateWeek, teams } from '../demo/football-data.js'
import { ExitCode, type Io, print } from '../io.js'
import { createProgress, formatBytes } from '../progress.js'
import { formatTable } from '../row-output.js'
import { UsageError } from '../usage-error.js'

const ms = (since: number) => `${Math.round(performance.now() - since)} ms`

async function writeDataset(storage: ObjectStorage, seasons: number[], weeks: number, io: Io, quiet: boolean) {
  const progress = createProgress('demo', io.stderr, quiet, 'partitions')
  const counts = { games: 0, plays: 0, team_game: 0, teams: 0, partitions: 0 }
  const total = seasons.length * (weeks * 3 + 1)
  for (const season of seasons) {
    counts.teams += await storage.write('teams', teams(), { season })
    counts.partitions++
    for (let week = 1; week <= weeks; week++) {
      const data = generateWeek(season, week)
      const partition = { season, week }
      counts.games += await storage.write('games', data.games, partition)
      counts.plays += await storage.write('plays', data.plays, partition)
      counts.team_game += await storage.write('team_game', data.teamGames, partition)
      counts.partitions += 3
      progress.update({ phase: 'writing', done: counts.partitions, total, bytes: 0, totalBytes: 0 })
    }
  }
  progress.stop()
  return counts
}

async function migrateAndVerify(from: ObjectStorage, spec: string, env: Env, io: Io, quiet: boolean): Promise<boolean> {
  const to = await openBackend(spec, env, 'write')
  try {
    const started = performance.now()
    const progress = createProgress(`migrate ${spec.replace(/:$/, '')}`, io.stderr, quiet)
    const result = await migrate(from.store, to.store, { concurrency: 16, onProgress: (p) => progress.update(p) })
    progress.stop()
    print(io, `migrate to ${spec.replace(/:$/, '')}: copied ${result.copied.length} files (${formatBytes(result.bytesCopied)}), skipped ${result.skipped}, in ${ms(started)}`)
    const checked = await verify(from.store, to.store, { concurrency: 16 })
    for (const group of checked.groups) print(io, `  ${formatGroup(group)}`)
    const rows = await to.readIndex('games', { season: 2024, week: 1 }, { columns: ['game_id', 'home_team', 'home_points'] })
    print(io, `  read back from ${spec.replace(/:$/, '')}: ${rows.length} games of 2024 week 1, 3 columns`)
    return checked.ok
  } finally {
    closeBackend(to)
  }
}

type TestServers = typeof import('@cfb/test-servers')

/** The test servers from the dev dependencies: they only exist in a clone of the repository. */
async function loadTestServers(): Promise<TestServers> {
  try {
    return await import('@cfb/test-servers')
  } catch {
    throw new UsageError('--cloud needs the repository dev dependencies (@cfb/test-servers): run it from a clone after pnpm install')
  }
}

/** Starts the S3-compatible test server. */
async function startCloud(servers: TestServers): Promise<{ env: Env; stop(): Promise<void> }> {
  const server = await servers.startS3Server('fauxqs')
  await server.createBucket('cfb-demo')
  const { accessKeyId, secretAccessKey } = server.credentials
  return {
    env: {
      CFB_S3_ENDPOINT: server.endpoint,
      CFB_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      CFB_R2_ENDPOINT: server.endpoint,
      CFB_R2_ACCESS_KEY: accessKeyId,
      CFB_R2_SECRET_KEY: secretAccessKey,
    },
    stop: () => server.stop(),
  }
}

export function addDemoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description('write a synthetic college-football dataset, read it back with filters, and verify a migration of it')
    .option('--root <dir>', 'where the local dataset goes', './data')
    .option('--seasons <list>', 'seasons to generate', '2023,2024')
    .option('--weeks <n>', 'weeks per season', '15')
    .option('--cloud', 'also migrate to an S3-compatible server on 127.0.0.1 through the s3 and r2 profiles')
    .addHelpText('after', '\nExamples:\n  cfb-storage demo\n  cfb-storage demo --cloud --root /tmp/cfb')
    .action(async (options: { root: string; seasons: string; weeks: string; cloud?: boolean }) => {
      const seasons = options.seasons.split(',').map((s) => Number(s.trim()))
      const weeks = Number(options.weeks)
      if (!seasons.every((s) => Number.isInteger(s) && s >= 1869 && s <= 2100) || !seasons.includes(2024)) {
        throw new UsageError('--seasons takes years such as 2023,2024, and must include 2024 (the demo reads it back)')
      }
      if (!Number.isInteger(weeks) || weeks < 3 || weeks > 20) throw new UsageError('--weeks must be a whole number from 3 to 20')
      // Checked before the local demo runs, not after it.
      const servers = options.cloud ? await loadTestServers() : undefined
      const quiet = Boolean(program.opts().json)
      const root = resolve(options.root)
      const storage = await openBackend(`local:${root}`, io.env, 'write')

      let started = performance.now()
      const counts = await writeDataset(storage, seasons, weeks, io, quiet)
      print(io, `wrote ${counts.plays} plays, ${counts.games} games, ${counts.team_game} team_game rows and ${counts.teams} teams`)
      print(io, `  in ${counts.partitions} partitions under ${root} in ${ms(started)}`)

      started = performance.now()
      const explosive = await storage.readIndex(
        'plays',
        { season: 2024, week: [1, 2, 3], yards_gained: { gte: 40 } },
        { columns: ['game_id', 'week', 'offense', 'defense', 'play_type', 'yards_gained', 'ppa'] },
      )
      print(io, `\nexplosive plays (40+ yards), 2024 weeks 1-3: ${explosive.length} rows, read in ${ms(started)}`)
      print(io, formatTable(explosive.slice(0, 10)))

      started = performance.now()
      const boxes = await storage.readIndex('team_game', { season: 2024 }, { columns: ['team', 'conference', 'points', 'win'] })
      const table = new Map<string, Row>()
      for (const b of boxes) {
        const row = table.get(b.team as string) ?? { team: b.team, conference: b.conference, wins: 0, points: 0 }
        row.wins = (row.wins as number) + (b.win ? 1 : 0)
        row.points = (row.points as number) + (b.points as number)
        table.set(b.team as string, row)
      }
      const top = [...table.values()].sort((a, b) => (b.wins as number) - (a.wins as number) || (b.points as number) - (a.points as number))
      print(io, `\n2024 standings from ${boxes.length} team_game rows, 4 columns read in ${ms(started)}:`)
      print(io, formatTable(top.slice(0, 8)))

      let ok = true
      print(io, '')
      ok = (await migrateAndVerify(storage, 'memory:', io.env, io, quiet)) && ok
      if (servers) {
        const cloud = await startCloud(servers)
        try {
          const env = { ...io.env, ...cloud.env }
          ok = (await migrateAndVerify(storage, 's3://cfb-demo/s3-profile', env, io, quiet)) && ok
          ok = (await migrateAndVerify(storage, 'r2://cfb-demo/r2-profile', env, io, quiet)) && ok
        } finally {
          await cloud.stop()
        }
      }
      closeBackend(storage)
      if (!ok) throw new ExitCode(1)
    })
}
