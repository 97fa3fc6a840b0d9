import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { decodeCsv, decodeParquet, type Row } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

/** Rows from a `.csv`, `.json` (an array of objects), `.ndjson` or `.parquet` file. */
export async function readRowsFile(path: string): Promise<Row[]> {
  const ext = extname(path).toLowerCase()
  if (!['.csv', '.json', '.ndjson', '.jsonl', '.parquet'].includes(ext)) {
    throw new UsageError(`--from ${JSON.stringify(path)}: use a .csv, .json, .ndjson or .parquet file`)
  }
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new UsageError(`--from ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`)
  }
  if (ext === '.csv') return decodeCsv(bytes, undefined, path)
  if (ext === '.parquet') {
    return decodeParquet(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
  const text = bytes.toString('utf8')
  try {
    if (ext === '.json') {
      const value = JSON.parse(text)
      if (!Array.isArray(value)) throw new Error('expected an array of objects')
      return value
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line))
  } catch (error) {
    throw new UsageError(`--from ${JSON.stringify(path)}: not valid ${ext.slice(1)} (${(error as Error).message})`)
  }
}
