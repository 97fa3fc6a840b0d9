import { type FileHandle, open } from 'node:fs/promises'
import { extname } from 'node:path'
import { decodeParquet, MemoryStorage, type Row, StorageError } from '@cfb/storage-core'
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync } from 'hyparquet'
import { type CsvOptions, csvReader } from './csv-input.js'
import { lossyColumns } from './parquet-input.js'
import { UsageError } from './usage-error.js'

export const INPUT_EXTENSIONS = ['.csv', '.json', '.ndjson', '.jsonl', '.parquet']

export interface InputOptions {
  csv?: CsvOptions
  /** Accept the value changes a foreign Parquet file's types imply (float32 to float64, ...). */
  lossy?: boolean
  /** How messages name the file (default `--from "<path>"`). */
  label?: string
}

/** Bytes a file is read in: a CSV or NDJSON file is never held whole. */
const PIECE_BYTES = 1 << 20

/** How far a read has come, for progress. */
export interface ReadProgress {
  bytes: number
  totalBytes: number
  rows: number
}

/** An input file, opened: its size, and its rows in batches. */
export interface RowsFile {
  totalBytes: number
  /**
   * Rows in batches as the file is read: CSV and NDJSON a piece (1 MB) at a time, Parquet a row
   * group at a time, JSON (one array) whole. `progress` is told after each batch.
   */
  batches(progress?: (read: ReadProgress) => void): AsyncGenerator<Row[]>
}

/** Opens a `.csv`, `.json` (an array of objects), `.ndjson` or `.parquet` file; every value is kept exactly. */
export async function openRowsFile(path: string, options: InputOptions = {}): Promise<RowsFile> {
  const label = options.label ?? `--from ${JSON.stringify(path)}`
  const ext = extname(path).toLowerCase()
  if (!INPUT_EXTENSIONS.includes(ext)) {
    throw new UsageError(`${label}: use a .csv, .json, .ndjson or .parquet file`)
  }
  let handle: FileHandle | undefined
  let size: number
  try {
    handle = await open(path, 'r')
    const info = await handle.stat()
    if (info.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' })
    size = info.size
  } catch (error) {
    await handle?.close()
    throw new UsageError(`${label}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`)
  }
  const file = handle
  const source = (progress?: (read: ReadProgress) => void) => {
    if (ext === '.parquet') return parquetBatches(file, size, label, options.lossy ?? false, progress)
    if (ext === '.json') return jsonBatches(file, size, label, progress)
    return textBatches(file, size, ext === '.csv' ? csvParser(label, options.csv) : ndjsonParser(label), progress)
  }
  return {
    totalBytes: size,
    async *batches(progress) {
      try {
        yield* source(progress)
      } finally {
        await file.close()
      }
    },
  }
}

/** Text to rows a piece at a time; `end` gives the rows of what is left. */
interface TextParser {
  push(text: string): Row[]
  end(): Row[]
}

async function* textBatches(handle: FileHandle, size: number, parser: TextParser, progress?: (read: ReadProgress) => void): AsyncGenerator<Row[]> {
  const decoder = new TextDecoder()
  let bytes = 0
  let rows = 0
  const emit = (batch: Row[]) => {
    rows += batch.length
    progress?.({ bytes, totalBytes: size, rows })
    return batch
  }
  for await (const piece of handle.createReadStream({ highWaterMark: PIECE_BYTES, autoClose: false })) {
    bytes += (piece as Buffer).length
    const batch = emit(parser.push(decoder.decode(piece as Buffer, { stream: true })))
    if (batch.length > 0) yield batch
  }
  const last = [...parser.push(decoder.decode()), ...parser.end()]
  yield emit(last)
}

/** Core's CSV reader; its errors name the file. */
function csvParser(label: string, options?: CsvOptions): TextParser {
  const reader = csvReader(label, options)
  const named = <T>(read: () => T): T => {
    try {
      return read()
    } catch (error) {
      if (error instanceof StorageError) throw new StorageError(error.code, `${label}: ${error.message}`, { cause: error })
      throw error
    }
  }
  return { push: (text) => named(() => reader.push(text)), end: () => named(() => reader.end()) }
}

/** One JSON object a line; blank lines are skipped. */
function ndjsonParser(label: string): TextParser {
  let rest = ''
  let line = 0
  const parse = (lines: string[]): Row[] => {
    const rows: Row[] = []
    for (const text of lines) {
      line++
      if (text.trim() === '') continue
      try {
        rows.push(JSON.parse(text))
      } catch (error) {
        throw new UsageError(`${label}: not valid ndjson (line ${line}: ${(error as Error).message})`)
      }
    }
    checkJsonIntegers(rows, label, line - lines.length)
    return rows
  }
  return {
    push(text) {
      const lines = (rest + text).split('\n')
      rest = lines.pop()!
      return parse(lines)
    },
    end() {
      const lines = rest === '' ? [] : [rest]
      rest = ''
      return parse(lines)
    },
  }
}

async function* jsonBatches(handle: FileHandle, size: number, label: string, progress?: (read: ReadProgress) => void): AsyncGenerator<Row[]> {
  const text = await handle.readFile('utf8')
  let rows: Row[]
  try {
    const value = JSON.parse(text)
    if (!Array.isArray(value)) throw new Error('expected an array of objects')
    rows = value
  } catch (error) {
    throw new UsageError(`${label}: not valid json (${(error as Error).message})`)
  }
  checkJsonIntegers(rows, label, 0)
  progress?.({ bytes: size, totalBytes: size, rows: rows.length })
  yield rows
}

/** A file handle as hyparquet reads it: ranges on demand. */
function asyncBufferOf(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size) {
      const bytes = Buffer.allocUnsafe(end - start)
      let done = 0
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + done) as ArrayBuffer
    },
  }
}

async function* parquetBatches(handle: FileHandle, size: number, label: string, lossy: boolean, progress?: (read: ReadProgress) => void): AsyncGenerator<Row[]> {
  const file = asyncBufferOf(handle, size)
  let metadata: FileMetaData
  try {
    metadata = await parquetMetadataAsync(file)
  } catch (error) {
    throw new StorageError('CORRUPT_DATA', `${label}: not a readable Parquet file (${(error as Error).message})`)
  }
  const lost = lossy ? [] : lossyColumns(metadata)
  if (lost.length > 0) {
    const reasons = lost.map(({ column, reason }) => `column ${JSON.stringify(column)} ${reason}`).join('; ')
    throw new StorageError('INVALID_ARGUMENT', `${label}: ${reasons}. Convert ${lost.length === 1 ? 'it' : 'them'} first (e.g. to text or double), or accept the change with --lossy`)
  }
  let rowStart = 0
  let rows = 0
  let bytes = 0
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows)
    const batch = await decodeParquet(file, { metadata, rowStart, rowEnd })
    rowStart = rowEnd
    rows += batch.length
    bytes += Number(group.total_compressed_size ?? group.total_byte_size)
    progress?.({ bytes: Math.min(bytes, size), totalBytes: size, rows })
    yield batch
  }
}

/**
 * JSON numbers become doubles: an integer past 2^53 arrives already rounded, so it is refused
 * rather than stored as a different number.
 */
function checkJsonIntegers(rows: readonly Row[], label: string, before: number): void {
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object') return
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `${label}: record ${before + index + 1}, column ${JSON.stringify(column)} holds an integer beyond 2^53, which JSON reading rounds (${value}); write it as a string, or use CSV or Parquet`,
        )
      }
    }
  })
}

/**
 * A file as an entity of a private in-memory backend, so `read` filters and projects it as it
 * does any entity. The file's rows go in as they are read, held as Parquet, not as rows.
 */
export async function openFileAsEntity(path: string, options: InputOptions = {}): Promise<{ backend: MemoryStorage; entity: string }> {
  const file = await openRowsFile(path, { lossy: true, label: JSON.stringify(path), ...options })
  const backend = new MemoryStorage()
  await backend.write('file', file.batches(), {})
  return { backend, entity: 'file' }
}
