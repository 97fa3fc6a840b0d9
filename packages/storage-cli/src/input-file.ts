import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { decodeParquet, MemoryStorage, type Row, StorageError } from '@cfb/storage-core'
import { parquetMetadata } from 'hyparquet'
import { type CsvOptions, parseCsv } from './csv-input.js'
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

/** Rows from a `.csv`, `.json` (an array of objects), `.ndjson` or `.parquet` file, every value kept exactly. */
export async function readRowsFile(path: string, options: InputOptions = {}): Promise<Row[]> {
  const label = options.label ?? `--from ${JSON.stringify(path)}`
  const ext = extname(path).toLowerCase()
  if (!INPUT_EXTENSIONS.includes(ext)) {
    throw new UsageError(`${label}: use a .csv, .json, .ndjson or .parquet file`)
  }
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new UsageError(`${label}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`)
  }
  if (ext === '.csv') return parseCsv(bytes.toString('utf8'), label, options.csv)
  if (ext === '.parquet') return readParquet(bytes, label, options.lossy ?? false)
  const text = bytes.toString('utf8')
  let rows: Row[]
  try {
    if (ext === '.json') {
      const value = JSON.parse(text)
      if (!Array.isArray(value)) throw new Error('expected an array of objects')
      rows = value
    } else {
      rows = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
    }
  } catch (error) {
    throw new UsageError(`${label}: not valid ${ext.slice(1)} (${(error as Error).message})`)
  }
  checkJsonIntegers(rows, label)
  return rows
}

async function readParquet(bytes: Buffer, label: string, lossy: boolean): Promise<Row[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  let metadata: ReturnType<typeof parquetMetadata>
  try {
    metadata = parquetMetadata(buffer)
  } catch (error) {
    throw new StorageError('CORRUPT_DATA', `${label}: not a readable Parquet file (${(error as Error).message})`)
  }
  const lost = lossy ? [] : lossyColumns(metadata)
  if (lost.length > 0) {
    const reasons = lost.map(({ column, reason }) => `column ${JSON.stringify(column)} ${reason}`).join('; ')
    throw new StorageError('INVALID_ARGUMENT', `${label}: ${reasons}. Convert ${lost.length === 1 ? 'it' : 'them'} first (e.g. to text or double), or accept the change with --lossy`)
  }
  return decodeParquet(buffer, { metadata })
}

/**
 * JSON numbers become doubles: an integer past 2^53 arrives already rounded, so it is refused
 * rather than stored as a different number.
 */
function checkJsonIntegers(rows: readonly Row[], label: string): void {
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object') return
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `${label}: record ${index + 1}, column ${JSON.stringify(column)} holds an integer beyond 2^53, which JSON reading rounds (${value}); write it as a string, or use CSV or Parquet`,
        )
      }
    }
  })
}

/** A file as an entity of a private in-memory backend, so `read` filters and projects it as it does any entity. */
export async function openFileAsEntity(path: string, options: InputOptions = {}): Promise<{ backend: MemoryStorage; entity: string }> {
  const rows = await readRowsFile(path, { lossy: true, label: JSON.stringify(path), ...options })
  const backend = new MemoryStorage()
  if (rows.length > 0) await backend.write('file', rows, {})
  return { backend, entity: 'file' }
}
