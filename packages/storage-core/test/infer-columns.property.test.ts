import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { INT, readerFor } from '../src/codecs/record-reader.js'
import { type ColumnType, columnValues } from '../src/codecs/column-values.js'
import { inferColumns } from '../src/codecs/schema.js'

// Each column holds one kind of value (the float column mixes integers in, which widen it), or nothing.
const COLUMNS: { name: string; type: ColumnType; value: fc.Arbitrary<unknown> }[] = [
  { name: 'id', type: 'int', value: fc.integer() },
  { name: 'ppa', type: 'float', value: fc.oneof(fc.integer(), fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x))) },
  { name: 'team', type: 'string', value: fc.string({ maxLength: 8 }) },
  { name: 'kickoff', type: 'timestamp', value: fc.date({ noInvalidDate: true }) },
  { name: 'neutral', type: 'boolean', value: fc.boolean() },
  { name: 'attendance', type: 'bigint', value: fc.bigInt() },
  { name: 'meta', type: 'json', value: fc.oneof(fc.dictionary(fc.constantFrom('a', 'b'), fc.integer()), fc.array(fc.integer())) },
  { name: 'bytes', type: 'binary', value: fc.uint8Array({ maxLength: 4 }) },
  // Named like what every object inherits: a record without it must not read the inherited one.
  { name: 'constructor', type: 'int', value: fc.integer() },
]
const SKIP = 'season'

/** A shape: some columns (and maybe the skipped key) in some order. */
const shape = fc.shuffledSubarray([...COLUMNS.keys(), -1])

/** A record of a shape: values null, missing (undefined) or typed. */
function recordOf(picked: number[], season: fc.Arbitrary<unknown> = fc.constant(2024)): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      ...picked.map((c) =>
        c === -1
          ? fc.tuple(fc.constant(SKIP), season)
          : fc.tuple(fc.constant(COLUMNS[c]!.name), fc.oneof(COLUMNS[c]!.value, fc.constant(null), fc.constant(undefined))),
      ),
    )
    .chain((entries) =>
      // Some records have no prototype, as `Object.create(null)` or a query builder's rows would.
      fc.boolean().map((bare) => Object.assign(bare ? Object.create(null) : {}, Object.fromEntries(entries)) as Record<string, unknown>),
    )
}

/**
 * Records mostly sharing a few shapes, as real data does (the compiled reader), with strays and
 * records cut short (the general way).
 */
const records = fc
  .array(fc.oneof(shape, shape.map((s) => s.slice(0, Math.ceil(s.length / 2)))), { minLength: 1, maxLength: 3 })
  .chain((shapes) => fc.array(fc.constantFrom(...shapes).chain(recordOf), { maxLength: 60 }))

/** A record's own value (not one every object inherits, like `constructor`). */
function own(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined
}

/** What the records hold by column, found the slow, obvious way. */
function reference(records: Record<string, unknown>[]) {
  const names: string[] = []
  for (const r of records) for (const k of Object.keys(r)) if (k !== SKIP && !names.includes(k)) names.push(k)
  return names.map((name) => {
    const present = records.map((r) => own(r, name)).filter((v) => v != null)
    const declared = COLUMNS.find((c) => c.name === name)!.type
    const type: ColumnType =
      present.length === 0 ? 'null' : declared === 'float' && present.every((v) => Number.isInteger(v)) && present.every((v) => !Object.is(v, -0)) ? 'int' : declared
    return { name, type }
  })
}

/** The value as the column stores it: epoch ms for timestamps, 0/1 for booleans. */
function stored(value: unknown): unknown {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'boolean') return value ? 1 : 0
  return value
}

/** Partition values as records carry them: some name the folder `season=2024` (or the null one), some another. */
const SEASONS = [2024, 2024n, '2024', 2023, 2023n, '2024 ', '02024', null, undefined]

/** Records as above, whose partition column holds any of `SEASONS`, mostly the same one in a run. */
const seasoned = fc
  .tuple(fc.array(shape, { minLength: 1, maxLength: 3 }), fc.constantFrom(...SEASONS))
  .chain(([shapes, usual]) =>
    fc.array(
      fc.constantFrom(...shapes).chain((s) => recordOf(s, fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...SEASONS) }))),
      { maxLength: 60 },
    ),
  )

/** The folder-name text of a partition value, as `canonicalText` gives it. */
const folderText = (value: unknown) => (value == null ? null : String(value))

describe('inferColumns (property-based)', () => {
  it('with a partition to agree with, refuses the first record whose partition column names another folder, and collects the rest alike', () => {
    fc.assert(
      fc.property(seasoned, fc.constantFrom(2024, '2024', null), fc.nat(1000), (records, season, offset) => {
        const first = records.findIndex((r) => Object.hasOwn(r, SKIP) && folderText(r[SKIP]) !== folderText(season))
        for (const collect of [true, false]) {
          const run = () => inferColumns(records, collect, [SKIP], { values: [season], offset })
          if (first >= 0) {
            expect(run).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`^record ${offset + first} has season=`)) }))
          } else {
            const checked = run()
            const unchecked = inferColumns(records, collect, [SKIP])
            expect(checked.schema).toEqual(unchecked.schema)
            expect(checked.skipped).toBe(unchecked.skipped)
            expect(checked.values.map((c) => [Array.from(c.defined), c.numbers && Array.from(c.numbers), c.items])).toEqual(
              unchecked.values.map((c) => [Array.from(c.defined), c.numbers && Array.from(c.numbers), c.items]),
            )
          }
        }
      }),
      { numRuns: 400 },
    )
  })

  it('finds every column and type, and collects every value at its row, whatever the key order', () => {
    fc.assert(
      fc.property(records, (records) => {
        const { schema, values, skipped } = inferColumns(records, true, [SKIP])
        expect(schema.columns).toEqual(reference(records))
        expect(inferColumns(records, false, [SKIP]).schema).toEqual(schema)
        expect(skipped).toBe(records.some((r) => SKIP in r))
        schema.columns.forEach(({ name, type }, j) => {
          const column = values[j]!
          records.forEach((r, i) => {
            const value = own(r, name)
            expect(column.defined[i]).toBe(value == null ? 0 : 1)
            if (value == null) return
            // A bigint is kept as its number, and as itself where that number is not exact.
            const got = type === 'bigint' ? (column.items?.[i] ?? BigInt(column.numbers![i]!)) : column.numbers ? column.numbers[i] : column.items![i]
            expect(got).toEqual(stored(value))
          })
          const wide = records.some((r) => typeof own(r, name) === 'bigint' && !Number.isSafeInteger(Number(own(r, name))))
          expect(column.wide).toBe(wide)
        })
      }),
      { numRuns: 400 },
    )
  })

  it('reads columns whose names would break generated code if pasted into it', () => {
    const names = ['a"b', "c'd", 'e\\f', 'g\nh', `\`${'${'}process.exit(1)}\``, '*/ i /*', '\u2028', '\u2029', 'toString', '0', '日本', '😀']
    const rows = Array.from({ length: 50 }, (_, i) => Object.fromEntries(names.map((name, c) => [name, i * 100 + c])))
    const { schema, values } = inferColumns(rows, true)
    expect(schema.columns.map((c) => c.name).sort()).toEqual([...names].sort())
    schema.columns.forEach(({ name }, j) => {
      expect(Array.from(values[j]!.numbers!)).toEqual(rows.map((r) => r[name]))
    })
    // Compiled, not left to the general way: the names went into the code intact.
    const order = schema.columns.map((c) => c.name)
    const reader = readerFor(order, order.map(() => INT), true)
    expect(reader).toBeDefined()
    const into = order.map(() => columnValues('int', rows.length))
    expect(reader!(rows, 0, into)).toBe(rows.length)
    expect(into.map((c) => Array.from(c.numbers!))).toEqual(values.map((c) => Array.from(c.numbers!)))
  })

  it('never reads a value a record lacks from a polluted Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'yards', { value: 99, configurable: true, enumerable: false, writable: true })
    try {
      const rows = [...Array.from({ length: 20 }, (_, i) => ({ id: i, yards: i })), { id: 20 }]
      const { values } = inferColumns(rows, true)
      expect(values[1]!.defined[20]).toBe(0)
      expect(Array.from(values[1]!.numbers!.subarray(0, 20))).toEqual(rows.slice(0, 20).map((r) => (r as { yards: number }).yards))
    } finally {
      delete (Object.prototype as Record<string, unknown>).yards
    }
  })

  it('reads records wider than a compiled reader takes, the general way', () => {
    const wide = Array.from({ length: 40 }, (_, i) => Object.fromEntries(Array.from({ length: 600 }, (_, c) => [`c${c}`, i * c])))
    const { schema, values } = inferColumns(wide, true)
    expect(schema.columns).toHaveLength(600)
    expect(schema.columns[599]).toEqual({ name: 'c599', type: 'int' })
    expect(Array.from(values[599]!.numbers!)).toEqual(wide.map((_, i) => i * 599))
  })

  it('collects every value of a long input, probed in long runs, whose records change shape within and after a probe', () => {
    // 140,000 records: a float column whose first value is an integer (its widening at record 1
    // stops the first probe; the next one completes), a new column after the probe, then records
    // made by spread (a hidden class each), and one with its keys reordered.
    const rows: Record<string, unknown>[] = Array.from({ length: 140_000 }, (_, i) => {
      const x = i % 7 === 0 && i < 20_000 ? i : i + 0.5
      const team = `t${i % 5}`
      if (i === 50_000) return { id: i, x, team, extra: true }
      if (i === 100_000) return { team, x, id: i }
      return i < 70_000 ? { id: i, x, team } : { ...{ id: i, x }, team }
    })
    const { schema, values } = inferColumns(rows, true)
    expect(schema.columns).toEqual([
      { name: 'id', type: 'int' },
      { name: 'x', type: 'float' },
      { name: 'team', type: 'string' },
      { name: 'extra', type: 'boolean' },
    ])
    expect(Array.from(values[0]!.numbers!)).toEqual(rows.map((r) => r.id))
    expect(Array.from(values[1]!.numbers!)).toEqual(rows.map((r) => r.x))
    expect(values[2]!.items).toEqual(rows.map((r) => r.team))
    expect(Array.from(values[3]!.defined).flatMap((d, i) => (d ? [i] : []))).toEqual([50_000])
  })

  it('refuses a column whose values change kind, wherever the change comes', () => {
    const rows = [{ id: 1, team: 'Navy' }, { team: 'Army', id: 2 }, { id: 3, team: 7 }]
    expect(() => inferColumns(rows, true)).toThrow(/team/)
    expect(() => inferColumns([{ a: 1 }, { a: 1.5 }, { a: 'x' }], true)).toThrow(/mixes float and string/)
  })
})
