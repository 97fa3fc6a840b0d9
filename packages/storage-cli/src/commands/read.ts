import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { type Filters, type ObjectStorage, StorageError, type TableSchema } from '@cfb/storage-core'
import { type Command, Option } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { csvOnTwoThreads, TWO_THREADS_MIN_BYTES } from '../csv-on-two-threads.js'
import { collect, FILTER_OPTION_HELP, parseFilters } from '../filter-args.js'
import { INPUT_EXTENSIONS, openFileAsEntity } from '../input-file.js'
import { emit, type Io, stdoutFile } from '../io.js'
import { openOutFile } from '../out-file.js'
import { CsvColumnWriter, OUTPUT_FORMATS, type OutputFormat, rowWriter, TABLE_ROWS } from '../row-output.js'
import { UsageError } from '../usage-error.js'

/** The format an `--out` file's extension names (`plays.parquet`), else NDJSON. */
function formatForFile(path: string): OutputFormat {
  const byExtension: Record<string, OutputFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.parquet': 'parquet' }
  return byExtension[extname(path).toLowerCase()] ?? 'ndjson'
}

/** `read in/plays.parquet`: a path (it has a folder or names an existing file), not an entity. */
function isFilePath(target: string): boolean {
  if (!INPUT_EXTENSIONS.includes(extname(target).toLowerCase())) return false
  return target.includes('/') || target.includes('\\') || existsSync(target)
}

/**
 * Refuses columns the entity does not have, before any row is printed: the first row of a scan
 * without projection carries every column the entity's files declare. An entity with no rows has
 * nothing to refuse.
 */
async function checkColumns(backend: ObjectStorage, entity: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  let known: string[] | undefined = await backend.schema(entity).then(
    (info) => info.columns.map((c) => c.name),
    () => undefined,
  )
  // A plain folder has no schema up front: its first row tells.
  if (!known) {
    for await (const batch of backend.scan(entity, undefined, { batchSize: 1 })) {
      if (batch[0]) known = Object.keys(batch[0])
      break
    }
  }
  if (!known) return
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    const shown = known.length > 30 ? `${known.slice(0, 30).join(', ')}, ...` : known.join(', ')
    throw new StorageError('INVALID_ARGUMENT', `unknown column ${unknown.map((n) => JSON.stringify(n)).join(', ')} in ${entity} (it has ${shown})`)
  }
}

/**
 * The schema a Parquet output is written under before any row is read: the table's latest, which
 * holds every column an older version had with the same type, in `--columns` order when given.
 * A plain folder has none.
 */
async function outputSchema(backend: ObjectStorage, entity: string, columns: readonly string[] | undefined): Promise<TableSchema | undefined> {
  const info = await backend.schema(entity).catch(() => undefined)
  if (!info) return undefined
  const types = new Map(info.columns.map((c) => [c.name, c.type ?? 'null'] as const))
  const names = (columns ?? info.columns.map((c) => c.name)).filter((name) => types.has(name))
  return { columns: names.map((name) => ({ name, type: types.get(name)! })) }
}

interface ReadOptions {
  backend: string
  filter: string[]
  columns?: string
  limit?: string
  format?: OutputFormat
  out?: string
  asOf?: string
}

export function addReadCommand(program: Command, io: Io): void {
  program
    .command('read')
    .description('read rows of an entity (or of one .parquet/.csv/.json/.ndjson file), pruned by partition filters, filtered and projected')
    .argument('<entity>', 'entity name, e.g. plays, or a file path, e.g. in/plays.parquet')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('-f, --filter <condition>', FILTER_OPTION_HELP, collect, [])
    .option('-c, --columns <a,b,...>', 'only these columns')
    .option('-n, --limit <n>', `at most n rows (a table shows ${TABLE_ROWS} unless given)`)
    .addOption(new Option('--format <format>', 'output format (default: from the --out extension, else table on a terminal, else ndjson)').choices(OUTPUT_FORMATS))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--as-of <version>', 'read the table as it was at this version (see cfb-storage history)')
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage read plays -f season=2024 -f week=1,2 --columns play_id,yards --limit 20\n  cfb-storage read games -f "home_points>=40" --format csv --out big-wins.csv\n  cfb-storage read in/plays.parquet -f "yards_gained>=40"',
    )
    .action(async (target: string, options: ReadOptions) => {
      const filters = parseFilters(options.filter)
      const columns = options.columns?.split(',').map((c) => c.trim()).filter(Boolean)
      if (columns?.length === 0) throw new UsageError('--columns needs at least one column name, e.g. --columns play_id,yards')
      const given = options.limit === undefined ? undefined : Number(options.limit)
      if (given !== undefined && !(Number.isInteger(given) && given >= 0)) {
        throw new UsageError(`--limit must be a whole number, got ${JSON.stringify(options.limit)}`)
      }
      const format: OutputFormat = options.format ?? (options.out ? formatForFile(options.out) : io.stdout.isTTY ? 'table' : 'ndjson')
      if (format === 'parquet' && !options.out && io.stdout.isTTY) {
        throw new UsageError('--format parquet writes binary: add --out <file>')
      }
      const limit = given ?? (format === 'table' ? TABLE_ROWS : Number.POSITIVE_INFINITY)
      const version = options.asOf === undefined ? undefined : Number(options.asOf)
      if (version !== undefined && !(Number.isInteger(version) && version >= 0)) {
        throw new UsageError(`--as-of must be a table version (a whole number), got ${JSON.stringify(options.asOf)}`)
      }
      const file = isFilePath(target)
      const { backend, entity } = file ? await openFileAsEntity(target) : { backend: await openBackend(options.backend, io.env), entity: target }
      try {
        await checkColumns(backend, entity, [...new Set([...(columns ?? []), ...Object.keys(filters)])])
        // A backend a worker thread can open again by its spec: not a file given as the entity, nor memory.
        const spec = file || backend.name === 'memory' ? undefined : options.backend
        const shown = await copyRows(backend, entity, { filters, columns, version, spec }, limit, format, options.out, io)
        if (format === 'table' && given === undefined && shown.more) {
          io.stderr.write(`(the first ${TABLE_ROWS} rows; --limit n shows more, --format ndjson or csv all of them)\n`)
        }
      } finally {
        closeBackend(backend)
      }
    })
}

/**
 * The version of a read of a table worth two threads (`TWO_THREADS_MIN_BYTES`, and a second core
 * this process may run on), else undefined.
 */
async function largeRead(backend: ObjectStorage, entity: string, filters: Filters, version: number | undefined): Promise<number | undefined> {
  if (availableParallelism() < 2) return undefined
  const read = await backend.dataFiles(entity, filters, { version })
  const bytes = read.files.reduce((sum, file) => sum + file.size, 0)
  return read.files.length >= 2 && bytes >= TWO_THREADS_MIN_BYTES ? read.version : undefined
}

/** Streams the scan's rows into the output a batch at a time, stopping at `limit`. */
async function copyRows(
  backend: ObjectStorage,
  entity: string,
  { filters, columns, version, spec }: { filters: Filters; columns: string[] | undefined; version: number | undefined; spec: string | undefined },
  limit: number,
  format: OutputFormat,
  out: string | undefined,
  io: Io,
): Promise<{ more: boolean }> {
  const schema = format === 'parquet' ? await outputSchema(backend, entity, columns) : undefined
  // A table's rows all have its columns, so CSV can be written from the scan's columns as they
  // are decoded; a plain folder's files may differ, and its rows are gathered a batch at a time.
  const byColumn = format === 'csv' && (await backend.schema(entity).then(() => true, () => false))
  const file = out === undefined ? undefined : openOutFile(out)
  const toFile = file ? undefined : stdoutFile(io.stdout)
  const sink = file ?? toFile ?? { write: (chunk: string | Uint8Array) => emit(io.stdout, chunk) }
  const writer = rowWriter(format, sink, limit, schema)
  let rows = 0
  let more = false
  try {
    const large = byColumn && limit === Number.POSITIVE_INFINITY && spec !== undefined ? await largeRead(backend, entity, filters, version) : undefined
    if (large !== undefined) {
      await csvOnTwoThreads(backend, { spec: spec!, env: io.env, entity, filters, columns, version: large }, sink)
    } else if (limit > 0 && byColumn) {
      const csv = new CsvColumnWriter(sink)
      for await (const slice of backend.scanColumns(entity, filters, { columns, version })) {
        const room = limit - rows
        if (slice.length > room) more = true
        const kept = Math.min(slice.length, room)
        await csv.write(slice, kept)
        rows += kept
        if (rows >= limit) break
      }
    } else if (limit > 0) {
      for await (const batch of backend.scan(entity, filters, { columns, version })) {
        const room = limit - rows
        if (batch.length > room) more = true
        const kept = batch.length > room ? batch.slice(0, room) : batch
        await writer.write(kept)
        rows += kept.length
        if (rows >= limit) break
      }
    }
    await writer.end()
    await file?.commit()
    await toFile?.end()
  } catch (error) {
    await file?.abort()
    throw error
  }
  return { more }
}
