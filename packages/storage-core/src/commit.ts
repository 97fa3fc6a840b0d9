import { StorageError } from './errors.js'
import type { FileFormat } from './backend.js'
import type { ColumnType, TableSchema } from './codecs/schema.js'
import type { PartitionInput, PartitionValueType } from './partition.js'
import { WRITE_ID_PATTERN } from './write-id.js'

/**
 * The commit protocol: data files are written first under unique names, then one small immutable
 * commit file makes them visible. A reader takes the newest overwrite commit and every later append.
 */
export const COMMITS_DIR = '_commits'

export interface CommitFileEntry {
  /** File name inside the partition folder. */
  name: string
  rows: number
  bytes: number
  sha256?: string
  /** A legacy file adopted by an append: typed as legacy files are, not by this commit's schema. */
  legacy?: boolean
  /**
   * The Parquet footer (base64), so a reader plans its column reads with no request for it: over
   * S3 a filtered read fetches only the column chunks it needs.
   */
  footer?: string
}

export interface Commit {
  version: 1
  writeId: string
  mode: 'overwrite' | 'append'
  format: FileFormat
  entity: string
  partition: { values: PartitionInput; types: Record<string, PartitionValueType> }
  rows: number
  files: CommitFileEntry[]
  schema: TableSchema
  createdAt: string
}

export function commitKey(dir: string, writeId: string): string {
  return `${dir}/${COMMITS_DIR}/${writeId}.json`
}

/** The write id of a commit file name `<writeId>.json`, or undefined for anything else. */
export function commitIdFromName(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined
  const id = name.slice(0, -'.json'.length)
  return WRITE_ID_PATTERN.test(id) ? id : undefined
}

export function encodeCommit(commit: Commit): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(commit, null, 2)}\n`)
}

/** Parses and checks a commit file; anything unexpected is `CORRUPT_DATA` naming the key. */
export function parseCommit(bytes: Uint8Array, key: string): Commit {
  let value: any
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new StorageError('CORRUPT_DATA', `commit file is not valid JSON: ${key}`, { key, cause })
  }
  const ok =
    value !== null &&
    typeof value === 'object' &&
    value.version === 1 &&
    typeof value.writeId === 'string' &&
    (value.mode === 'overwrite' || value.mode === 'append') &&
    Array.isArray(value.files) &&
    value.files.every((f: any) => f && typeof f.name === 'string' && !f.name.includes('/')) &&
    value.schema &&
    Array.isArray(value.schema.columns) &&
    value.schema.columns.every((c: any) => c && typeof c.name === 'string' && COLUMN_TYPES.has(c.type)) &&
    value.partition &&
    value.partition.types !== null &&
    typeof value.partition.types === 'object'
  if (!ok) throw new StorageError('CORRUPT_DATA', `not a valid commit file: ${key}`, { key })
  return value as Commit
}

const COLUMN_TYPES = new Set<ColumnType>(['int', 'float', 'bigint', 'boolean', 'string', 'timestamp', 'json', 'binary', 'null'])

const PART_FILE = /^part-([0-9A-HJKMNP-TV-Z]{26})-\d+\.(parquet|csv)$/

/** The write id embedded in a data file name we wrote, or undefined for foreign/legacy files. */
export function writeIdOfDataFile(name: string): string | undefined {
  return PART_FILE.exec(name)?.[1]
}

export function dataFileName(writeId: string, index: number, format: FileFormat): string {
  return `part-${writeId}-${index}.${format}`
}
