import type { ColumnType } from '../codecs/column-values.js'
import type { ColumnSummary } from '../codecs/parquet/write.js'
import { type FilterRange, type FilterScalar, pinnedValues } from '../filters/filters.js'
import { compareText } from '../keys/key-order.js'

/**
 * Per-file statistics in the log (`add.stats`, PROTOCOL.md "Per-file Statistics"): row count,
 * null counts, and min/max of ordered columns, so readers skip files without opening them.
 */
export interface FileStats {
  numRecords: number
  minValues: Record<string, unknown>
  maxValues: Record<string, unknown>
  nullCount: Record<string, number>
}

/** Strings longer than this get no min/max: a truncated bound would need care readers may not take. */
const MAX_STAT_STRING = 32

/**
 * Statistics of one file's columns as JSON text, from the nulls and bounds its Parquet writer
 * found (strings ordered by code point, as readers compare UTF-8 bytes). Bigints are written as
 * JSON numbers, exactly.
 */
export function statsJson(columns: readonly { name: string; type: ColumnType }[], summaries: readonly ColumnSummary[], rows: number): string {
  const min: string[] = []
  const max: string[] = []
  const nulls: string[] = []
  for (const [j, { name, type }] of columns.entries()) {
    const key = JSON.stringify(name)
    const { nulls: nullCount, bounds } = summaries[j]!
    nulls.push(`${key}:${nullCount}`)
    if (bounds === undefined || type === 'boolean' || type === 'json' || type === 'binary') continue
    const { low, high } = bounds
    if (type === 'string' && ((low as string).length > MAX_STAT_STRING || (high as string).length > MAX_STAT_STRING)) continue
    const text = (v: unknown) =>
      type === 'timestamp' ? JSON.stringify(new Date(v as number).toISOString()) : typeof v === 'bigint' ? v.toString() : typeof v === 'string' || Number.isFinite(v) ? JSON.stringify(v) : undefined
    const lo = text(low)
    const hi = text(high)
    if (lo === undefined || hi === undefined) continue
    min.push(`${key}:${lo}`)
    max.push(`${key}:${hi}`)
  }
  return `{"numRecords":${rows},"minValues":{${min.join(',')}},"maxValues":{${max.join(',')}},"nullCount":{${nulls.join(',')}}}`
}

export function parseStats(text: string | null | undefined): FileStats | undefined {
  if (!text) return undefined
  try {
    const value = JSON.parse(text)
    return typeof value?.numRecords === 'number'
      ? { numRecords: value.numRecords, minValues: value.minValues ?? {}, maxValues: value.maxValues ?? {}, nullCount: value.nullCount ?? {} }
      : undefined
  } catch {
    return undefined
  }
}

/** A stat and an operand compared when they are of one kind (timestamps as instants); else undefined. */
function compare(stat: unknown, operand: FilterScalar, type: ColumnType | undefined): number | undefined {
  if (type === 'timestamp' && typeof stat === 'string') {
    const t = Date.parse(stat)
    const o = operand instanceof Date ? operand.getTime() : undefined
    if (o === undefined || Number.isNaN(t)) return undefined
    // Stats may be truncated to milliseconds: an exact tie proves nothing.
    return t < o ? -1 : t > o ? 1 : undefined
  }
  if ((type === 'int' || type === 'float' || type === 'bigint') && typeof stat === 'number' && typeof operand === 'number') {
    // JSON numbers past 2^53 were rounded when parsed: they bound nothing exactly.
    if (Number.isNaN(operand) || (type !== 'float' && !Number.isSafeInteger(stat))) return undefined
    return stat < operand ? -1 : stat > operand ? 1 : 0
  }
  if (type === 'string' && typeof stat === 'string' && typeof operand === 'string') {
    return compareText(stat, operand)
  }
  return undefined
}

/** Whether the statistics prove that no row of the file satisfies `range`. */
export function excludedByStats(stats: FileStats, column: string, type: ColumnType | undefined, range: FilterRange): boolean {
  const nulls = stats.nullCount[column]
  const allNull = typeof nulls === 'number' && nulls === stats.numRecords
  const needsValue = range.gt !== undefined || range.gte !== undefined || range.lt !== undefined || range.lte !== undefined
  const pinned = pinnedValues(range)
  if (allNull && (needsValue || pinned?.every((v) => v !== null))) return true
  const min = stats.minValues[column]
  const max = stats.maxValues[column]
  if (min === undefined || max === undefined || min === null || max === null) return false
  const below = (v: FilterScalar | undefined) => v !== undefined && v !== null && (compare(max, v, type) ?? 1) < 0
  const above = (v: FilterScalar | undefined) => v !== undefined && v !== null && (compare(min, v, type) ?? -1) > 0
  if (range.gt !== undefined && range.gt !== null && (compare(max, range.gt, type) ?? 1) <= 0) return true
  if (range.gte !== undefined && below(range.gte)) return true
  if (range.lt !== undefined && range.lt !== null && (compare(min, range.lt, type) ?? -1) >= 0) return true
  if (range.lte !== undefined && above(range.lte)) return true
  if (pinned && pinned.length > 0 && pinned.every((v) => v !== null && (below(v) || above(v)))) return true
  return false
}
