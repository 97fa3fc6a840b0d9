import { StorageError } from '../errors.js'

/**
 * The one key normaliser, called at the edge (the storage facade) and trusted inside.
 * An allow-list, not a deny-list: anything not explicitly fine is `INVALID_ARGUMENT`.
 */

/** S3 and R2 allow 1,024 bytes per key; local filesystems 255 per segment. */
export const MAX_KEY_BYTES = 1024
export const MAX_SEGMENT_BYTES = 255
const NAME_MAX = 128

// Control characters (C0, DEL, C1) and backslash never belong in a key: they hide or escape.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/
const ENTITY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
/** Half a surrogate pair: text that has no UTF-8 form, so no key, file name or Parquet string can hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Node 20 has String.prototype.isWellFormed (ES2024), a native scan faster than the regex. */
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed

export function isWellFormedText(text: string): boolean {
  return nativeWellFormed ? nativeWellFormed.call(text) : !LONE_SURROGATE.test(text)
}
// A letter first: integer-like keys would be reordered by JavaScript objects, losing key order.
const PARTITION_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/
const encoder = new TextEncoder()

function invalid(message: string, key?: string): StorageError {
  return new StorageError('INVALID_ARGUMENT', message, { key })
}

function describe(value: unknown): string {
  return JSON.stringify(String(value)).slice(0, 80)
}

/** An entity is one folder name: `games`, `team_game`. */
export function validateEntity(entity: unknown): string {
  if (typeof entity !== 'string' || !ENTITY.test(entity) || entity.length > NAME_MAX) {
    throw invalid(
      `invalid entity name ${describe(entity)}: use 1-${NAME_MAX} characters of A-Z a-z 0-9 _ . -, starting with a letter or digit`,
    )
  }
  return entity
}

/** A partition key names a Hive folder level: `season`, `week`. */
export function validatePartitionKey(key: unknown): string {
  if (typeof key !== 'string' || !PARTITION_KEY.test(key) || key.length > NAME_MAX) {
    throw invalid(
      `invalid partition key ${describe(key)}: use 1-${NAME_MAX} characters of A-Z a-z 0-9 _ -, starting with a letter`,
    )
  }
  return key
}

function checkSegments(path: string, allowTrailingSlash: boolean): void {
  const body = allowTrailingSlash && path.endsWith('/') ? path.slice(0, -1) : path
  for (const segment of body.split('/')) {
    if (segment === '') throw invalid(`invalid path ${describe(path)}: empty segment`, path)
    if (segment === '.' || segment === '..') {
      throw invalid(`invalid path ${describe(path)}: '.' and '..' segments are not allowed`, path)
    }
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
      throw invalid(`invalid path ${describe(path)}: a segment is over ${MAX_SEGMENT_BYTES} bytes`, path)
    }
  }
}

function checkCommon(path: unknown): string {
  if (typeof path !== 'string') throw invalid(`invalid path ${describe(path)}: expected a string`)
  if (FORBIDDEN.test(path)) {
    throw invalid(`invalid path ${describe(path)}: control characters and backslashes are not allowed`, path)
  }
  if (!isWellFormedText(path)) throw invalid(`invalid path ${describe(path)}: not valid Unicode (a lone surrogate)`, path)
  if (path.startsWith('/')) throw invalid(`invalid path ${describe(path)}: paths are relative to the root`, path)
  if (encoder.encode(path).length > MAX_KEY_BYTES) {
    throw invalid(`invalid path ${describe(path)}: over ${MAX_KEY_BYTES} bytes`, path)
  }
  return path
}

/** An object key relative to the root: `games/season=2024/week=1/part-0.parquet`. */
export function normalizeKey(path: unknown): string {
  const key = checkCommon(path)
  if (key === '') throw invalid('invalid path "": expected a file path', key)
  checkSegments(key, false)
  return key
}

/**
 * A listing prefix: any string prefix of a valid key (it need not end at a folder boundary).
 * The empty prefix lists everything.
 */
export function normalizePrefix(prefix: unknown = ''): string {
  const value = checkCommon(prefix)
  if (value === '') return value
  // The last segment may be a partial name, so only complete segments are checked strictly.
  const cut = value.lastIndexOf('/')
  if (cut >= 0) checkSegments(value.slice(0, cut + 1), true)
  return value
}

/** True for names that are never data: `_commits`, `_SUCCESS`, `.DS_Store`, macOS `._x`. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.')
}
