import type { Row } from '@cfb/storage-core'
import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { CSV_TYPES, parseDelimiter, parseTypes } from '../csv-input.js'
import { parsePartition } from '../filter-args.js'
import { openRowsFile } from '../input-file.js'
import { type Io, print } from '../io.js'
import { groupByPartition } from '../partition-groups.js'
import { formatBytes, stepReporter } from '../progress.js'
import { UsageError } from '../usage-error.js'


interface WriteFlags {
  partition?: string
  partitionBy?: string
  from: string
  backend: string
  append?: boolean
  allowEmpty?: boolean
  lossy?: boolean
  delimiter?: string
  type?: string
}

/**
 * Partition values as folder names take numbers, text, booleans and null. Files from DuckDB and
 * pyarrow carry integers as int64 (JavaScript bigint): those a number holds exactly become
 * numbers; data columns keep their bigints.
 */
function numberPartitionValues(rows: Row[], columns: readonly string[]): void {
  for (const row of rows) {
    for (const column of columns) {
      const value = row[column]
      if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
        row[column] = Number(value)
      }
    }
  }
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
    .option('--allow-empty', 'let a file with no rows replace a partition with nothing')
    .option('--lossy', "accept the value changes a foreign Parquet file's types imply (float32, decimal, timestamp[us], date, binary)")
    .option('--delimiter <char>', 'CSV field delimiter (default ,), e.g. ";" or tab')
    .option('--type <col=type,...>', `CSV column types instead of inferred ones (${CSV_TYPES.join(', ')}), e.g. zip=string`)
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage write games --partition season=2024,week=1 --from week1.csv\n  cfb-storage write plays --partition season=2024,week=1 --from extra.ndjson --append\n  cfb-storage write plays --partition-by season,week --from plays-2024.parquet\n  cfb-storage write teams -p season=2024 --from teams.csv --delimiter ";" --type zip=string',
    )
    .action(async (entity: string, options: WriteFlags) => {
      if ((options.partition === undefined) === (options.partitionBy === undefined)) {
        throw new UsageError('give either --partition k=v,... or --partition-by col,...')
      }
      const partition = options.partition === undefined ? undefined : parsePartition(options.partition)
      const partitionBy = options.partitionBy?.split(',').map((c) => c.trim()).filter(Boolean)
      const csv = { delimiter: parseDelimiter(options.delimiter), types: parseTypes(options.type) }
      const json = Boolean(program.opts().json)
      const steps = stepReporter('write', io.stderr, json)
      steps.step(`reading ${options.from}`)
      const input = await openRowsFile(options.from, { csv, lossy: options.lossy })
      // The file is read a piece at a time; what is held is its rows, which one table version
      // takes in one call (see the README on memory).
      const rows: Row[] = []
      for await (const batch of input.batches(({ bytes, totalBytes, rows: count }) => {
        steps.step(`reading ${options.from}: ${count} rows, ${formatBytes(bytes)} of ${formatBytes(totalBytes)}`)
      })) {
        if (partitionBy) numberPartitionValues(batch, partitionBy)
        for (const row of batch) rows.push(row)
      }
      if (rows.length === 0 && !options.append && !options.allowEmpty) {
        throw new UsageError(`--from ${JSON.stringify(options.from)} has no rows: replacing ${partition ? 'the partition' : 'partitions'} with nothing needs --allow-empty`)
      }
      const backend = await openBackend(options.backend, io.env, 'write')
      const writeOptions = { overwrite: !options.append }
      const mode = options.append ? 'append' : 'overwrite'
      try {
        if (partition) {
          steps.step(`writing ${rows.length} rows`)
          const written = await backend.write(entity, rows, partition, writeOptions)
          steps.done()
          const where = `${entity}/${Object.entries(partition).map(([k, v]) => `${k}=${v}`).join('/')}`
          if (program.opts().json) print(io, JSON.stringify({ entity, partition, rows: written, mode }))
          else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${where}`)
        } else {
          steps.done()
          const groups = groupByPartition(rows, partitionBy!)
          // One call, one table version: every partition lands, or none does.
          steps.step(`writing ${rows.length} rows to ${groups.length} partitions`)
          const written = await backend.writePartitioned(entity, groups.flatMap((g) => g.rows), partitionBy!, writeOptions)
          steps.done()
          if (program.opts().json) print(io, JSON.stringify({ entity, partitionBy, rows: written, mode }))
          else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${entity}, partitioned by ${partitionBy!.join(', ')}`)
        }
      } finally {
        steps.done()
        closeBackend(backend)
      }
    })
}
