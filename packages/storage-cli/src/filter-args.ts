import type { FilterRange, Filters, FilterScalar } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

const OPERATORS: [string, keyof FilterRange][] = [
  ['>=', 'gte'],
  ['<=', 'lte'],
  ['!=', 'ne'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['=', 'eq'],
]

/** A command-line value: numbers and booleans typed, `null` as null, the rest text. */
export function parseValue(text: string): FilterScalar {
  if (text === 'null') return null
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text)) return Number(text)
  return text
}

/**
 * `--filter` arguments to filters: `k=v`, `k=v1,v2` (IN), `k>=v`, `k>v`, `k<=v`, `k<v`, `k!=v`.
 * Several conditions on one key combine (`yards>=10 yards<20`).
 */
export function parseFilters(args: readonly string[] = []): Filters {
  const filters: Record<string, FilterRange> = {}
  for (const arg of args) {
    const match = OPERATORS.map(([symbol, op]) => ({ symbol, op, at: arg.indexOf(symbol) }))
      .filter((m) => m.at > 0)
      .sort((a, b) => a.at - b.at || b.symbol.length - a.symbol.length)[0]
    if (!match) throw new UsageError(`bad filter ${JSON.stringify(arg)}: use key=value, key=v1,v2, key>=value, key<value or key!=value`)
    const key = arg.slice(0, match.at).trim()
    const raw = arg.slice(match.at + match.symbol.length).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) || raw === '') {
      throw new UsageError(`bad filter ${JSON.stringify(arg)}: use key=value, key=v1,v2, key>=value, key<value or key!=value`)
    }
    const range = filters[key] ?? {}
    filters[key] = range
    if (match.op === 'eq' && raw.includes(',')) range.in = raw.split(',').map((v) => parseValue(v.trim()))
    else range[match.op] = parseValue(raw) as never
  }
  return filters
}

/** `season=2024,week=1` to a partition object, in the order given. */
export function parsePartition(text: string): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {}
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`bad partition ${JSON.stringify(text)}: use key=value,key=value`)
    const value = parseValue(pair.slice(eq + 1).trim())
    out[pair.slice(0, eq).trim()] = value instanceof Date || typeof value === 'bigint' ? String(value) : value
  }
  return out
}
