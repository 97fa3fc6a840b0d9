/**
 * Values of foreign Parquet files, as exact as JavaScript holds them. hyparquet's own conversions
 * lose some (decimals by a binary scale factor, pre-1970 µs/ns timestamps rounded toward 1970,
 * unannotated bytes as text, empty bare repeated fields as null, nested nulls as `undefined`),
 * so decimals are read raw and converted here, timestamps parse with floor division, and every
 * value passes one schema-guided fix-up on its way out.
 */
import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet'
import { setOwn } from './own-property.js'
import { ParquetFailure } from './parquet-check.js'

/** How DECIMAL values come back: the nearest double (default), or their exact fixed-point text. */
export type DecimalMode = 'number' | 'string'

/** Floor division, so an instant before 1970 lands on the millisecond that holds it (as pyarrow). */
function floorDiv(value: bigint, by: bigint): bigint {
  const q = value / by
  return value % by < 0n ? q - 1n : q
}

/** A Date for epoch milliseconds; outside the ±8.64e15 ms a Date holds it is an Invalid Date, caught by the fix-up. */
function dateOf(ms: bigint | number): Date {
  return new Date(Number(ms))
}

const textDecoder = new TextDecoder()

/**
 * Parsers for hyparquet. JSON-annotated text stays text (our own JSON columns are parsed by the
 * logical schema; a foreign one is returned as written, as pyarrow does); geometry stays WKB bytes.
 */
export const PARQUET_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (ms) => dateOf(ms),
  timestampFromMicroseconds: (us) => dateOf(floorDiv(us, 1000n)),
  timestampFromNanoseconds: (ns) => dateOf(floorDiv(ns, 1_000_000n)),
  dateFromDays: (days) => dateOf(days * 86_400_000),
  jsonFromBytes: (bytes) => bytes && textDecoder.decode(bytes),
  geometryFromBytes: (bytes) => bytes as never,
  geographyFromBytes: (bytes) => bytes as never,
}

function isDecimal(element: SchemaElement): boolean {
  return element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL'
}

/**
 * The metadata hyparquet decodes with: DECIMAL columns without their annotation, so their
 * unscaled integers come through for `decimalValue`. The original keeps the scale.
 */
export function withRawDecimals(metadata: FileMetaData): FileMetaData {
  if (!metadata.schema.some(isDecimal)) return metadata
  return {
    ...metadata,
    schema: metadata.schema.map((e) => (isDecimal(e) ? { ...e, converted_type: undefined, logical_type: undefined } : e)),
  }
}

/** The unscaled integer of a decimal as stored: INT32, INT64, or big-endian two's complement bytes. */
function unscaled(raw: unknown): bigint {
  if (typeof raw === 'bigint') return raw
  if (typeof raw === 'number') return BigInt(raw)
  const bytes = raw as Uint8Array
  if (bytes.length === 0) return 0n
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return bytes[0]! & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value
}

/** Fixed-point text of `unscaled × 10^-scale`, with `scale` digits after the point. */
function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString()
  if (scale <= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(-scale)}`
  const padded = digits.padStart(scale + 1, '0')
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`
}

/** A DECIMAL value: its exact text, or the double nearest to it (parsing the text rounds once). */
export function decimalValue(raw: unknown, scale: number, mode: DecimalMode): string | number {
  const text = decimalText(unscaled(raw), scale)
  return mode === 'string' ? text : Number(text)
}

type Fix = (value: unknown) => unknown

export interface FixOptions {
  decimals: DecimalMode
}

function isTimeValued(element: SchemaElement): boolean {
  const c = element.converted_type
  const l = element.logical_type?.type
  return c === 'DATE' || c === 'TIMESTAMP_MILLIS' || c === 'TIMESTAMP_MICROS' || l === 'TIMESTAMP' || l === 'DATE' ||
    (element.type === 'INT96' && c === undefined)
}

function leafFix(node: SchemaTree, column: string, options: FixOptions): Fix | undefined {
  const { element } = node
  if (isDecimal(element)) {
    const logical = element.logical_type as { scale?: number } | undefined
    const scale = element.scale ?? logical?.scale ?? 0
    return (v) => (v === null || v === undefined ? null : decimalValue(v, scale, options.decimals))
  }
  if (isTimeValued(element)) {
    return (v) => {
      if (v === null || v === undefined) return null
      if (v instanceof Date && Number.isNaN(v.getTime())) {
        throw new ParquetFailure(
          'NOT_SUPPORTED',
          `column ${column} holds a date outside the range a JavaScript Date holds (±275,760 years from 1970)`,
        )
      }
      return v
    }
  }
  return undefined
}

function isListLike(node: SchemaTree): boolean {
  const child = node.children[0]
  return node.element.converted_type === 'LIST' && node.children.length === 1 && child !== undefined &&
    child.children.length <= 1 && child.element.repetition_type === 'REPEATED'
}

function isMapLike(node: SchemaTree): boolean {
  const child = node.children[0]
  return node.element.converted_type === 'MAP' && node.children.length === 1 && child !== undefined &&
    child.children.length === 2 && child.element.repetition_type === 'REPEATED'
}

function isKeysOnlyMap(node: SchemaTree): boolean {
  const child = node.children[0]
  return (node.element.converted_type === 'MAP' || node.element.converted_type === 'MAP_KEY_VALUE') &&
    node.children.length === 1 && child !== undefined && child.children.length === 1 &&
    child.children[0]!.children.length === 0 && child.element.repetition_type === 'REPEATED'
}

const orNull: Fix = (v) => (v === undefined ? null : v)

/**
 * The fix-up of one value of `node`, following the shapes hyparquet assembles: lists as arrays,
 * maps and structs as objects. `inList` marks a node whose repetition hyparquet already turned
 * into the list it is an element of.
 */
function fixFor(node: SchemaTree, column: string, options: FixOptions, inList: boolean): Fix | undefined {
  const repeated = !inList && node.element.repetition_type === 'REPEATED'
  let one: Fix | undefined
  let nested = false
  if (node.children.length === 0) {
    one = leafFix(node, column, options)
  } else if (isListLike(node)) {
    const list = node.children[0]!
    const elementNode = list.children.length === 1 ? list.children[0]! : list
    const element = fixFor(elementNode, column, options, elementNode === list) ?? orNull
    one = (v) => (v === null || v === undefined ? null : Array.from(v as ArrayLike<unknown>, element))
    nested = true
  } else if (isMapLike(node)) {
    const value = fixFor(node.children[0]!.children[1]!, column, options, false) ?? orNull
    one = (v) => {
      if (v === null || v === undefined) return null
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v)) setOwn(out, key, value((v as Record<string, unknown>)[key]))
      return out
    }
    nested = true
  } else if (isKeysOnlyMap(node)) {
    // A MAP whose entries have no value field holds a list of keys (as parquet-cpp reads it).
    const entries = node.children[0]!
    const keyNode = entries.children[0]!
    const key = fixFor(keyNode, column, options, false) ?? orNull
    one = (v) => {
      if (v === null || v === undefined) return null
      const list = (v as Record<string, unknown>)[entries.element.name] as ArrayLike<Record<string, unknown>> | undefined
      return list ? Array.from(list, (entry) => key(entry?.[keyNode.element.name])) : []
    }
    nested = true
  } else {
    const fields = node.children.map((child) => [child.element.name, fixFor(child, column, options, false) ?? orNull] as const)
    one = (v) => {
      if (v === null || v === undefined) return null
      const out: Record<string, unknown> = {}
      for (const [name, fix] of fields) setOwn(out, name, fix((v as Record<string, unknown>)[name]))
      return out
    }
    nested = true
  }
  if (repeated) {
    // A bare repeated field holds zero or more values, never null: no elements is [].
    const element = one ?? orNull
    return (v) => (v === null || v === undefined ? [] : Array.from(v as ArrayLike<unknown>, element))
  }
  if (!one && !nested) return undefined
  return one ?? orNull
}

/**
 * The fix-up of each top-level column that needs one, by name. A nested field named `__proto__`
 * cannot come through hyparquet's assembly intact, so it is refused rather than dropped.
 */
export function valueFixes(tree: SchemaTree, names: readonly string[], options: FixOptions): Map<string, Fix> {
  const fixes = new Map<string, Fix>()
  for (const child of tree.children) {
    const name = child.element.name
    if (!names.includes(name)) continue
    refuseProtoFields(child, name)
    const fix = fixFor(child, name, options, false)
    if (fix) fixes.set(name, fix)
  }
  return fixes
}

function refuseProtoFields(node: SchemaTree, column: string): void {
  for (const child of node.children) {
    if (child.element.name === '__proto__') {
      throw new ParquetFailure('NOT_SUPPORTED', `column ${column} has a nested field named __proto__, which cannot be read`)
    }
    refuseProtoFields(child, column)
  }
}
