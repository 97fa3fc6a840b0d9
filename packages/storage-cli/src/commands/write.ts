import type { Row } from '@cfb/storage-core'
import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { CSV_TYPES, parseDelimiter, parseTypes } from '../csv-input.js'
import { parsePartition } from '../filter-args.js'
import { openRowsFile } from '../input-file.js'
import { onInterrupt } from '../interrupt.js'
import { type Io, print } from '../io.js'
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
  bufferRows?: string
}

/** The first batch that has rows; undefined when the input has none. */
async function firstRows(batches: AsyncGenerator<Row[]>): Promise<Row[] | undefined> {
  for (;;) {
    const next = await batches.next()
    if (next.done) return undefined
    if (next.value.length > 0) return next.value
  }
}

/** `first`, then the rest of `batches`, with int64 partition values as numbers. */
async function* withNumberPartitions(first: Row[] | undefined, batches: AsyncGenerator<Row[]>, partitionBy: readonly string[]): AsyncGenerator<Row[]> {
  if (first === undefined) return
  numberPartitionValues(first, partitionBy)
  yield first
  for await (const batch of batches) {
    numberPartitionValues(batch, partitionBy)
    yield batch
  }
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
    .option('--buffer-rows <n>', 'rows held in memory before partitions are written out as files (default 100000)')
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
      const bufferRows = options.bufferRows === undefined ? undefined : Number(options.bufferRows)
      if (bufferRows !== undefined && (!Number.isSafeInteger(bufferRows) || bufferRows < 1)) {
        throw new UsageError(`bad --buffer-rows ${JSON.stringify(options.bufferRows)}: use a positive whole number`)
      }
      const csv = { delimiter: parseDelimiter(options.delimiter), types: parseTypes(options.type) }
      const json = Boolean(program.opts().json)
      const steps = stepReporter('write', io.stderr, json)
      steps.step(`reading ${options.from}`)
      const input = await openRowsFile(options.from, { csv, lossy: options.lossy })
      const batches = input.batches(({ bytes, totalBytes, rows }) => {
        steps.step(`writing ${options.from}: ${rows} rows, ${formatBytes(bytes)} of ${formatBytes(totalBytes)} read`)
      })
      try {
        // Rows go to the table as the file is read, a bounded number held at a time; the first
        // batch with rows is read before anything else, so an empty file changes nothing.
        const first = await firstRows(batches)
        if (first === undefined && !options.append && !options.allowEmpty) {
          throw new UsageError(`--from ${JSON.stringify(options.from)} has no rows: replacing ${partition ? 'the partition' : 'partitions'} with nothing needs --allow-empty`)
        }
        const rows = withNumberPartitions(first, batches, partitionBy ?? [])
        const backend = await openBackend(options.backend, io.env, 'write')
        const mode = options.append ? 'append' : 'overwrite'
        // Ctrl-C stops the write before its commit: the files it put are removed, and the table
        // stays as it was. The signal is handled once the write has settled.
        const controller = new AbortController()
        const writeOptions = { overwrite: !options.append, bufferRows, signal: controller.signal }
        const writing = partition ? backend.write(entity, rows, partition, writeOptions) : backend.writePartitioned(entity, rows, partitionBy!, writeOptions)
        const forget = onInterrupt(async () => {
          controller.abort()
          const committed = await writing.then(() => true, () => false)
          steps.done()
          io.stderr.write(committed ? '\nwrite interrupted after its commit: the rows were written.\n' : '\nwrite interrupted: nothing was written, and the table is as it was.\n')
        })
        try {
          const written = await writing.catch(async (error: unknown) => {
            if (controller.signal.aborted) await new Promise<never>(() => {})
            throw error
          })
          steps.done()
          if (partition) {
            const where = `${entity}/${Object.entries(partition).map(([k, v]) => `${k}=${v}`).join('/')}`
            if (program.opts().json) print(io, JSON.stringify({ entity, partition, rows: written, mode }))
            else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${where}`)
          } else {
            // One call, one table version: every partition lands, or none does.
            if (program.opts().json) print(io, JSON.stringify({ entity, partitionBy, rows: written, mode }))
            else print(io, `${options.append ? 'appended' : 'wrote'} ${written} rows to ${entity}, partitioned by ${partitionBy!.join(', ')}`)
          }
        } finally {
          forget()
          steps.done()
          closeBackend(backend)
        }
      } finally {
        // firstRows started the reader, so this runs its finally and closes the file however the
        // command ends, also when nothing came to read the rest (a refused backend or entity).
        await batches.return(undefined)
      }
    })
}
