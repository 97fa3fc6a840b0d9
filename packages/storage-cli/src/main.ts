import { readFileSync } from 'node:fs'
import { isStorageError } from '@cfb/storage-core'
import { Command, CommanderError } from 'commander'
import { addConvertCommand, addHistoryCommand } from './commands/convert.js'
import { addDemoCommand } from './commands/demo.js'
import { addDoctorCommand } from './commands/doctor.js'
import { addLsCommand } from './commands/ls.js'
import { addMigrateCommand } from './commands/migrate.js'
import { addPartitionsCommand } from './commands/partitions.js'
import { addReadCommand } from './commands/read.js'
import { addVerifyCommand } from './commands/verify.js'
import { addVacuumCommand } from './commands/vacuum.js'
import { addWriteCommand } from './commands/write.js'
import { redact } from './env-settings.js'
import { ExitCode, type Io, OutputClosed, watchOutput } from './io.js'
import { UsageError } from './usage-error.js'

/** The package's version, from its package.json (one level above dist/ and src/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
}

export function buildProgram(io: Io): Command {
  const program = new Command('cfb-storage')
    .version(version(), '-V, --version', 'print the version')
    .description('Read, write, migrate and verify Delta Lake tables of Hive-partitioned Parquet (and plain Parquet/CSV folders) on local disk, S3 and R2.')
    .option('--json', 'print results as JSON for scripts (progress stays on stderr, off)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      '\nBackends: local:<dir> | s3://<bucket>[/<prefix>] | r2://<bucket>[/<prefix>] | memory: | env (from CFB_STORAGE_BACKEND)\n\nExamples:\n  cfb-storage demo\n  cfb-storage read plays --filter season=2024 --filter week=1 --columns play_id,yards_gained --limit 5\n  cfb-storage migrate --from local:./data --to r2://cfb-data --concurrency 16\n  cfb-storage verify --from local:./data --to r2://cfb-data --report diff.txt',
    )
  for (const add of [addLsCommand, addPartitionsCommand, addReadCommand, addWriteCommand, addMigrateCommand, addVerifyCommand, addVacuumCommand, addConvertCommand, addHistoryCommand, addDoctorCommand, addDemoCommand]) {
    add(program, io)
  }
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput())
  return program
}

/** Runs the CLI; resolves to the exit code: 0 ok, 1 failure or differences, 2 usage or configuration. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io)
  watchOutput(io.stdout)
  try {
    await program.parseAsync(argv as string[], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof ExitCode) return error.code
    if (error instanceof OutputClosed) {
      if (error.quiet) return 0
      io.stderr.write(`cfb-storage: ${error.message}\n`)
      return 1
    }
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed its one-line reason otherwise.
      return error.exitCode === 0 ? 0 : 2
    }
    if (error instanceof UsageError) {
      io.stderr.write(`cfb-storage: ${redact(error.message, io.env)}\n`)
      return 2
    }
    if (isStorageError(error)) {
      io.stderr.write(`cfb-storage: ${error.code}: ${redact(error.message, io.env)}\n`)
      return error.code === 'CONFIG' || error.code === 'INVALID_ARGUMENT' ? 2 : 1
    }
    io.stderr.write(`cfb-storage: unexpected error: ${redact(error instanceof Error ? error.message : String(error), io.env)}\n`)
    return 1
  }
}
