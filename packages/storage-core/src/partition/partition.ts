import { StorageError } from '../errors.js'
import { isWellFormedText, validatePartitionKey } from '../keys/keys.js'

/** A partition value as it is written into a Hive folder name. */
export type PartitionValue = string | number | boolean | null
export type PartitionInput = Record<string, PartitionValue>
/** The JavaScript type a partition value had when written, so reads give it back the same. */
export type PartitionValueType = 'string' | 'number' | 'boolean' | 'null'

/** Hive's marker for a null partition value (Arrow, Spark and DuckDB use the same). */
export const NULL_MARKER = '__HIVE_DEFAULT_PARTITION__'

const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * Percent-encodes every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~` as upper-case `%XX`,
 * as Arrow and DuckDB write Hive segments.
 */
export function encodeSegment(text: string): string {
  let out = ''
  for (const char of text) {
    if (UNRESERVED.test(char)) {
      out += char
    } else {
      for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
    }
  }
  return out
}

/** Decodes any `%XX` (upper or lower case); other characters stand for themselves. */
export function decodeSegment(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch (cause) {
    throw new StorageError('INVALID_ARGUMENT', `invalid percent-encoding in ${JSON.stringify(text)}`, { cause })
  }
}

export function valueType(value: PartitionValue): PartitionValueType {
  return value === null ? 'null' : (typeof value as PartitionValueType)
}

function checkValue(key: string, value: unknown): PartitionValue {
  if (typeof value === 'string' && !isWellFormedText(value)) {
    throw new StorageError('INVALID_ARGUMENT', `partition value of ${key} is not valid Unicode (a lone surrogate)`)
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new StorageError('INVALID_ARGUMENT', `partition value of ${key} must be finite, got ${value}`)
    }
    return value
  }
  throw new StorageError(
    'INVALID_ARGUMENT',
    `partition value of ${key} must be a string, number, boolean or null, got ${value === undefined ? 'undefined' : typeof value}`,
  )
}

/** The folder-name form of a value: `2024`, `true`, the null marker, or the escaped text. */
export function encodeValue(value: PartitionValue): string {
  if (value === null) return NULL_MARKER
  // A literal string equal to the null marker must not read back as null: escape its first byte.
  if (value === NULL_MARKER) return `%5F${NULL_MARKER.slice(1)}`
  return encodeSegment(String(value))
}

/** Canonical text of a value, the form in which `2024` and `"2024"` are the same partition. */
export function canonicalText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return String(value)
}

/**
 * Types a folder-name value with no record of how it was written, as DuckDB's Hive type
 * inference does: canonical numbers become numbers, the marker null, the rest strings.
 */
export function inferValue(raw: string): PartitionValue {
  if (raw === NULL_MARKER) return null
  const text = decodeSegment(raw)
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text) && String(Number(text)) === text) return Number(text)
  return text
}

/** Types a folder-name value by the type it was written with. */
export function typedValue(raw: string, type: PartitionValueType | undefined): PartitionValue {
  if (raw === NULL_MARKER) return null
  if (type === undefined) return inferValue(raw)
  const text = decodeSegment(raw)
  if (type === 'number') return Number(text)
  if (type === 'boolean') return text === 'true'
  return text
}

/**
 * A Hive partition: ordered keys and their values. `pathSuffix()` is `season=2024/week=1`.
 */
export class Partition {
  readonly values: Readonly<PartitionInput>

  constructor(values: PartitionInput) {
    const proto = values === null || typeof values !== 'object' ? undefined : Object.getPrototypeOf(values)
    if (proto !== Object.prototype && proto !== null) {
      throw new StorageError('INVALID_ARGUMENT', 'a partition is a plain object of key/value pairs, such as { season: 2024 }')
    }
    const checked: PartitionInput = {}
    for (const [key, value] of Object.entries(values)) {
      checked[validatePartitionKey(key)] = checkValue(key, value)
    }
    this.values = Object.freeze(checked)
  }

  /** Coerces a plain object or a Partition into a Partition. */
  static from(input: Partition | PartitionInput): Partition {
    if (input instanceof Partition) return input
    // A Partition from another copy of this package (two installs, or src beside dist) is still one.
    const foreign = input as { values?: unknown; pathSuffix?: unknown }
    if (typeof foreign?.pathSuffix === 'function' && foreign.values && typeof foreign.values === 'object') {
      return new Partition(foreign.values as PartitionInput)
    }
    return new Partition(input)
  }

  /** Parses `season=2024/week=1` (a trailing slash is fine). Values are typed by `types` or inferred. */
  static parse(suffix: string, types: Record<string, PartitionValueType> = {}): Partition {
    const values: PartitionInput = {}
    const body = suffix.replace(/^\/+|\/+$/g, '')
    if (body === '') return new Partition({})
    for (const segment of body.split('/')) {
      const eq = segment.indexOf('=')
      if (eq <= 0) {
        throw new StorageError('INVALID_ARGUMENT', `not a Hive partition segment: ${JSON.stringify(segment)}`)
      }
      const key = decodeSegment(segment.slice(0, eq))
      values[key] = typedValue(segment.slice(eq + 1), types[key])
    }
    return new Partition(values)
  }

  get keys(): string[] {
    return Object.keys(this.values)
  }

  /** Value types as written, recorded in commit files. */
  types(): Record<string, PartitionValueType> {
    return Object.fromEntries(Object.entries(this.values).map(([k, v]) => [k, valueType(v)]))
  }

  pathSuffix(): string {
    return Object.entries(this.values)
      .map(([key, value]) => `${encodeSegment(key)}=${encodeValue(value)}`)
      .join('/')
  }

  equals(other: Partition): boolean {
    return this.pathSuffix() === other.pathSuffix()
  }

  toString(): string {
    return this.pathSuffix()
  }

  toJSON(): PartitionInput {
    return { ...this.values }
  }
}
