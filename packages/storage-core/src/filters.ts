import { StorageError } from './errors.js'

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

/**
 * Orders two values: numerically when both read as numbers (so `2024` matches `"2024"`),
 * by time for dates, otherwise as text. `null` only equals `null`.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a instanceof Date) a = a.getTime()
  if (b instanceof Date) b = b.getTime()
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
  const s = String(a)
  const t = String(b)
  return s < t ? -1 : s > t ? 1 : 0
}

function isEqual(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a ?? null) === (b ?? null)
  }
  return compareValues(a, b) === 0
}

/** Whether `value` satisfies `range`. Ordering operators never match null, as in SQL. */
export function matchesCondition(value: unknown, range: FilterRange): boolean {
  if ('eq' in range && !isEqual(value, range.eq)) return false
  // As in SQL, `<> x` never matches null; `ne: null` means IS NOT NULL.
  if ('ne' in range && (isEqual(value, range.ne) || value === null || value === undefined)) return false
  if (range.in !== undefined && !range.in.some((candidate) => isEqual(value, candidate))) return false
  const ordered = value !== null && value !== undefined
  if (range.gt !== undefined && !(ordered && range.gt !== null && compareValues(value, range.gt) > 0)) return false
  if (range.gte !== undefined && !(ordered && range.gte !== null && compareValues(value, range.gte) >= 0)) return false
  if (range.lt !== undefined && !(ordered && range.lt !== null && compareValues(value, range.lt) < 0)) return false
  if (range.lte !== undefined && !(ordered && range.lte !== null && compareValues(value, range.lte) <= 0)) return false
  return true
}

export function matchesAll(row: Record<string, unknown>, conditions: ReadonlyMap<string, FilterRange>): boolean {
  for (const [column, range] of conditions) {
    if (!matchesCondition(row[column], range)) return false
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
