import { writeFile } from 'node:fs/promises'
import { extname } from 'node:path'
import type { Row } from '@cfb/storage-core'
import { type Command, Option } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { parseFilters } from '../filter-args.js'
import type { Io } from '../io.js'
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../row-output.js'
import { UsageError } from '../usage-error.js'

/** The format an `--out` file's extension names (`plays.parquet`), else NDJSON. */
function formatForFile(path: string): OutputFormat {
  const byExtension: Record<string, OutputFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.parquet': 'parquet' }
  return byExtension[extname(path).toLowerCase()] ?? 'ndjson'
}

interface ReadOptions {
  backend: string
  filter?: string[]
  columns?: string
  limit?: string
  format?: OutputFormat
  out?: string
}

export function addReadCommand(program: Command, io: Io): void {
  program
    .command('read')
    .description('read rows of an entity, pruned by partition filters, filtered and projected')
    .argument('<entity>', 'entity name, e.g. plays')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('-f, --filter <condition...>', 'key=value | key=v1,v2 | key>=value | key<value | key!=value')
    .option('-c, --columns <a,b,...>', 'only these columns')
    .option('-n, --limit <n>', 'at most n rows')
    .addOption(new Option('--format <format>', 'output format (default: from the --out extension, else table on a terminal, else ndjson)').choices(OUTPUT_FORMATS))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage read plays --filter season=2024 --filter week=1,2 --columns play_id,yards --limit 20\n  cfb-storage read games --filter "home_points>=40" --format csv --out big-wins.csv',
    )
    .action(async (entity: string, options: ReadOptions) => {
      const filters = parseFilters(options.filter)
      const columns = options.columns?.split(',').map((c) => c.trim()).filter(Boolean)
      if (columns?.length === 0) throw new UsageError('--columns needs at least one column name, e.g. --columns play_id,yards')
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : Number(options.limit)
      if (!(limit >= 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
        throw new UsageError(`--limit must be a whole number, got ${JSON.stringify(options.limit)}`)
      }
      const format: OutputFormat = options.format ?? (options.out ? formatForFile(options.out) : io.stdout.isTTY ? 'table' : 'ndjson')
      if (format === 'parquet' && !options.out && io.stdout.isTTY) {
        throw new UsageError('--format parquet writes binary: add --out <file>')
      }
      const backend = await openBackend(options.backend, io.env)
      const rows: Row[] = []
      try {
        // A scan holds one batch at a time, so --limit stops early instead of reading everything.
        for await (const batch of backend.scan(entity, filters, { columns })) {
          for (const row of batch) {
            if (rows.length >= limit) break
            rows.push(row)
          }
          if (rows.length >= limit) break
        }
      } finally {
        closeBackend(backend)
      }
      const bytes = formatRows(rows, format)
      if (options.out) await writeFile(options.out, bytes)
      else io.stdout.write(bytes)
    })
}
