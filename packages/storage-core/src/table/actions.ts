import { StorageError } from '../errors.js'

/**
 * The Delta log's actions (PROTOCOL.md, "Actions"), as JSON objects. Fields this engine never
 * reads are kept as they came, so a checkpoint carries them on.
 */
export interface Protocol {
  minReaderVersion: number
  minWriterVersion: number
  readerFeatures?: string[]
  writerFeatures?: string[]
}

export interface Metadata {
  id: string
  name?: string | null
  description?: string | null
  format: { provider: string; options: Record<string, string> }
  schemaString: string
  partitionColumns: string[]
  createdTime?: number | null
  configuration: Record<string, string>
}

export interface AddFile {
  path: string
  partitionValues: Record<string, string | null>
  size: number
  modificationTime: number
  dataChange: boolean
  /** JSON text: `{ numRecords, minValues, maxValues, nullCount }`. */
  stats?: string | null
  tags?: Record<string, string> | null
  deletionVector?: unknown
}

export interface RemoveFile {
  path: string
  deletionTimestamp?: number | null
  dataChange: boolean
  extendedFileMetadata?: boolean | null
  partitionValues?: Record<string, string | null> | null
  size?: number | null
  stats?: string | null
}

export interface Txn {
  appId: string
  version: number
  lastUpdated?: number | null
}

export interface CommitInfo {
  timestamp: number
  operation: string
  operationParameters: Record<string, string>
  operationMetrics?: Record<string, string>
  readVersion?: number
  isBlindAppend?: boolean
  engineInfo?: string
  txnId?: string
  [key: string]: unknown
}

export type Action =
  | { protocol: Protocol }
  | { metaData: Metadata }
  | { add: AddFile }
  | { remove: RemoveFile }
  | { txn: Txn }
  | { commitInfo: CommitInfo }

/** One version's actions as newline-delimited JSON, the format of `<version>.json`. */
export function encodeActions(actions: readonly Action[]): Uint8Array {
  return new TextEncoder().encode(`${actions.map((a) => JSON.stringify(a)).join('\n')}\n`)
}

/**
 * Parses a commit file. Action kinds this engine does not know (`cdc`, `domainMetadata`, ...) are
 * skipped, as the protocol lets readers do; known ones are checked, and a malformed file is
 * CORRUPT_DATA naming the key and line.
 */
export function parseActions(bytes: Uint8Array, key: string): Action[] {
  const actions: Action[] = []
  let empty = true
  let index = 0
  for (const line of lines(bytes)) {
    index++
    if (line.trim() === '') continue
    empty = false
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (cause) {
      throw new StorageError('CORRUPT_DATA', `line ${index} of ${key} is not JSON`, { key, cause })
    }
    const action = checkAction(value)
    if (action === false) throw new StorageError('CORRUPT_DATA', `line ${index} of ${key} is not a valid Delta action`, { key })
    if (action) actions.push(action)
  }
  if (empty) throw new StorageError('CORRUPT_DATA', `${key} is empty`, { key })
  return actions
}

/**
 * The UTF-8 text of each line, as decoding the whole file and splitting it at `\n` gives them (a
 * leading byte order mark dropped, malformed bytes as U+FFFD), without making one string of the
 * whole file: a string that large is many times slower to make than its lines.
 */
function* lines(bytes: Uint8Array): Generator<string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0
  for (;;) {
    const end = buffer.indexOf(0x0a, at)
    if (end < 0) break
    yield buffer.toString('utf8', at, end)
    at = end + 1
  }
  yield buffer.toString('utf8', at)
}

/**
 * Data file paths are relative URIs inside the table (absolute ones, which the protocol allows,
 * would let a log reach anywhere; this engine never writes them and refuses to follow them).
 */
function isRelativePath(path: unknown): boolean {
  if (typeof path !== 'string' || path === '' || path.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(path)) return false
  // Without escapes each segment is as written: checked in one pass, with no strings made.
  if (!path.includes('%')) return plainSegmentsOk(path)
  try {
    return path.split('/').every((segment) => {
      const s = decodeURIComponent(segment)
      return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\\')
    })
  } catch {
    return false
  }
}

/** Segments of `path` (split at `/`, nothing escaped) that are neither empty, `.`, `..` nor hold `\\`. */
function plainSegmentsOk(path: string): boolean {
  let start = 0
  for (let i = 0; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : SLASH
    if (c === BACKSLASH) return false
    if (c !== SLASH) continue
    const length = i - start
    if (length === 0 || (path.charCodeAt(start) === DOT && (length === 1 || (length === 2 && path.charCodeAt(start + 1) === DOT)))) return false
    start = i + 1
  }
  return true
}

const SLASH = 0x2f
const BACKSLASH = 0x5c
const DOT = 0x2e

const EMPTY_SCHEMA = '{"type":"struct","fields":[]}'

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStringMap = (v: unknown) => isObject(v) && Object.values(v).every((x) => x === null || typeof x === 'string')

/** The action, undefined for a kind we skip, false for a malformed one. */
export function checkAction(value: unknown): Action | undefined | false {
  if (!isObject(value)) return false
  if ('add' in value && value.add != null) {
    const a = value.add
    return isObject(a) && isRelativePath(a.path) && isStringMap(a.partitionValues) && typeof a.size === 'number' ? (value as Action) : false
  }
  if ('remove' in value && value.remove != null) {
    return isObject(value.remove) && isRelativePath(value.remove.path) ? (value as Action) : false
  }
  if ('metaData' in value && value.metaData != null) {
    const m = value.metaData
    if (!isObject(m) || !(m.schemaString == null || typeof m.schemaString === 'string')) return false
    if (!(m.partitionColumns == null || Array.isArray(m.partitionColumns))) return false
    // Logs written action by action (Spark's commitManually) may carry no schema: an empty table.
    return {
      metaData: {
        ...m,
        schemaString: m.schemaString ?? EMPTY_SCHEMA,
        partitionColumns: m.partitionColumns ?? [],
        configuration: m.configuration ?? {},
        format: m.format ?? { provider: 'parquet', options: {} },
      } as Metadata,
    }
  }
  if ('protocol' in value && value.protocol != null) {
    const p = value.protocol
    return isObject(p) && typeof p.minReaderVersion === 'number' ? (value as Action) : false
  }
  if ('txn' in value && value.txn != null) {
    return isObject(value.txn) && typeof value.txn.appId === 'string' ? (value as Action) : false
  }
  if ('commitInfo' in value && value.commitInfo != null) return value as Action
  return undefined
}
