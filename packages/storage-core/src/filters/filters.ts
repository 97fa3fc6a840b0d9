import { StorageError } from '../errors.js'
import { parseIsoTimestamp } from '../codecs/iso-timestamp.js'
import { compareText } from '../keys/key-order.js'

/** A scalar a filter compares against. */
export type FilterScalar = string | number | bigint | boolean | Date | null

/** Range and set operators, as pyarrow/DuckDB users write them. */
export interface FilterRange {
  eq?: FilterScalar
  ne?: FilterScalar
  gt?: FilterScalar
  gte?: FilterScalar
  lt?: FilterScalar
  lte?: FilterScalar
  in?: readonly FilterScalar[]
}

/** A value (equality), an array (IN), or a range object. */
export type FilterCondition = FilterScalar | readonly FilterScalar[] | FilterRange

/** `{ season: 2024, week: [1, 2, 3], yards: { gte: 10 } }`: all conditions must hold. */
export type Filters = Record<string, FilterCondition>

const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'])

function isScalar(value: unknown): value is FilterScalar {
  return (
    value === null ||
    value instanceof Date ||
    ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
  )
}

/** Normalised form: every condition as a range object. Validates operators and operands. */
export function normalizeFilters(filters: Filters | undefined): Map<string, FilterRange> {
  const out = new Map<string, FilterRange>()
  if (filters === undefined || filters === null) return out
  if (typeof filters !== 'object' || Array.isArray(filters)) {
    throw new StorageError('INVALID_ARGUMENT', 'filters must be an object of column conditions')
  }
  for (const [column, condition] of Object.entries(filters)) {
    if (condition === undefined) continue
    if (Array.isArray(condition)) {
      if (!condition.every(isScalar)) throw badOperand(column)
      out.set(column, { in: condition })
    } else if (isScalar(condition)) {
      out.set(column, { eq: condition })
    } else if (typeof condition === 'object') {
      for (const [op, operand] of Object.entries(condition)) {
        if (!OPERATORS.has(op)) {
          throw new StorageError('INVALID_ARGUMENT', `unknown filter operator ${JSON.stringify(op)} on ${column}`)
        }
        const ok = op === 'in' ? Array.isArray(operand) && operand.every(isScalar) : isScalar(operand)
        if (!ok) throw badOperand(column)
      }
      out.set(column, condition as FilterRange)
    } else {
      throw badOperand(column)
    }
  }
  return out
}

function badOperand(column: string): StorageError {
  return new StorageError('INVALID_ARGUMENT', `invalid filter value for ${column}`)
}

const isNaNumber = (v: unknown) => typeof v === 'number' && Number.isNaN(v)

/** The instant a value compared with a Date stands for: a row value that is no date is unordered. */
function instantOfValue(v: unknown): number {
  if (v instanceof Date) return v.getTime()
  if (typeof v === 'number') return v
  if (typeof v === 'string') return parseIsoTimestamp(v) ?? Number.NaN
  return Number.NaN
}

/** The instant a filter operand compared with a Date stands for; text that is no ISO-8601 date is refused. */
function instantOfOperand(v: unknown, column: string | undefined): number {
  if (typeof v !== 'string') return instantOfValue(v)
  const ms = parseIsoTimestamp(v)
  if (ms === undefined) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `filter value ${JSON.stringify(v)}${column === undefined ? '' : ` on ${column}`} is compared with timestamps but is not an ISO-8601 date`,
    )
  }
  return ms
}

/**
 * Orders a row value against a filter operand: numerically when both read as numbers (so `2024`
 * matches `"2024"`), as instants when either is a Date (text as ISO-8601, naive text as UTC),
 * otherwise as text in code-point order. NaN is unordered (IEEE 754, as pyarrow): the result is
 * NaN, so no ordering operator matches it, whether or not statistics pruned its row group.
 */
export function compareValues(a: unknown, b: unknown, column?: string): number {
  if (isNaNumber(a) || isNaNumber(b)) return Number.NaN
  if (a instanceof Date || b instanceof Date) {
    const x = instantOfValue(a)
    const y = instantOfOperand(b, column)
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    try {
      const x = BigInt(a as never)
      const y = BigInt(b as never)
      return x < y ? -1 : x > y ? 1 : 0
    } catch {
      // fall through: a non-integral number against a bigint
    }
  }
  const x = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN
  const y = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : Number.NaN
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0
  return compareText(String(a), String(b))
}

/** Equality as filters mean it: null only equals null, and NaN equals NaN (so `{ x: NaN }` finds NaN rows). */
function isEqual(a: unknown, b: unknown, column?: string): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a ?? null) === (b ?? null)
  }
  if (isNaNumber(a) || isNaNumber(b)) return isNaNumber(a) && isNaNumber(b)
  return compareValues(a, b, column) === 0
}

/**
 * Whether `value` satisfies `range`. Ordering operators never match null, as in SQL, nor NaN,
 * as in IEEE 754 and pyarrow; `eq`, `in` and `ne` treat NaN as equal to NaN.
 */
export function matchesCondition(value: unknown, range: FilterRange, column?: string): boolean {
  if ('eq' in range && !isEqual(value, range.eq, column)) return false
  // As in SQL, `<> x` never matches null; `ne: null` means IS NOT NULL.
  if ('ne' in range && (isEqual(value, range.ne, column) || value === null || value === undefined)) return false
  if (range.in !== undefined && !range.in.some((candidate) => isEqual(value, candidate, column))) return false
  const ordered = value !== null && value !== undefined
  const compare = (operand: FilterScalar) => compareValues(value, operand, column)
  if (range.gt !== undefined && !(ordered && range.gt !== null && compare(range.gt) > 0)) return false
  if (range.gte !== undefined && !(ordered && range.gte !== null && compare(range.gte) >= 0)) return false
  if (range.lt !== undefined && !(ordered && range.lt !== null && compare(range.lt) < 0)) return false
  if (range.lte !== undefined && !(ordered && range.lte !== null && compare(range.lte) <= 0)) return false
  return true
}

export function matchesAll(row: Record<string, unknown>, conditions: ReadonlyMap<string, FilterRange>): boolean {
  for (const [column, range] of conditions) {
    if (!matchesCondition(Object.hasOwn(row, column) ? row[column] : undefined, range, column)) return false
  }
  return true
}

/** The equality values of a condition, when it pins a column to a finite set (eq or in). */
export function pinnedValues(range: FilterRange): readonly FilterScalar[] | undefined {
  if ('eq' in range && range.eq !== undefined) return [range.eq]
  if (range.in !== undefined) return range.in
  return undefined
}

/** A hyparquet filter for row-group pruning; rows are matched again exactly after decoding. */
export function toParquetFilter(conditions: ReadonlyMap<string, FilterRange>): Record<string, any> | undefined {
  const out: Record<string, any> = {}
  for (const [column, range] of conditions) {
    const op: Record<string, unknown> = {}
    // Only operands whose Parquet comparison agrees with ours are pushed down.
    const pushable = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || v instanceof Date
    if (pushable(range.gt)) op.$gt = range.gt
    if (pushable(range.gte)) op.$gte = range.gte
    if (pushable(range.lt)) op.$lt = range.lt
    if (pushable(range.lte)) op.$lte = range.lte
    // Equality on dates is by identity in hyparquet, so only numbers and text are pushed for it.
    const equatable = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string'
    if ('eq' in range && equatable(range.eq)) op.$eq = range.eq
    if (range.in?.every(equatable)) op.$in = [...range.in]
    if (Object.keys(op).length > 0) out[column] = op
  }
  return Object.keys(out).length > 0 ? out : undefined
}
