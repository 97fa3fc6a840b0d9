/**
 * Record readers compiled for one record shape. Most writes hand over records that share a shape:
 * the same keys in the same order, each column one kind of value. A loop written for that shape,
 * with the column names and checks spelled out, reads values by name (V8 caches the property's
 * place) and stores them with no per-value dispatch, where a general loop dispatches on every
 * value. Whatever does not fit the shape is left to the caller.
 */
import { type ColumnValues, setBigint } from './column-values.js'
import { Compiled } from './compiled.js'
import { bigintNumber } from './int64-numbers.js'

// Column kinds. SKIP marks a key that is matched but neither typed nor collected (a partition
// column; a reader made to `agree` also stops at a value other than the one it is given);
// OTHER is a column whose values always take the general way (JSON, binary, all-null).
export const SKIP = 0
export const INT = 1
export const FLOAT = 2
export const TIMESTAMP = 3
export const BOOLEAN = 4
export const STRING = 5
export const BIGINT = 6
export const OTHER = 7

/**
 * Reads records from `from` up to `to` (default: all) into `values` while they have the shape;
 * returns the index of the first that does not (its values may be stored in part), or `to`.
 * A reader made to agree also returns at a SKIP column whose value is not `agreed[j]` (===).
 */
export type RecordReader = (
  records: readonly Record<string, unknown>[],
  from: number,
  values: readonly ColumnValues[],
  to?: number,
  agreed?: readonly unknown[],
) => number

/**
 * How a reader loads values. `named` reads each column by its name, which is fastest while records
 * share a hidden class. `keyed` takes each value as `for…in` meets its key: records that each have
 * a hidden class of their own (what `{ ...row, season }` makes in V8) defeat the caches a named load
 * relies on, and every load then takes the slow path; a load by the `for…in` key does not.
 */
export type ReaderStyle = 'named' | 'keyed'

/** Wider records are read the general way: a loop this long would take longer to compile than to save. */
const MAX_COMPILED_COLUMNS = 500
const readers = new Compiled<RecordReader>(64)

/**
 * The reader for records with exactly these keys, in this order, of these kinds. With `agree`, it
 * checks the values of SKIP columns too: a write to one partition checks the partition columns its
 * records carry in the pass that reads them, rather than in a pass of its own that brings every
 * record from memory a second time.
 */
export function readerFor(
  names: readonly string[],
  kinds: readonly number[],
  collect: boolean,
  style: ReaderStyle = 'named',
  agree = false,
): RecordReader | undefined {
  if (names.length === 0 || names.length > MAX_COMPILED_COLUMNS) return undefined
  return readers.get(
    JSON.stringify([names, kinds, collect, style, agree]),
    () => new Function('ObjectPrototype', 'bigintNumber', 'setBigint', readerSource(names, kinds, collect, style, agree))(Object.prototype, bigintNumber, setBigint) as RecordReader,
  )
}

/** What a value of each kind must be (as `typeOfValue` classifies it), as a test that is true when it is not. */
const MISFITS: Record<number, string> = {
  [INT]: 'typeof v !== "number" || !Number.isSafeInteger(v) || Object.is(v, -0)',
  [FLOAT]: 'typeof v !== "number"',
  [TIMESTAMP]: '!(v instanceof Date) || Number.isNaN(v.getTime())',
  [BOOLEAN]: 'typeof v !== "boolean"',
  [STRING]: 'typeof v !== "string"',
  [BIGINT]: 'typeof v !== "bigint"',
  [OTHER]: 'true',
}

/** How a fitting value is stored, as `setValue` does. */
function store(kind: number, j: number): string {
  switch (kind) {
    case INT:
    case FLOAT:
      return `n${j}[i] = v`
    case TIMESTAMP:
      return `n${j}[i] = v.getTime()`
    case BIGINT:
      // The number inline; a value it does not hold exactly (rare) is stored by setBigint itself.
      return `x = bigintNumber(v); if (Number.isSafeInteger(x)) n${j}[i] = x; else setBigint(values[${j}], i, v)`
    case BOOLEAN:
      return `n${j}[i] = v ? 1 : 0`
    default:
      return `t${j}[i] = v`
  }
}

/**
 * A reader's source. Both forms check each record the same way: a plain object whose own keys are
 * exactly `names`, in order. The named form then loads each value by its name; the keyed form loads
 * it by the key `for…in` gives, inside the key check.
 */
function readerSource(names: readonly string[], kinds: readonly number[], collect: boolean, style: ReaderStyle, agree: boolean): string {
  // Names go in as JSON string literals, which are JavaScript string literals: nothing can escape.
  const key = (j: number) => JSON.stringify(names[j])
  const typed = kinds.flatMap((kind, j) => (kind === SKIP ? [] : [j]))
  const checked = agree ? kinds.flatMap((kind, j) => (kind === SKIP ? [j] : [])) : []
  const take = (j: number, from: string): string => {
    const kind = kinds[j]!
    const keep = collect && kind !== OTHER ? ` ${store(kind, j)}; d${j}[i] = 1` : ''
    return `v = ${from}; if (v != null) { if (${MISFITS[kind]}) return i;${keep} }`
  }
  const check = (j: number, from: string): string => `if (${from} !== a${j}) return i;`
  const keyed = style === 'keyed'
  const onKey = (j: number) => {
    if (!keyed) return ''
    if (kinds[j] !== SKIP) return ` ${take(j, 'r[k]')}`
    return agree ? ` ${check(j, 'r[k]')}` : ''
  }
  return `
return function read(records, from, values, to = records.length, agreed) {
  ${collect ? typed.map((j) => `const d${j} = values[${j}].defined, n${j} = values[${j}].numbers${kinds[j] === STRING ? `, t${j} = values[${j}].items` : ''}`).join('\n  ') : ''}
  ${checked.map((j) => `const a${j} = agreed[${j}]`).join('\n  ')}
  let v, x
  for (let i = from; i < to; i++) {
    const r = records[i]
    if (r === null || typeof r !== "object" || Array.isArray(r)) return i
    const proto = Object.getPrototypeOf(r)
    if (proto !== ObjectPrototype && proto !== null) return i
    let j = 0
    for (const k in r) {
      switch (j++) {
        ${names.map((_, j) => `case ${j}: if (k !== ${key(j)}) return i;${onKey(j)} break`).join('\n        ')}
        default: return i
      }
    }
    // A record that stops short goes the general way too: a key it lacks would read through to
    // its prototype, where a polluted Object.prototype could supply a value.
    if (j !== ${names.length}) return i
    ${keyed ? '' : checked.map((j) => check(j, `r[${key(j)}]`)).join('\n    ')}
    ${keyed ? '' : typed.map((j) => take(j, `r[${key(j)}]`)).join('\n    ')}
  }
  return to
}`
}
