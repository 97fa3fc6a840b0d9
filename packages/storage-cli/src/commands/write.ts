import { type Command, Option } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { parsePartition } from '../filter-args.js'
import { readRowsFile } from '../input-file.js'
import { type Io, print } from '../io.js'
import { UsageError } from '../usage-error.js'

interface WriteFlags {
  partition?: string
  partitionBy?: string
  from: string
  backend: string
  append?: boolean
  format: 'parquet' | 'csv'
}

export function addWriteCommand(program: Command, io: Io): void {
  program
    .command('write')
    .description('write rows from a file into one partition, or split by columns into many (overwrite by default), each atomically')
    .argument('<entity>', 'entity name, e.g. games')
    .option('-p, --partition <k=v,...>', 'the partition, e.g. season=2024,week=1')
    .option('--partition-by <columns>', 'split the rows by these columns instead, e.g. season,week')
    .requiredOption('--from <file>', 'rows to write: .csv, .json, .ndjson or .parquet')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('--append', 'append to the partition instead of replacing it')
    .addOption(new Option('--format <format>', 'file format to store').choices(['parquet', 'csv']).default('parquet'))
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage write games --partition season=2024,week=1 --from week1.csv\n  cfb-storage write plays --partition season=2024,week=1 --from extra.ndjson --append\n  cfb-storage write plays --partition-by season,week --from plays-2024.parquet',
    )
    .action(async (entity: string, options: WriteFlags) => {
      if ((options.partition === undefined) === (options.partitionBy === undefined)) {
        throw new UsageError('give either --partition k=v,... or --partition-by col,...')
      }
      const partition = options.partition === undefined ? undefined : parsePartition(options.partition)
      const partitionBy = options.partitionBy?.split(',').map((c) => c.trim()).filter(Boolean)
      const rows = await readRowsFile(options.from)
      const backend = await openBackend(options.backend, io.env)
      const writeOptions = { overwrite: !options.append, format: options.format }
      const mode = options.append ? 'append' : 'overwrite'
      try {
        if (partition) {
          const written = await backend.write(entity, rows, partition, writeOptions)
          const where = `${entity}/${Object.entries(partition).map(([k, v]) => `${k}=${v}`).join('/')}`
          if (program.opts().json) print(io, JSON.stringify({ entity, partition, rows: written, mode }))
          else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${where}`)
        } else {
          const written = await backend.writePartitioned(entity, rows, partitionBy!, writeOptions)
          if (program.opts().json) print(io, JSON.stringify({ entity, partitionBy, rows: written, mode }))
          else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${entity}, partitioned by ${partitionBy!.join(', ')}`)
        }
      } finally {
        closeBackend(backend)
      }
    })
}
