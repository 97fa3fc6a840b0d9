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

const FILTER_HELP = 'use key=value, key=v1,v2, key>=value, key<value or key!=value'

/** A command-line value: numbers and booleans typed, `null` as null, the rest text. */
export function parseValue(text: string): FilterScalar {
  if (text === 'null') return null
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) return Number(text)
  return text
}

/**
 * The values of a condition: split at commas outside double quotes. A quoted value is text as
 * written (`"Alabama, Tuscaloosa"`, `"2024"`), `""` inside quotes standing for one quote.
 */
export function splitValues(raw: string, arg: string): FilterScalar[] {
  const values: FilterScalar[] = []
  let i = 0
  for (;;) {
    while (raw[i] === ' ') i++
    if (raw[i] === '"') {
      let text = ''
      i++
      for (;;) {
        const close = raw.indexOf('"', i)
        if (close < 0) throw new UsageError(`bad filter ${JSON.stringify(arg)}: a quote is not closed`)
        text += raw.slice(i, close)
        i = close + 1
        if (raw[i] !== '"') break
        text += '"'
        i++
      }
      while (raw[i] === ' ') i++
      if (i < raw.length && raw[i] !== ',') throw new UsageError(`bad filter ${JSON.stringify(arg)}: text after a closing quote`)
      values.push(text)
    } else {
      const comma = raw.indexOf(',', i)
      const text = raw.slice(i, comma < 0 ? raw.length : comma).trim()
      if (text === '') throw new UsageError(`bad filter ${JSON.stringify(arg)}: an empty value (quote it: key="")`)
      values.push(parseValue(text))
      i = comma < 0 ? raw.length : comma
    }
    if (i >= raw.length) return values
    i++ // the comma
  }
}

/**
 * `--filter` arguments to filters: `k=v`, `k=v1,v2` (IN), `k>=v`, `k>v`, `k<=v`, `k<v`, `k!=v`.
 * Several conditions on one key combine (`yards>=10` and `yards<20`); a repeated `k=` adds its
 * values to the set (`week=3` and `week=4` is `week=3,4`); any other repeated operator is an error.
 * Objects have no prototype, so a key like `__proto__` is a key and never reaches Object.prototype.
 */
export function parseFilters(args: readonly string[] = []): Filters {
  const filters: Record<string, FilterRange> = Object.create(null)
  for (const arg of args) {
    const match = OPERATORS.map(([symbol, op]) => ({ symbol, op, at: arg.indexOf(symbol) }))
      .filter((m) => m.at > 0)
      .sort((a, b) => a.at - b.at || b.symbol.length - a.symbol.length)[0]
    if (!match) throw new UsageError(`bad filter ${JSON.stringify(arg)}: ${FILTER_HELP}`)
    const key = arg.slice(0, match.at).trim()
    const raw = arg.slice(match.at + match.symbol.length).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) || raw === '') throw new UsageError(`bad filter ${JSON.stringify(arg)}: ${FILTER_HELP}`)
    const values = splitValues(raw, arg)
    const range: FilterRange = Object.hasOwn(filters, key) ? filters[key]! : Object.create(null)
    filters[key] = range
    if (match.op === 'eq') {
      const before = range.in ?? ('eq' in range ? [range.eq!] : [])
      delete range.eq
      const all = [...before, ...values]
      if (all.length === 1) range.eq = all[0]
      else range.in = all
      continue
    }
    if (values.length > 1) throw new UsageError(`bad filter ${JSON.stringify(arg)}: only = takes a list of values`)
    if (range[match.op] !== undefined) throw new UsageError(`bad filter ${JSON.stringify(arg)}: ${key}${match.symbol} is given twice`)
    range[match.op] = values[0] as never
  }
  return filters
}

/** `season=2024,week=1` to a partition object, in the order given. */
export function parsePartition(text: string): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = Object.create(null)
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=')
    const key = pair.slice(0, eq).trim()
    if (eq <= 0 || key === '__proto__') throw new UsageError(`bad partition ${JSON.stringify(text)}: use key=value,key=value`)
    const value = parseValue(pair.slice(eq + 1).trim())
    out[key] = value instanceof Date || typeof value === 'bigint' ? String(value) : value
  }
  return { ...out }
}

/** Help for `--filter`, which repeats: one condition per flag, so a value never swallows the entity. */
export const FILTER_OPTION_HELP =
  'repeatable: key=value | key=v1,v2 | key>=value | key<value | key!=value; quote values with commas: key="a, b"; a repeated key= adds to the list'

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
