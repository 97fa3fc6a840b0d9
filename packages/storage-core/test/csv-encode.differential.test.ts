/**
 * encodeCsv writes its own CSV (papaparse's `unparse` was most of a CSV export's time); its text
 * must stay what papaparse wrote, which files already written and their readers rely on.
 */
import { createRequire } from 'node:module'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type Papa from 'papaparse'
import { encodeCsv, type TableSchema } from '../src/index.js'

const papa = createRequire(import.meta.url)('papaparse') as typeof Papa

/** papaparse as encodeCsv used it: values already formatted, `""` for the empty string. */
function papaCsv(records: Record<string, unknown>[], schema: TableSchema): string {
  const fields = schema.columns.map((c) => c.name)
  const data = records.map((record) =>
    schema.columns.map(({ name, type }) => {
      const value = record[name]
      if (value === null || value === undefined) return null
      if (type === 'timestamp') return (value as Date).toISOString()
      if (type === 'json') return JSON.stringify(value)
      if (type === 'binary') return Buffer.from(value as Uint8Array).toString('base64')
      return Object.is(value, -0) ? '-0' : String(value)
    }),
  )
  return papa.unparse({ fields, data }, { newline: '\n', quotes: ((value: unknown) => value === '') as never })
}

const SCHEMA: TableSchema = {
  columns: [
    { name: 'text', type: 'string' },
    { name: 'n', type: 'float' },
    { name: 'i', type: 'int' },
    { name: 'big', type: 'bigint' },
    { name: 'ok', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'doc', type: 'json' },
    { name: 'bytes', type: 'binary' },
  ],
}

// Text with what CSV quotes: delimiters, quotes, line breaks, a BOM, spaces at the ends.
const tricky = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[ ,"\r\n\uFEFFab]{0,6}$/),
  fc.constantFrom('', ' ', 'a b', ' lead', 'trail ', 'Café', '"', '""', 'x,y', 'line\nbreak', '\r\n'),
)
const record = fc.record({
  text: fc.option(tricky, { nil: null }),
  n: fc.option(fc.double(), { nil: null }),
  i: fc.option(fc.integer(), { nil: null }),
  big: fc.option(fc.bigInt(), { nil: null }),
  ok: fc.option(fc.boolean(), { nil: null }),
  at: fc.option(fc.date({ noInvalidDate: true }), { nil: null }),
  doc: fc.option(fc.jsonValue(), { nil: null }),
  bytes: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
})

describe('encodeCsv', () => {
  it('writes the text papaparse wrote, for any values', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        const ours = new TextDecoder().decode(encodeCsv(records, SCHEMA))
        expect(ours).toBe(papaCsv(records, SCHEMA))
      }),
      { numRuns: 500 },
    )
  })

  it('quotes column names as papaparse did', () => {
    const schema: TableSchema = { columns: [{ name: 'a,b', type: 'string' }, { name: ' c', type: 'int' }, { name: 'd"e', type: 'string' }] }
    const records = [{ 'a,b': 'x', ' c': 1, 'd"e': '' }]
    expect(new TextDecoder().decode(encodeCsv(records, schema))).toBe(papaCsv(records, schema))
  })
})
