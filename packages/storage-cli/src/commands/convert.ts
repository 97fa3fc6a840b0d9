import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { emit, type Io } from '../io.js'

export function addConvertCommand(program: Command, io: Io): void {
  program
    .command('convert')
    .description('make a plain Hive folder (the Python layout, DuckDB or pyarrow output) a Delta table in place: no data is copied')
    .argument('<entity>', 'the folder under the root')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .addHelpText('after', '\nFiles whose column types disagree, CSV files and types Delta cannot hold are reported, not guessed.\n\nExample:\n  cfb-storage convert games --backend local:./data')
    .action(async (entity: string, options: { backend: string }) => {
      const backend = await openBackend(options.backend, io.env, 'read')
      try {
        const { version, files } = await backend.convertToDelta(entity)
        if (program.opts().json) await emit(io.stdout, `${JSON.stringify({ entity, version, files })}\n`)
        else await emit(io.stdout, `${entity}: a Delta table now, version ${version}, ${files} files\n`)
      } finally {
        closeBackend(backend)
      }
    })
}

export function addHistoryCommand(program: Command, io: Io): void {
  program
    .command('history')
    .description("list a table's versions: when, what operation, rows added and removed")
    .argument('<entity>', 'the table')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .addHelpText('after', '\nRead an earlier version with: cfb-storage read <entity> --version <n>\n\nExample:\n  cfb-storage history plays --backend local:./data')
    .action(async (entity: string, options: { backend: string }) => {
      const backend = await openBackend(options.backend, io.env, 'read')
      try {
        const versions = await backend.history(entity)
        if (program.opts().json) {
          await emit(io.stdout, `${JSON.stringify(versions.map((v) => ({ ...v, timestamp: v.timestamp.toISOString() })))}\n`)
          return
        }
        const lines = versions.map(
          (v) => `${String(v.version).padStart(6)}  ${v.timestamp.toISOString()}  ${`${v.operation}${v.mode ? ` ${v.mode}` : ''}`.padEnd(18)}  +${v.rowsAdded} -${v.rowsRemoved}`,
        )
        await emit(io.stdout, `${lines.join('\n')}\n`)
      } finally {
        closeBackend(backend)
      }
    })
}
