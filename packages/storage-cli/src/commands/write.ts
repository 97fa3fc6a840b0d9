import { type Command, Option } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { parsePartition } from '../filter-args.js'
import { readRowsFile } from '../input-file.js'
import { type Io, print } from '../io.js'

export function addWriteCommand(program: Command, io: Io): void {
  program
    .command('write')
    .description('write rows from a file into one partition (overwrite by default), atomically')
    .argument('<entity>', 'entity name, e.g. games')
    .requiredOption('-p, --partition <k=v,...>', 'the partition, e.g. season=2024,week=1')
    .requiredOption('--from <file>', 'rows to write: .csv, .json, .ndjson or .parquet')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('--append', 'append to the partition instead of replacing it')
    .addOption(new Option('--format <format>', 'file format to store').choices(['parquet', 'csv']).default('parquet'))
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage write games --partition season=2024,week=1 --from week1.csv\n  cfb-storage write plays --partition season=2024,week=1 --from extra.ndjson --append',
    )
    .action(async (entity: string, options: { partition: string; from: string; backend: string; append?: boolean; format: 'parquet' | 'csv' }) => {
      const partition = parsePartition(options.partition)
      const rows = await readRowsFile(options.from)
      const backend = await openBackend(options.backend, io.env)
      try {
        const written = await backend.write(entity, rows, partition, { overwrite: !options.append, format: options.format })
        const where = `${entity}/${Object.entries(partition).map(([k, v]) => `${k}=${v}`).join('/')}`
        if (program.opts().json) print(io, JSON.stringify({ entity, partition, rows: written, mode: options.append ? 'append' : 'overwrite' }))
        else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${where}`)
      } finally {
        closeBackend(backend)
      }
    })
}
