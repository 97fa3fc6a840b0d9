/**
 * ISO-8601 date and date-time text as epoch milliseconds. Text without an offset is UTC (what
 * pyarrow and DuckDB take a naive timestamp to be), never the machine's local time, and nothing
 * but ISO-8601 is a date: `"1"` is not 2001-01-01, as `new Date("1")` would have it.
 */
const ISO =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/** Epoch milliseconds of ISO-8601 text (sub-millisecond digits floored), or undefined when it is not a valid one. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0 || /[1-9]/.test(frac)))) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)))
  let ms = date.getTime()
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')
    ms -= sign * offset * 60_000
  }
  return Number.isNaN(ms) || Math.abs(ms) > 8.64e15 ? undefined : ms
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0)
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}
