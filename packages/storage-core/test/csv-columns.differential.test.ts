/**
 * CsvColumnsEncoder writes CSV from values by column; its bytes must be what encodeCsv writes for
 * the same rows under the types inferSchema gives them (the CLI's CSV output before it), for every
 * type, every value and every slice of rows.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { CsvColumnsEncoder } from '../src/codecs/csv-columns.js'
import { columnsOfRows } from '../src/codecs/parquet-pages.js'
import { encodeCsv, inferSchema, StorageError } from '../src/index.js'

type Row = Record<string, unknown>

/** What encodeCsv writes for the rows under `names`, typed by inference, each line ending with `\n`. */
function byRows(rows: Row[], names: string[]): string {
  const types = new Map(inferSchema(rows).columns.map((c) => [c.name, c.type]))
  const text = new TextDecoder().decode(encodeCsv(rows, { columns: names.map((name) => ({ name, type: types.get(name) ?? 'null' })) }))
  return rows.length === 0 ? text : `${text}\n`
}

function byColumns(rows: Row[], names: string[], from = 0, to = rows.length): string {
  const encoder = new CsvColumnsEncoder(names)
  const slice = columnsOfRows(rows, names)
  return new TextDecoder().decode(encoder.header()) + new TextDecoder().decode(encoder.encode(slice, from, to))
}

/** The text, or the error's code and message: both ways must fail alike where they fail. */
function outcome(write: () => string): unknown {
  try {
    return write()
  } catch (error) {
    if (!(error instanceof StorageError)) throw error
    return { code: error.code, message: error.message }
  }
}

// Text with what CSV quotes (delimiters, quotes, line breaks, a BOM, spaces at the ends) and text beyond ASCII.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[ ,"\r\n\uFEFF\tab]{0,6}$/),
  fc.constantFrom('', ' ', 'a b', ' lead', 'trail ', 'Café', '日本', '😀', '"', '""', 'x,y', 'line\nbreak', '\r\n', 'tab\there'),
)
const safeInteger = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -1, 999_999_999, 1_000_000_000, -1_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER))
// Doubles as data holds them: any double, and decimals with a few places (prices, yards, ratings).
const double = fc.oneof(
  fc.double(),
  fc.integer({ min: -10_000_000, max: 10_000_000 }).chain((k) => fc.integer({ min: 0, max: 8 }).map((d) => k / 10 ** d)),
  fc.constantFrom(-0, 0.1, 0.000001, 0.0000001, 1e21, 1e-7, 123456789.123456, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
)
const date = fc.oneof(
  fc.date({ noInvalidDate: true }),
  fc.date({ min: new Date(Date.UTC(-1, 0, 1)), max: new Date(Date.UTC(10_001, 0, 1)), noInvalidDate: true }),
  fc.constantFrom(new Date(-62_167_219_200_000), new Date(-62_167_219_200_001), new Date(253_402_300_799_999), new Date(253_402_300_800_000), new Date(0), new Date(-1)),
)
const row = fc.record({
  text: fc.option(text, { nil: null }),
  n: fc.option(double, { nil: null }),
  i: fc.option(safeInteger, { nil: null }),
  big: fc.option(fc.bigInt(), { nil: null }),
  ok: fc.option(fc.boolean(), { nil: null }),
  at: fc.option(date, { nil: null }),
  doc: fc.option(fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 })), { nil: null }),
  bytes: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
  none: fc.constant(null),
  gone: fc.constant(undefined),
})
const NAMES = ['text', 'n', 'i', 'big', 'ok', 'at', 'doc', 'bytes', 'none', 'gone']

describe('CsvColumnsEncoder', () => {
  it('writes the bytes encodeCsv writes for the same rows, for any values', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), (rows) => {
        expect(outcome(() => byColumns(rows, NAMES))).toEqual(outcome(() => byRows(rows, NAMES)))
      }),
      { numRuns: 1000 },
    )
  })

  it('writes runs of one value (a partition column, a quoted text, a date) as encodeCsv does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 10 }), (runs) => {
        const rows = runs.flatMap(([r, times]) => Array.from({ length: times }, () => r))
        expect(outcome(() => byColumns(rows, NAMES))).toEqual(outcome(() => byRows(rows, NAMES)))
      }),
      { numRuns: 500 },
    )
  })

  it('writes any part of a slice as encodeCsv writes those rows', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 30 }).chain((rows) =>
          fc.tuple(fc.constant(rows), fc.nat(rows.length - 1)).chain(([r, from]) => fc.tuple(fc.constant(r), fc.constant(from), fc.integer({ min: from + 1, max: r.length }))),
        ),
        ([rows, from, to]) => {
          expect(outcome(() => byColumns(rows, NAMES, from, to))).toEqual(outcome(() => byRows(rows.slice(from, to), NAMES)))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('writes columns of short decimals (six places or fewer, below 2^31) as String does', () => {
    const edge = fc.constantFrom(0, -0, 1e-6, -1e-6, 0.5, 1.294, -0.474, 9.9999995, 999_999_999.999999, 1_000_000_000.5, 2_147_483_647.999999, 2_147_483_648.5, -2_147_483_647.25, 2 ** 31, 123456.000001)
    const decimal = fc.oneof(
      edge,
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).chain((k) => fc.integer({ min: 0, max: 7 }).map((d) => k / 10 ** d)),
      fc.tuple(fc.integer({ min: -2_147_483_647, max: 2_147_483_647 }), fc.integer({ min: 0, max: 999_999 })).map(([w, f]) => w + (w < 0 ? -f : f) / 1e6),
      // Past 2^31 a double may lie near two six-decimal numbers, and the shortest text is neither.
      fc.double({ min: -(2 ** 45), max: 2 ** 45, noNaN: true }).map((x) => Math.round(x * 1e6) / 1e6),
    )
    fc.assert(
      fc.property(fc.array(fc.record({ n: fc.option(decimal, { nil: null }) }), { minLength: 1, maxLength: 40 }), (rows) => {
        expect(byColumns(rows, ['n'])).toBe(byRows(rows, ['n']))
      }),
      { numRuns: 3000 },
    )
  })

  it('writes every double as String does, and every timestamp as toISOString does', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ n: double, at: date }), { minLength: 1, maxLength: 50 }), (rows) => {
        expect(byColumns(rows, ['n', 'at'])).toBe(byRows(rows, ['n', 'at']))
      }),
      { numRuns: 2000 },
    )
  })

  it('leaves empty the columns a slice lacks, and quotes column names as encodeCsv does', () => {
    const rows = [{ 'a,b': 'x', ' c': 1, 'd"e': '' }]
    const names = ['first missing', 'a,b', 'missing', ' c', 'd"e', 'missing too', 'last missing']
    const encoder = new CsvColumnsEncoder(names)
    const slice = columnsOfRows(rows, ['a,b', ' c', 'd"e'])
    expect(new TextDecoder().decode(encoder.header()) + new TextDecoder().decode(encoder.encode(slice))).toBe(byRows(rows, names))
  })

  it('refuses what encodeCsv refuses: mixed types, a lone surrogate, an invalid Date', () => {
    const cases: Row[][] = [[{ a: 1 }, { a: 'x' }], [{ a: 'ok' }, { a: '\uD800' }], [{ a: new Date(Number.NaN) }], [{ a: 1n }, { a: 2 }], [{ a: { __proto__: null, b: () => 1 } }]]
    for (const rows of cases) {
      const expected = outcome(() => byRows(rows, ['a']))
      expect(expected).toEqual({ code: expect.any(String), message: expect.any(String) })
      expect(outcome(() => byColumns(rows, ['a']))).toEqual(expected)
    }
  })

  it('grows its buffer for long values', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ text: 'x'.repeat(10_000 + i), n: i / 3 }))
    expect(byColumns(rows, ['text', 'n'])).toBe(byRows(rows, ['text', 'n']))
  })
})
